import Synchronization

/// What cAdvisor reports of a container's file system: its writable layer's usage, and the
/// capacity and inodes of the file system that holds the layer.
struct ContainerFilesystem: Equatable, Sendable {
    /// The mount source of the file system holding the layer (cAdvisor's `device`).
    var device: String
    var limitBytes: Double
    var inodesTotal: Double
    var inodesFree: Double
    /// The layer's size from the engine (`SizeRw`) and how old that measurement is; nil until
    /// the first one.
    var usageBytes: Double?
    var usageAgeSeconds: Double?
}

/// `container_fs_usage_bytes`, `_limit_bytes` and `_inodes_free`/`_total` without walking trees
/// on every scrape (cAdvisor runs `du` on every layer in the background; the community's
/// ContainerVolumeUsage alert and disk panels read these):
/// - usage is the Engine API's `SizeRw` (`GET /containers/{id}/json?size=true`). The daemon walks
///   the layer to answer it, so it is asked for at most `perScrape` containers a scrape, oldest
///   measurement first, from a container's second scrape on, and again only after `interval`;
///   the age is exported
///   (`stack_exporter_container_fs_usage_age_seconds`);
/// - capacity and inodes come from statvfs of the engine's storage directory holding the layer
///   (one call per distinct directory per scrape, bounded by the deadline through `StatFSProber`,
///   since that directory may be on a network file system), device from the mount table.
final class ContainerFilesystems: Sendable {
    let interval: Double
    let perScrape: Int
    private let paths: HostPaths
    private let prober: StatFSProber
    private struct State {
        var sizes: [String: (bytes: Double, measured: MonotonicTime)] = [:]
        /// Storage directory → mount source; a directory does not change file system.
        var devices: [String: String] = [:]
    }
    private let state = Mutex(State())

    init(interval: Double, perScrape: Int, paths: HostPaths, prober: StatFSProber = StatFSProber(maxStuck: 2)) {
        self.interval = interval
        self.perScrape = perScrape
        self.paths = paths
        self.prober = prober
    }

    /// The running containers whose layer size is due this scrape: never measured first, then
    /// the oldest past `interval`, at most `perScrape`.
    func due(_ running: [String], now: MonotonicTime) -> Set<String> {
        guard perScrape > 0 else { return [] }
        let sizes = state.withLock { $0.sizes }
        let candidates = running.compactMap { id -> (id: String, age: Double)? in
            guard let measured = sizes[id]?.measured else { return (id, .infinity) }
            let age = measured.seconds(until: now)
            return age >= interval ? (id, age) : nil
        }
        return Set(candidates.sorted { $0.age > $1.age }.prefix(perScrape).map(\.id))
    }

    func record(_ id: String, bytes: Double, now: MonotonicTime) {
        state.withLock { $0.sizes[id] = (max(0, bytes), now) }
    }

    /// Forgets the sizes of containers that are gone.
    func keep(_ present: Set<String>) {
        state.withLock { $0.sizes = $0.sizes.filter { present.contains($0.key) } }
    }

    /// Each container's file system, by id, from its layer directory (`GraphDriver.Data.UpperDir`).
    func filesystems(_ upperDirs: [String: String], now: MonotonicTime, deadline: MonotonicTime) -> [String: ContainerFilesystem] {
        let roots = Set(upperDirs.values.map(Self.storageDirectory))
        let ordered = Array(roots).sorted()
        let outcomes = prober.probe(ordered.map { Array(hostPath($0).utf8) }, deadline: deadline)
        var usage: [String: FilesystemUsage] = [:]
        for (root, outcome) in zip(ordered, outcomes) {
            if case .usage(let value) = outcome { usage[root] = value }
        }
        let devices = self.devices(for: ordered)
        let sizes = state.withLock { $0.sizes }
        var result: [String: ContainerFilesystem] = [:]
        for (id, upper) in upperDirs {
            let root = Self.storageDirectory(upper)
            guard let fs = usage[root] else { continue }
            let size = sizes[id]
            result[id] = ContainerFilesystem(
                device: devices[root] ?? "", limitBytes: Double(fs.blocks) * Double(fs.blockSize),
                inodesTotal: Double(fs.files), inodesFree: Double(fs.filesFree),
                usageBytes: size?.bytes, usageAgeSeconds: size.map { $0.measured.seconds(until: now) })
        }
        return result
    }

    /// The directory holding a container's layers: overlay's `…/overlay/<id>/diff` less the
    /// last two components, so containers of one engine share one statvfs call.
    static func storageDirectory(_ upperDir: String) -> String {
        var parts = upperDir.split(separator: "/", omittingEmptySubsequences: true)
        if parts.last == "diff", parts.count >= 3 { parts.removeLast(2) }
        return "/" + parts.joined(separator: "/")
    }

    private func hostPath(_ path: String) -> String {
        paths.rootfs == "/" || paths.rootfs.isEmpty ? path : paths.rootfs + path
    }

    /// Mount sources of the directories not looked up yet (the longest mount point that is a
    /// prefix of each), from the host's mount table (`<procfs>/1/mounts`, else `self/mounts`).
    private func devices(for roots: [String]) -> [String: String] {
        let known = state.withLock { $0.devices }
        let missing = roots.filter { known[$0] == nil }
        guard !missing.isEmpty else { return known }
        let proc = ProcFS(root: paths.procfs)
        guard let table = (try? proc.readBytes("1/mounts")) ?? (try? proc.readBytes("self/mounts")),
              let mounts = try? parseMounts(table) else { return known }
        var found: [String: String] = [:]
        for root in missing {
            let best = mounts.filter { Self.contains($0.mountPoint, root) }.max { $0.mountPoint.count < $1.mountPoint.count }
            found[root] = best.map { String(decoding: $0.device, as: UTF8.self) } ?? ""
        }
        return state.withLock { state in
            state.devices.merge(found) { old, _ in old }
            return state.devices
        }
    }

    /// Whether `mountPoint` is `path` or one of its ancestors.
    static func contains(_ mountPoint: [UInt8], _ path: String) -> Bool {
        let p = Array(path.utf8)
        if mountPoint == [UInt8(ascii: "/")] { return true }
        guard p.count >= mountPoint.count, Array(p.prefix(mountPoint.count)) == mountPoint else { return false }
        return p.count == mountPoint.count || p[mountPoint.count] == UInt8(ascii: "/")
    }
}
