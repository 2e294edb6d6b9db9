import Glibc

/// One directory's entries filtered by a shell pattern, for the `files` collector's glob walk:
/// readdir(3) with d_type, fnmatch(3) on the raw name (no String for entries that do not match),
/// and fstatat(2) relative to the open directory for the ones that do, so a 10,000-entry
/// directory costs one opendir, 10,000 fnmatch calls and a stat per match.
public enum DirectoryScan {
    /// What stat(2) (following symlinks) says about a matched entry.
    public struct Info: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case regular, directory, fifo, device, socket, other }
        public var kind: Kind
        public var size: Int64
        /// Wrapping arithmetic: mtimes are set by whoever owns the file (touch -d @1e10).
        public var modifiedNanoseconds: Int64
        public var changedNanoseconds: Int64
        public var device: UInt64
        public var inode: UInt64

        public var modifiedSeconds: Double { Double(modifiedNanoseconds) / 1e9 }
    }

    public struct Entry: Sendable {
        public let name: String
        /// d_type said symlink (the stat result follows it).
        public let isSymlink: Bool
        public let info: Result<Info, SystemError>
    }

    /// Entries of `directory` (without `.` and `..`) whose name matches `pattern` (fnmatch(3)
    /// with FNM_PERIOD, as the shell: a leading dot must be matched explicitly), each stat-ed.
    /// `onlyDirectories` skips entries d_type says are not directories or symlinks. Stops after
    /// `limit` entries were looked at; `examined` tells how many were.
    public static func entries(
        _ directory: String, matching pattern: String, onlyDirectories: Bool = false, limit: Int
    ) throws(SystemError) -> (entries: [Entry], examined: Int, complete: Bool) {
        guard let handle = opendir(directory) else { throw SystemError.lastError("opendir \(directory)") }
        defer { closedir(handle) }
        let fd = dirfd(handle)
        var entries: [Entry] = []
        var examined = 0
        var complete = true
        pattern.withCString { pattern in
            while let entry = readdir(handle) {
                let type = entry.pointee.d_type
                if onlyDirectories && type != UInt8(DT_DIR) && type != UInt8(DT_LNK) && type != UInt8(DT_UNKNOWN) { continue }
                // nil for `.` and `..`, "" for a name that does not match.
                let matched = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                    guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self), !isDotOrDotDot(raw) else { return nil }
                    guard fnmatch(pattern, base, FNM_PERIOD) == 0 else { return "" }
                    return String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard let name = matched else { continue }
                guard examined < limit else {
                    complete = false
                    break
                }
                examined += 1
                if name.isEmpty { continue }
                entries.append(Entry(name: name, isSymlink: type == UInt8(DT_LNK), info: statAt(fd, name, directory: directory)))
            }
        }
        return (entries, examined, complete)
    }

    /// stat(2) of a path, following symlinks; ELOOP for a symlink loop, ENOENT for a dangling link.
    public static func info(_ path: String) throws(SystemError) -> Info {
        var st = stat()
        guard stat(path, &st) == 0 else { throw SystemError.lastError("stat \(path)") }
        return makeInfo(st)
    }

    /// Whether `path` itself is a symbolic link (lstat(2)).
    public static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    private static func statAt(_ fd: Int32, _ name: String, directory: String) -> Result<Info, SystemError> {
        var st = stat()
        guard fstatat(fd, name, &st, 0) == 0 else { return .failure(.lastError("stat \(directory)/\(name)")) }
        return .success(makeInfo(st))
    }

    private static func makeInfo(_ st: stat) -> Info {
        let kind: Info.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFIFO: kind = .fifo
        case S_IFCHR, S_IFBLK: kind = .device
        case S_IFSOCK: kind = .socket
        default: kind = .other
        }
        let modified = Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
        let changed = Int64(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_ctim.tv_nsec)
        return Info(kind: kind, size: Int64(st.st_size), modifiedNanoseconds: modified, changedNanoseconds: changed, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    private static func isDotOrDotDot(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
    }

    /// Whether a shell pattern is well formed for fnmatch(3): every `[` closed (fnmatch would
    /// otherwise take it as a literal bracket, silently matching nothing), no trailing `\`.
    public static func isWellFormed(_ pattern: String) -> Bool {
        var bytes = Array(pattern.utf8)[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case 0x5C:  // backslash escapes the next byte
                guard bytes.popFirst() != nil else { return false }
            case 0x5B:  // [ ... ]: `]` right after `[` or `[!` is literal
                if bytes.first == 0x21 || bytes.first == 0x5E { bytes = bytes.dropFirst() }
                if bytes.first == 0x5D { bytes = bytes.dropFirst() }
                guard let close = bytes.firstIndex(of: 0x5D) else { return false }
                bytes = bytes[(close + 1)...]
            default:
                break
            }
        }
        return true
    }
}
