enum ARPMetrics {
    static let entries = FamilyDescriptor(name: "node_arp_entries", type: .gauge, help: "ARP entries by device", labels: ["device"])
}

/// `node_arp_entries{device}` from /proc/net/arp (node_exporter 1.5 reads the same file; later
/// versions default to netlink, with the same counts). No file (no IPv4) gives nothing.
struct ARPCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let text = try proc.readIfPresent("net/arp") else { return [] }
        let parsed = parseARPEntries(text)
        parsed.logRejected(context.logger)
        var family = MetricFamily(ARPMetrics.entries)
        for row in parsed.rows { family.add([row.device], row.entries) }
        return family.samples.isEmpty ? [] : [family]
    }
}
