enum MDAdmMetrics {
    static let state = FamilyDescriptor(
        name: "node_md_state", type: .gauge, help: "Indicates the state of md-device.", labels: ["device", "state"])
    static let disks = FamilyDescriptor(
        name: "node_md_disks", type: .gauge, help: "Number of active/failed/spare disks of device.", labels: ["device", "state"])
    static let disksRequired = FamilyDescriptor(
        name: "node_md_disks_required", type: .gauge, help: "Total number of disks of device.", labels: ["device"])
    static let blocks = FamilyDescriptor(
        name: "node_md_blocks", type: .gauge, help: "Total number of blocks on device.", labels: ["device"])
    static let blocksSynced = FamilyDescriptor(
        name: "node_md_blocks_synced", type: .gauge, help: "Number of blocks synced on device.", labels: ["device"])
    /// node_md_state's label values and the parsed state each stands for.
    static let states = [("active", "active"), ("inactive", "inactive"), ("recovering", "recovering"),
                         ("resync", "resyncing"), ("check", "checking")]
}

/// `node_md_*{device}` (Linux software RAID) from /proc/mdstat, as node_exporter 1.5. No file (the
/// md driver not loaded, as on this VM) gives nothing; an array whose lines do not parse is left
/// out (node_exporter fails the whole collector).
struct MDAdmCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let text = try proc.readIfPresent("mdstat") else { return [] }
        let parsed = parseMDStat(text)
        parsed.logRejected(context.logger)
        guard !parsed.rows.isEmpty else { return [] }
        var state = MetricFamily(MDAdmMetrics.state), disks = MetricFamily(MDAdmMetrics.disks)
        var required = MetricFamily(MDAdmMetrics.disksRequired), blocks = MetricFamily(MDAdmMetrics.blocks)
        var synced = MetricFamily(MDAdmMetrics.blocksSynced)
        for array in parsed.rows {
            required.add([array.name], array.disksTotal)
            disks.add([array.name, "active"], array.disksActive)
            disks.add([array.name, "failed"], array.disksFailed)
            disks.add([array.name, "spare"], array.disksSpare)
            for (label, parsedState) in MDAdmMetrics.states { state.add([array.name, label], array.state == parsedState ? 1 : 0) }
            blocks.add([array.name], array.blocks)
            synced.add([array.name], array.blocksSynced)
        }
        return [required, disks, state, blocks, synced]
    }
}
