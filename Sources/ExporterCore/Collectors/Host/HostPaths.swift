/// Where the host's procfs, sysfs and root file system are mounted (`--path.*`, as node_exporter),
/// so the exporter can run in a container with the host mounted at /host.
public struct HostPaths: Sendable {
    public var procfs: String
    public var sysfs: String
    public var rootfs: String

    public init(procfs: String = "/proc", sysfs: String = "/sys", rootfs: String = "/") {
        self.procfs = procfs
        self.sysfs = sysfs
        self.rootfs = rootfs
    }

    static let procfsFlag = Flag.string("path.procfs", default: "/proc", help: "procfs mountpoint.", group: "Host", placeholder: "<path>")
    static let sysfsFlag = Flag.string("path.sysfs", default: "/sys", help: "sysfs mountpoint.", group: "Host", placeholder: "<path>")
    static let rootfsFlag = Flag.string("path.rootfs", default: "/", help: "rootfs mountpoint.", group: "Host", placeholder: "<path>")
    public static let flags: [FlagSpec] = [procfsFlag.spec, sysfsFlag.spec, rootfsFlag.spec]

    public init(flags: ParsedFlags) {
        self.init(procfs: flags[Self.procfsFlag], sysfs: flags[Self.sysfsFlag], rootfs: flags[Self.rootfsFlag])
    }

    public var proc: ProcFS { ProcFS(root: procfs) }
    public var sys: ProcFS { ProcFS(root: sysfs) }
}

/// Reads files below a procfs (or sysfs) root: the real one, or a fixture tree in tests. Each
/// collector gets its own (`HostPaths.proc` makes a new one), so the descriptors it keeps open
/// between scrapes (`KeptOpenFiles`) are its own and never contended.
public struct ProcFS: Sendable {
    public let root: String
    private let files = KeptOpenFiles()

    public init(root: String) { self.root = root }

    public func path(_ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    public func read(_ relative: String) throws(FileReader.ReadError) -> String {
        Self.mayKeep(relative) ? try files.readText(path(relative)) : try FileReader.readText(path(relative))
    }

    public func readBytes(_ relative: String) throws(FileReader.ReadError) -> [UInt8] {
        Self.mayKeep(relative) ? try files.readBytes(path(relative)) : try FileReader.readBytes(path(relative))
    }

    /// Files of other processes (`<pid>/cgroup`, `<pid>/net/dev` of a container) are never kept:
    /// a kept `net/dev` holds its network namespace alive after the container is gone, and a new
    /// process with the same PID would be read through the old one's descriptor. `self/…` and
    /// `1/…` (init, for the host's mount table) stay the same process.
    static func mayKeep(_ relative: String) -> Bool {
        guard let first = relative.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return true }
        return relative.hasPrefix("1/")
    }
}

extension ProcFS {
    /// The file's text, or nil when it does not exist (an optional kernel feature: PSI, conntrack,
    /// IPv6); any other failure still throws.
    func readIfPresent(_ relative: String, alsoAbsentFor codes: [Int32] = []) throws(FileReader.ReadError) -> String? {
        do {
            return try read(relative)
        } catch {
            if error.isNotFound { return nil }
            if let code = error.cause?.code, codes.contains(code) { return nil }
            throw error
        }
    }
}

/// A collector that only reads procfs/sysfs (and makes no call that can hang), so it runs inline
/// on the scrape's thread (see `Collector.mayBlock`).
protocol ProcFSCollector: Collector {}

extension ProcFSCollector {
    var mayBlock: Bool { false }
}
