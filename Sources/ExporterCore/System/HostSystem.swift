import Glibc

/// uname(2), as node_exporter's `node_uname_info` reports it.
public struct UnameInfo: Sendable, Equatable {
    public var sysname, nodename, release, version, machine, domainname: String

    public static func current() throws(SystemError) -> UnameInfo {
        var buf = utsname()
        guard uname(&buf) == 0 else { throw SystemError.lastError("uname") }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return UnameInfo(
            sysname: text(buf.sysname), nodename: text(buf.nodename), release: text(buf.release),
            version: text(buf.version), machine: text(buf.machine), domainname: text(buf.__domainname))
    }
}

/// Process-wide constants from sysconf(3).
public enum HostConstants {
    /// Bytes per page: /proc/net/sockstat counts TCP/UDP memory in pages.
    public static let pageSize: Int = max(1, sysconf(Int32(_SC_PAGESIZE)))
}

/// The local time zone as localtime(3) sees it (TZ, /etc/localtime): abbreviation and UTC offset.
public enum LocalTimeZone {
    public static func current(at seconds: Double) -> (name: String, offsetSeconds: Int) {
        var t = time_t(seconds)
        var broken = tm()
        guard localtime_r(&t, &broken) != nil else { return ("UTC", 0) }
        let name = broken.tm_zone.map { String(cString: $0) } ?? ""
        return (name, broken.tm_gmtoff)
    }
}

/// Sizes from statfs(2) for a mount point (f_bsize as the block unit, as node_exporter uses).
public struct FilesystemUsage: Sendable, Equatable {
    public var blockSize: UInt64
    public var blocks: UInt64
    public var blocksFree: UInt64
    public var blocksAvailable: UInt64
    public var files: UInt64
    public var filesFree: UInt64

    public init(blockSize: UInt64, blocks: UInt64, blocksFree: UInt64, blocksAvailable: UInt64, files: UInt64, filesFree: UInt64) {
        self.blockSize = blockSize
        self.blocks = blocks
        self.blocksFree = blocksFree
        self.blocksAvailable = blocksAvailable
        self.files = files
        self.filesFree = filesFree
    }

    /// One blocking statvfs(3) call; it can hang for ever on a dead network mount, so callers use
    /// `StatFSProber` rather than this directly.
    /// The path is raw bytes: a mount point need not be valid UTF-8.
    public static func query(_ path: [UInt8]) -> Result<FilesystemUsage, SystemError> {
        var buf = statvfs()
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        guard statvfs(cPath, &buf) == 0 else { return .failure(.lastError("statvfs")) }
        return .success(FilesystemUsage(
            blockSize: UInt64(buf.f_bsize), blocks: UInt64(buf.f_blocks), blocksFree: UInt64(buf.f_bfree),
            blocksAvailable: UInt64(buf.f_bavail), files: UInt64(buf.f_files), filesFree: UInt64(buf.f_ffree)))
    }
}
