enum CPUMetrics {
    static let seconds = FamilyDescriptor(
        name: "node_cpu_seconds_total", type: .counter, help: "Seconds the CPUs spent in each mode.",
        unit: "seconds", labels: ["cpu", "mode"])
    static let guestSeconds = FamilyDescriptor(
        name: "node_cpu_guest_seconds_total", type: .counter,
        help: "Seconds the CPUs spent in guests (VMs) for each mode.", unit: "seconds", labels: ["cpu", "mode"])
    /// cAdvisor's name, which container dashboards divide by.
    static let machineCores = FamilyDescriptor(
        name: "machine_cpu_cores", type: .gauge, help: "Number of logical CPU cores online (as cAdvisor).")
}

/// `node_cpu_seconds_total`, `node_cpu_guest_seconds_total` from /proc/stat, and cAdvisor's
/// `machine_cpu_cores` (the `cpuN` lines are exactly the online CPUs, so no second file is read).
struct CPUCollector: ProcFSCollector {
    let source: ProcStatSource

    init(proc: ProcFS, source: ProcStatSource? = nil) { self.source = source ?? ProcStatSource(proc: proc) }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let stat = try source.stat(for: context)
        guard !stat.cpus.isEmpty else { throw CollectorError("\(source.proc.path("stat")): no cpuN lines") }
        var seconds = MetricFamily(CPUMetrics.seconds)
        seconds.samples.reserveCapacity(stat.cpus.count * 8)
        var guest = MetricFamily(CPUMetrics.guestSeconds)
        guest.samples.reserveCapacity(stat.cpus.count * 2)
        for c in stat.cpus {
            seconds.add([c.cpu, "idle"], c.idle)
            seconds.add([c.cpu, "iowait"], c.iowait)
            seconds.add([c.cpu, "irq"], c.irq)
            seconds.add([c.cpu, "nice"], c.nice)
            seconds.add([c.cpu, "softirq"], c.softirq)
            seconds.add([c.cpu, "steal"], c.steal)
            seconds.add([c.cpu, "system"], c.system)
            seconds.add([c.cpu, "user"], c.user)
            guest.add([c.cpu, "nice"], c.guestNice)
            guest.add([c.cpu, "user"], c.guest)
        }
        return [seconds, guest, MetricFamily(CPUMetrics.machineCores, value: Double(stat.cpus.count))]
    }
}
