enum ConntrackMetrics {
    static let entries = FamilyDescriptor(name: "node_nf_conntrack_entries", type: .gauge, help: "Number of currently allocated flow entries for connection tracking.")
    static let limit = FamilyDescriptor(name: "node_nf_conntrack_entries_limit", type: .gauge, help: "Maximum size of connection tracking table.")
    /// Per-CPU counters of /proc/net/stat/nf_conntrack that node_exporter sums and reports.
    static let stats = ["found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "search_restart"]
    static let statFamilies = stats.map {
        FamilyDescriptor(name: "node_nf_conntrack_stat_" + $0, type: .gauge, help: "Number of conntrack \($0) events (summed over CPUs).")
    }
}

/// `node_nf_conntrack_*` when the nf_conntrack module is loaded; nothing (and no error) when not.
struct ConntrackCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let countText = try proc.readIfPresent("sys/net/netfilter/nf_conntrack_count") else {
            return []  // nf_conntrack not loaded
        }
        var families = [MetricFamily(ConntrackMetrics.entries, value: try parseSingleNumber(countText, file: "nf_conntrack_count"))]
        let limit = try parseSingleNumber(proc.read("sys/net/netfilter/nf_conntrack_max"), file: "nf_conntrack_max")
        families.append(MetricFamily(ConntrackMetrics.limit, value: limit))
        if let text = try? proc.read("net/stat/nf_conntrack") {
            try text.withBytes { bytes throws(ParseError) in
                var scanner = ByteFields(bytes)
                let sums = try scanConntrackStat(&scanner)
                for (name, descriptor) in zip(ConntrackMetrics.stats, ConntrackMetrics.statFamilies) {
                    guard let sum = sums.first(where: { scanner.equals($0.name, name) }) else { continue }
                    families.append(MetricFamily(descriptor, value: sum.sum))
                }
            }
        }
        return families
    }
}
