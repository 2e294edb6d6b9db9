enum StatMetrics {
    static let bootTime = FamilyDescriptor(name: "node_boot_time_seconds", type: .gauge, help: "Node boot time, in unixtime.", unit: "seconds")
    static let contextSwitches = FamilyDescriptor(name: "node_context_switches_total", type: .counter, help: "Total number of context switches.")
    static let forks = FamilyDescriptor(name: "node_forks_total", type: .counter, help: "Total number of forks.")
    static let interrupts = FamilyDescriptor(name: "node_intr_total", type: .counter, help: "Total number of interrupts serviced.")
    static let procsRunning = FamilyDescriptor(name: "node_procs_running", type: .gauge, help: "Number of processes in runnable state.")
    static let procsBlocked = FamilyDescriptor(name: "node_procs_blocked", type: .gauge, help: "Number of processes blocked waiting for I/O to complete.")
}

/// The non-CPU lines of /proc/stat.
struct StatCollector: ProcFSCollector {
    let source: ProcStatSource

    init(proc: ProcFS, source: ProcStatSource? = nil) { self.source = source ?? ProcStatSource(proc: proc) }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let stat = try source.stat(for: context)
        guard let bootTime = stat.bootTime else { throw CollectorError("\(source.proc.path("stat")): no btime line") }
        var families = [MetricFamily(StatMetrics.bootTime, value: bootTime)]
        let optional: [(FamilyDescriptor, Double?)] = [
            (StatMetrics.contextSwitches, stat.contextSwitches), (StatMetrics.forks, stat.forks),
            (StatMetrics.interrupts, stat.interrupts), (StatMetrics.procsRunning, stat.procsRunning),
            (StatMetrics.procsBlocked, stat.procsBlocked),
        ]
        for (descriptor, value) in optional {
            if let value { families.append(MetricFamily(descriptor, value: value)) }
        }
        return families
    }
}
