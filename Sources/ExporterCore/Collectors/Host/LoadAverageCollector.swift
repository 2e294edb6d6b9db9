enum LoadMetrics {
    static let load1 = FamilyDescriptor(name: "node_load1", type: .gauge, help: "1m load average.")
    static let load5 = FamilyDescriptor(name: "node_load5", type: .gauge, help: "5m load average.")
    static let load15 = FamilyDescriptor(name: "node_load15", type: .gauge, help: "15m load average.")
}

/// `node_load1`, `node_load5`, `node_load15`.
struct LoadAverageCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let load = try parseLoadAverage(proc.read("loadavg"))
        return [
            MetricFamily(LoadMetrics.load1, value: load.one),
            MetricFamily(LoadMetrics.load5, value: load.five),
            MetricFamily(LoadMetrics.load15, value: load.fifteen),
        ]
    }
}
