enum ConntrackMetrics {
    static let entries = FamilyDescriptor(name: "node_nf_conntrack_entries", type: .gauge, help: "Number of currently allocated flow entries for connection tracking.")
    static let limit = FamilyDescriptor(name: "node_nf_conntrack_entries_limit", type: .gauge, help: "Maximum size of connection tracking table.")
    /// Per-CPU counters of /proc/net/stat/nf_conntrack that node_exporter sums and reports.
    static let stats = ["found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "search_restart"]
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
            let sums = try parseConntrackStat(text)
            for name in ConntrackMetrics.stats {
                guard let value = sums[name] else { continue }
                let descriptor = FamilyDescriptor(name: "node_nf_conntrack_stat_" + name, type: .gauge, help: "Number of conntrack \(name) events (summed over CPUs).")
                families.append(MetricFamily(descriptor, value: value))
            }
        }
        return families
    }
}
