import Glibc

/// Bounded file reads: procfs and sysfs report sizes of 0 or 4096 whatever the content, so files
/// are read until EOF up to a cap (1 MiB by default, as prometheus/procfs' ReadFileNoStat).
public struct FileReader: Sendable {
    public static let defaultLimit = 1 << 20

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let cause: SystemError?
        public let tooLarge: Bool
        /// What was found instead of a regular file ("fifo", "directory", "character device"…).
        public let notRegular: String?

        init(path: String, cause: SystemError?, tooLarge: Bool, notRegular: String? = nil) {
            self.path = path
            self.cause = cause
            self.tooLarge = tooLarge
            self.notRegular = notRegular
        }

        public var description: String {
            if tooLarge { return "\(path): larger than the read limit" }
            if let notRegular { return "\(path): not a regular file (\(notRegular))" }
            return "\(path): \(cause?.description ?? "unreadable")"
        }

        public var isNotFound: Bool { cause?.code == ENOENT }
    }

    /// Opens a file of outside input for reading, in a way that cannot block: O_NONBLOCK, so that
    /// a FIFO put where a file belongs does not wait for a writer (open(2) did, for ever, and hung
    /// the scrape, the health check and shutdown: issue #12); O_NOCTTY, so that a terminal never
    /// becomes ours. Then fstat on the descriptor, not the path, so a file renamed in between
    /// cannot slip through: only a regular file is read (procfs, sysfs and cgroup files are
    /// S_IFREG too); a FIFO, a device (/dev/zero never ends), a socket or a directory is refused.
    /// O_NONBLOCK changes nothing for reads of regular files.
    static func openRegular(_ path: String) throws(ReadError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw ReadError(path: path, cause: .lastError("open"), tooLarge: false) }
        var info = stat()
        let statted = fstat(fd, &info) == 0
        let failure: ReadError? = !statted ? ReadError(path: path, cause: .lastError("fstat"), tooLarge: false)
            : info.st_mode & S_IFMT == S_IFREG ? nil
            : ReadError(path: path, cause: nil, tooLarge: false, notRegular: kind(info.st_mode))
        guard let failure else { return fd }
        close(fd)
        throw failure
    }

    /// The file type of a mode, in the words of stat(1).
    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "fifo"
        case S_IFDIR: "directory"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFSOCK: "socket"
        case S_IFLNK: "symbolic link"
        default: "unknown file type"
        }
    }

    /// A regular file read whole, with its mtime, and whether it held still while it was read
    /// (size, mtime and ctime the same before and after, and as many bytes as its size): a file
    /// written in place while we read it is not taken half-written.
    public struct Snapshot: Sendable {
        public let bytes: [UInt8]
        public let modifiedSeconds: Double
        public let heldStill: Bool
    }

    public static func readSnapshot(_ path: String, limit: Int = defaultLimit) throws(ReadError) -> Snapshot {
        let fd = try openRegular(path)
        defer { close(fd) }
        var before = stat(), after = stat()
        guard fstat(fd, &before) == 0 else { throw ReadError(path: path, cause: .lastError("fstat"), tooLarge: false) }
        let bytes = try readAll(fd, path: path, limit: limit)
        guard fstat(fd, &after) == 0 else { throw ReadError(path: path, cause: .lastError("fstat"), tooLarge: false) }
        let same = before.st_size == after.st_size && Int64(after.st_size) == Int64(bytes.count)
            && before.st_mtim.tv_sec == after.st_mtim.tv_sec && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec
            && before.st_ctim.tv_sec == after.st_ctim.tv_sec && before.st_ctim.tv_nsec == after.st_ctim.tv_nsec
        return Snapshot(bytes: bytes, modifiedSeconds: Double(after.st_mtim.tv_sec), heldStill: same)
    }

    public static func readBytes(_ path: String, limit: Int = defaultLimit) throws(ReadError) -> [UInt8] {
        let fd = try openRegular(path)
        defer { close(fd) }
        return try readAll(fd, path: path, limit: limit)
    }

    /// The whole file from an open descriptor; `fromStart` rewinds it first (a descriptor kept
    /// open between reads, see `KeptOpenFiles`).
    static func readBytes(_ fd: Int32, path: String, limit: Int, fromStart: Bool) throws(ReadError) -> [UInt8] {
        if fromStart, lseek(fd, 0, SEEK_SET) != 0 { throw ReadError(path: path, cause: .lastError("lseek"), tooLarge: false) }
        return try readAll(fd, path: path, limit: limit)
    }

    private static func readAll(_ fd: Int32, path: String, limit: Int) throws(ReadError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while true {
            if used == buffer.count {
                guard buffer.count < limit + 1 else { break }
                buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, limit + 1 - buffer.count)))
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress.map { $0 + used }, raw.count - used)
            }
            if n > 0 { used += n; continue }
            if n == 0 { break }
            if errno == EINTR { continue }
            throw ReadError(path: path, cause: .lastError("read"), tooLarge: false)
        }
        guard used <= limit else { throw ReadError(path: path, cause: nil, tooLarge: true) }
        buffer.removeSubrange(used...)
        return buffer
    }

    /// Reads a text file; invalid UTF-8 is replaced with U+FFFD rather than failing.
    public static func readText(_ path: String, limit: Int = defaultLimit) throws(ReadError) -> String {
        let fd = try openRegular(path)
        defer { close(fd) }
        return try readText(fd, path: path, limit: limit, fromStart: false)
    }

    /// The file's text, or nil when it cannot be opened or read, or is no regular file (a missing
    /// udev record is the common case, every scrape).
    public static func readTextIfPresent(_ path: String, limit: Int = defaultLimit) -> String? {
        guard let fd = try? openRegular(path) else { return nil }
        defer { close(fd) }
        return try? readText(fd, path: path, limit: limit, fromStart: false)
    }

    /// Most procfs and sysfs files fit in a page: read them into a stack buffer and decode once;
    /// only larger ones go through a growing heap buffer. `fromStart` reads with pread from offset
    /// 0 (a descriptor kept open between reads, see `KeptOpenFiles`).
    static func readText(_ fd: Int32, path: String, limit: Int, fromStart: Bool) throws(ReadError) -> String {
        let small = 8192
        let result: Result<String, ReadError>? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: small) { buffer in
            var used = 0
            while used < small {
                let destination = buffer.baseAddress.map { $0 + used }
                let n = fromStart ? pread(fd, destination, small - used, off_t(used)) : Glibc.read(fd, destination, small - used)
                if n > 0 { used += n; continue }
                if n == 0 { return .success(String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<used]), as: UTF8.self)) }
                if errno == EINTR { continue }
                return .failure(ReadError(path: path, cause: .lastError("read"), tooLarge: false))
            }
            return nil  // filled: larger than the stack buffer
        }
        switch result {
        case .success(let text): return text
        case .failure(let error): throw error
        case nil:
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw ReadError(path: path, cause: .lastError("lseek"), tooLarge: false) }
            return String(decoding: try readAll(fd, path: path, limit: limit), as: UTF8.self)
        }
    }


    /// Names in a directory, without `.` and `..`; nil when it cannot be opened.
    public static func directoryEntries(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Open descriptors in a /proc/<pid>/fd directory. Linux 6.2 and later report their number as
    /// the directory's size: one stat instead of a listing, which costs the kernel a dentry per
    /// descriptor. Earlier kernels report 0, and the directory is listed.
    public static func countOpenDescriptors(_ path: String) -> Int? {
        var info = stat()
        if stat(path, &info) == 0, info.st_size > 0 { return Int(info.st_size) }
        return countEntries(path)
    }

    /// Counts directory entries without building names.
    public static func countEntries(_ path: String) -> Int? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }
}
