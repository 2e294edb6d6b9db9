import CSystem
import Glibc

/// File metadata and path expansion for collectors that watch files (TLS certificates): stat(2),
/// glob(3) and a bounded recursive directory walk.
public enum FileSystem {
    /// What stat(2) says about a path; `identity` changes whenever the content may have changed.
    public struct Status: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case regular, directory, other }
        public var kind: Kind
        public var size: Int64
        public var identity: Identity
    }

    /// Size, mtime (ns), inode and device: together they detect a rewrite, a rename-over and a
    /// remount without reading the file (x509-certificate-exporter re-reads everything each scrape).
    public struct Identity: Sendable, Hashable {
        public var size: Int64
        public var modifiedNanoseconds: Int64
        public var changedNanoseconds: Int64
        public var inode: UInt64
        public var device: UInt64
    }

    /// PROC_SUPER_MAGIC and SYSFS_MAGIC of linux/magic.h: files generated when read.
    static let procfsType = 0x9fa0, sysfsType = 0x6265_6572

    /// Whether `path` is on sysfs.
    public static func isSysfs(_ path: String) -> Bool {
        var info = statfs()
        return statfs(path, &info) == 0 && info.f_type == sysfsType
    }

    /// The absolute path with every symbolic link resolved (realpath(3)), or nil when it cannot be
    /// resolved (dangling link, missing file).
    public static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True only when nothing is at `path` (ENOENT); other errors (EACCES…) are not "missing".
    public static func isMissing(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) != 0 && errno == ENOENT
    }

    /// stat(2), following symlinks; a dangling link fails with ENOENT.
    public static func status(_ path: String) throws(SystemError) -> Status {
        var st = stat()
        guard stat(path, &st) == 0 else { throw SystemError.lastError("stat \(path)") }
        return makeStatus(st)
    }

    private static func makeStatus(_ st: stat) -> Status {
        let type = st.st_mode & S_IFMT
        let kind: Status.Kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other
        // Wrapping arithmetic: times are set by whoever owns the file (touch -d @10000000000 is
        // past Int64 nanoseconds, and `*` trapped, issue #12); the identity is only compared.
        let identity = Identity(
            size: Int64(st.st_size),
            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec),
            changedNanoseconds: Int64(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_ctim.tv_nsec),
            inode: UInt64(st.st_ino), device: UInt64(st.st_dev))
        return Status(kind: kind, size: Int64(st.st_size), identity: identity)
    }

    /// Paths matching a shell pattern (glob(3), sorted); empty when nothing matches. Dangling
    /// symlinks are returned too, so that they can be reported rather than silently skipped.
    public static func glob(_ pattern: String) throws(SystemError) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let rc = Glibc.glob(pattern, 0, nil, &result)
        if rc == GLOB_NOMATCH { return [] }
        guard rc == 0 else {
            let what = rc == GLOB_ABORTED ? "read error" : rc == GLOB_NOSPACE ? "out of memory" : "error \(rc)"
            throw SystemError("glob \(pattern): \(what)", code: rc == GLOB_ABORTED ? EIO : ENOMEM)
        }
        var paths: [String] = []
        paths.reserveCapacity(Int(result.gl_pathc))
        for i in 0..<Int(result.gl_pathc) {
            if let entry = result.gl_pathv[i] { paths.append(String(cString: entry)) }
        }
        return paths
    }

    /// Whether a pattern holds glob metacharacters (`*?[`).
    public static func hasGlobMagic(_ pattern: String) -> Bool {
        pattern.utf8.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B }
    }

    /// Files below `root` (recursively) whose name passes `include`, sorted. Symlinks to files are
    /// listed (Kubernetes mounts Secrets as links); symlinks to directories are not followed, so
    /// loops and `..data` doubles cannot occur. Stops after `limit` files.
    public static func walk(_ root: String, limit: Int = 100_000, include: (String) -> Bool) throws(SystemError) -> [String] {
        var files: [String] = []
        var pending = [root]
        var first = true
        while let dir = pending.popLast() {
            guard let handle = opendir(dir) else {
                // The root must open; a subdirectory that vanished or is unreadable is skipped.
                if first { throw SystemError.lastError("opendir \(dir)") }
                continue
            }
            first = false
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR {
                    pending.append(path)
                } else if type == S_IFREG || type == S_IFLNK {
                    if type == S_IFLNK {
                        var target = stat()
                        // A dangling link is kept (reported later); a link to a directory is not.
                        if stat(path, &target) == 0 && target.st_mode & S_IFMT == S_IFDIR { continue }
                    }
                    if include(name) {
                        files.append(path)
                        if files.count >= limit { return files.sorted() }
                    }
                }
            }
        }
        return files.sorted()
    }
}
