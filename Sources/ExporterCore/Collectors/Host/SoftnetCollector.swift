enum SoftnetMetrics {
    static let processed = counter("processed_total", "Number of processed packets")
    static let dropped = counter("dropped_total", "Number of dropped packets")
    static let timesSqueezed = counter("times_squeezed_total", "Number of times processing packets ran out of quota")
    static let cpuCollision = counter("cpu_collision_total", "Number of collision occur while obtaining device lock while transmitting")
    static let receivedRPS = counter("received_rps_total", "Number of times cpu woken up received_rps")
    static let flowLimitCount = counter("flow_limit_count_total", "Number of times flow limit has been reached")
    static let backlogLength = FamilyDescriptor(
        name: "node_softnet_backlog_len", type: .gauge, help: "Softnet backlog status", labels: ["cpu"])

    private static func counter(_ name: String, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_softnet_" + name, type: .counter, help: help, labels: ["cpu"])
    }
}

/// `node_softnet_*{cpu}` from /proc/net/softnet_stat: node_exporter 1.5's three counters, and the
/// four later versions add (cpu_collision, received_rps, flow_limit_count — which Node Exporter
/// Full graphs — and backlog_len) when the kernel prints those columns.
struct SoftnetCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let text = try proc.readIfPresent("net/softnet_stat") else { return [] }
        let parsed = parseSoftnetStat(text)
        parsed.logRejected(context.logger)
        var processed = MetricFamily(SoftnetMetrics.processed), dropped = MetricFamily(SoftnetMetrics.dropped)
        var squeezed = MetricFamily(SoftnetMetrics.timesSqueezed), collision = MetricFamily(SoftnetMetrics.cpuCollision)
        var rps = MetricFamily(SoftnetMetrics.receivedRPS), flowLimit = MetricFamily(SoftnetMetrics.flowLimitCount)
        var backlog = MetricFamily(SoftnetMetrics.backlogLength)
        for row in parsed.rows {
            processed.add([row.cpu], row.processed)
            dropped.add([row.cpu], row.dropped)
            squeezed.add([row.cpu], row.timeSqueezed)
            if let value = row.cpuCollision { collision.add([row.cpu], value) }
            if let value = row.receivedRPS { rps.add([row.cpu], value) }
            if let value = row.flowLimitCount { flowLimit.add([row.cpu], value) }
            if let value = row.backlogLength { backlog.add([row.cpu], value) }
        }
        return [processed, dropped, squeezed, collision, rps, flowLimit, backlog].filter { !$0.samples.isEmpty }
    }
}
