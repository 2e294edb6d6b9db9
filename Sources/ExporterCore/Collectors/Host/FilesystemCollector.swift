enum FilesystemMetrics {
    static let labels = ["device", "fstype", "mountpoint"]
    static let size = FamilyDescriptor(name: "node_filesystem_size_bytes", type: .gauge, help: "Filesystem size in bytes.", unit: "bytes", labels: labels)
    static let free = FamilyDescriptor(name: "node_filesystem_free_bytes", type: .gauge, help: "Filesystem free space in bytes.", unit: "bytes", labels: labels)
    static let avail = FamilyDescriptor(name: "node_filesystem_avail_bytes", type: .gauge, help: "Filesystem space available to non-root users in bytes.", unit: "bytes", labels: labels)
    static let files = FamilyDescriptor(name: "node_filesystem_files", type: .gauge, help: "Filesystem total file nodes.", labels: labels)
    static let filesFree = FamilyDescriptor(name: "node_filesystem_files_free", type: .gauge, help: "Filesystem total free file nodes.", labels: labels)
    static let readonly = FamilyDescriptor(name: "node_filesystem_readonly", type: .gauge, help: "Filesystem read-only status.", labels: labels)
    static let deviceError = FamilyDescriptor(name: "node_filesystem_device_error", type: .gauge, help: "Whether an error occurred while getting statistics for the given device.", labels: labels)

    // node_exporter v1.12.1 defaults (collector/filesystem_linux.go).
    static let defaultMountPointsExclude = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
    static let defaultFSTypesExclude = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$"

    /// File system types whose statfs is answered from in-memory superblock counters, without a
    /// network or a user-space daemon: these are asked inline. Everything else (NFS, CIFS, FUSE,
    /// Ceph, unknown types) gets a thread and the mount timeout. vfat and exfat are not here: they
    /// count free clusters on the device at the first statfs, and are the removable media that
    /// hang when pulled.
    static let answeredFromMemory: Set<String> = [
        "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "tmpfs", "ramfs", "devtmpfs",
    ]

    static let mountPointsExclude = Flag.string(
        "collector.filesystem.mount-points-exclude", default: defaultMountPointsExclude,
        help: "Regexp of mount points to exclude for filesystem collector.", group: "Host", placeholder: "<regex>")
    static let fsTypesExclude = Flag.string(
        "collector.filesystem.fs-types-exclude", default: defaultFSTypesExclude,
        help: "Regexp of filesystem types to exclude for filesystem collector.", group: "Host", placeholder: "<regex>")
    static let mountTimeout = Flag.duration(
        "collector.filesystem.mount-timeout", default: "5s", help: "How long to wait for a mount to respond before marking it as stale.",
        group: "Host", placeholder: "<duration>")
    static let flags: [FlagSpec] = [mountPointsExclude.spec, fsTypesExclude.spec, mountTimeout.spec]
}

/// One mount after exclusion: the labels it gets and the path statfs is called on.
struct FilesystemMount: Equatable {
    var device: String
    var fsType: String
    var mountPoint: String
    var statPath: [UInt8]
    var readOnly: Bool

    var labels: [String] { [device, fsType, mountPoint] }
}

/// Mounts to report: not excluded, with the rootfs prefix stripped from the mount point label
/// (node_exporter's rootfsStripPrefix), one per label set (a mount point mounted twice over the same
/// device would otherwise give duplicate series).
func selectMounts(
    _ entries: [MountEntry], rootfs: String, mountPointsExclude: NamePattern, fsTypesExclude: NamePattern,
    repairs: ExpositionStats?
) -> [FilesystemMount] {
    let root = Array(rootfs.utf8)
    let stripRoot = root != [UInt8(ascii: "/")] && !root.isEmpty
    var seen = Set<[String]>()
    var result: [FilesystemMount] = []
    for entry in entries {
        var mountBytes = entry.mountPoint[...]
        var statPath = entry.mountPoint
        if stripRoot {
            // /proc/self/mounts in a container shows the host's mounts under rootfs (/host/boot);
            // /proc/1/mounts with hostPID shows them as the host does (/boot). Either way the label
            // is the host's path and statfs goes through rootfs.
            let prefix = root.last == UInt8(ascii: "/") ? root.dropLast() : root[...]
            if mountBytes.starts(with: prefix) {
                let rest = mountBytes.dropFirst(prefix.count)
                if rest.isEmpty || rest.first == UInt8(ascii: "/") { mountBytes = rest }
            }
            if mountBytes.isEmpty { mountBytes = [UInt8(ascii: "/")][...] }
            statPath = Array(prefix) + mountBytes
        }
        let mountPoint = LabelText.decode(mountBytes, repairs: repairs)
        if mountPointsExclude.matches(mountPoint) || fsTypesExclude.matches(entry.fsType) { continue }
        let device = LabelText.decode(entry.device, repairs: repairs)
        guard seen.insert([device, entry.fsType, mountPoint]).inserted else { continue }
        result.append(FilesystemMount(
            device: device, fsType: entry.fsType, mountPoint: mountPoint, statPath: statPath,
            readOnly: entry.isReadOnly))
    }
    return result
}

/// `node_filesystem_*` for every mounted file system, from /proc/1/mounts (the host's mount table
/// when the exporter runs in a container with hostPID) or /proc/self/mounts, and statvfs(3).
struct FilesystemCollector: Collector {
    let proc: ProcFS
    let rootfs: String
    let mountPointsExclude: NamePattern
    let fsTypesExclude: NamePattern
    let mountTimeout: Double
    let prober: StatFSProber
    /// The mounts to report and their labels, worked out again only when the mount table changes
    /// (with the number of label values repaired, counted again on every scrape).
    private let selection = LastResult<[UInt8], (mounts: [FilesystemMount], labels: [[String]], repairs: Int)>()

    init(
        proc: ProcFS, rootfs: String, mountPointsExclude: NamePattern, fsTypesExclude: NamePattern, mountTimeout: Double,
        prober: StatFSProber
    ) {
        self.proc = proc
        self.rootfs = rootfs
        self.mountPointsExclude = mountPointsExclude
        self.fsTypesExclude = fsTypesExclude
        self.mountTimeout = mountTimeout
        self.prober = prober
    }

    /// Blocks only while some mount needs a thread with a timeout; with local file systems only,
    /// the collector runs on the scrape's worker thread like the procfs readers.
    var mayBlock: Bool { prober.mayBlock }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let bytes: [UInt8]
        do {
            bytes = try proc.readBytes("1/mounts")
        } catch {
            bytes = try proc.readBytes("self/mounts")
        }
        let selected = try selection.value(for: bytes) { () throws(ParseError) in
            let repairs = ExpositionStats()
            let mounts = selectMounts(
                try parseMounts(bytes), rootfs: rootfs, mountPointsExclude: mountPointsExclude,
                fsTypesExclude: fsTypesExclude, repairs: repairs)
            return (mounts, mounts.map(\.labels), repairs.repairedLabelValues)
        }
        if selected.repairs > 0 { context.exposition.recordRepairedLabelValue(selected.repairs) }
        let mounts = selected.mounts
        let deadline = min(MonotonicTime.now().adding(seconds: mountTimeout), context.deadline)
        let outcomes = prober.probe(mounts.map(\.statPath), deadline: deadline) {
            FilesystemMetrics.answeredFromMemory.contains(mounts[$0].fsType)
        }

        var size = MetricFamily(FilesystemMetrics.size), free = MetricFamily(FilesystemMetrics.free)
        var avail = MetricFamily(FilesystemMetrics.avail), files = MetricFamily(FilesystemMetrics.files)
        var filesFree = MetricFamily(FilesystemMetrics.filesFree), readonly = MetricFamily(FilesystemMetrics.readonly)
        var deviceError = MetricFamily(FilesystemMetrics.deviceError)
        for ((mount, labels), outcome) in zip(zip(mounts, selected.labels), outcomes) {
            readonly.add(labels, mount.readOnly ? 1 : 0)
            switch outcome {
            case .usage(let u):
                deviceError.add(labels, 0)
                size.add(labels, Double(u.blocks) * Double(u.blockSize))
                free.add(labels, Double(u.blocksFree) * Double(u.blockSize))
                avail.add(labels, Double(u.blocksAvailable) * Double(u.blockSize))
                files.add(labels, Double(u.files))
                filesFree.add(labels, Double(u.filesFree))
            case .failed(let error):
                deviceError.add(labels, 1)
                context.logger.debug("statfs failed", ["mountpoint": mount.mountPoint, "error": error.description])
            case .timedOut:
                deviceError.add(labels, 1)
                context.logger.warn("mount point is not responding, skipping it until statfs returns",
                                    ["mountpoint": mount.mountPoint, "timeout": "\(mountTimeout)s"])
            case .stuck:
                deviceError.add(labels, 1)
            }
        }
        return [size, free, avail, files, filesFree, readonly, deviceError]
    }
}
