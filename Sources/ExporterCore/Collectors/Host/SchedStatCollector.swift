enum SchedStatMetrics {
    static let running = FamilyDescriptor(
        name: "node_schedstat_running_seconds_total", type: .counter,
        help: "Number of seconds CPU spent running a process.", unit: "seconds", labels: ["cpu"])
    static let waiting = FamilyDescriptor(
        name: "node_schedstat_waiting_seconds_total", type: .counter,
        help: "Number of seconds spent by processing waiting for this CPU.", unit: "seconds", labels: ["cpu"])
    static let timeslices = FamilyDescriptor(
        name: "node_schedstat_timeslices_total", type: .counter,
        help: "Number of timeslices executed by CPU.", labels: ["cpu"])
}

/// `node_schedstat_*{cpu}` from /proc/schedstat. Kernels without CONFIG_SCHEDSTATS have no file:
/// nothing, as node_exporter's ErrNoData.
struct SchedStatCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let text = try proc.readIfPresent("schedstat") else { return [] }
        let parsed = parseSchedStat(text)
        parsed.logRejected(context.logger)
        var running = MetricFamily(SchedStatMetrics.running), waiting = MetricFamily(SchedStatMetrics.waiting)
        var slices = MetricFamily(SchedStatMetrics.timeslices)
        for row in parsed.rows {
            running.add([row.cpu], row.runningSeconds)
            waiting.add([row.cpu], row.waitingSeconds)
            slices.add([row.cpu], row.timeslices)
        }
        return parsed.rows.isEmpty ? [] : [running, waiting, slices]
    }
}
