enum PressureMetrics {
    static let cpuWaiting = counter("cpu_waiting", "Total time in seconds that processes have waited for CPU time")
    static let cpuStalled = counter("cpu_stalled", "Total time in seconds no process could make progress due to CPU congestion")
    static let ioWaiting = counter("io_waiting", "Total time in seconds that processes have waited due to IO congestion")
    static let ioStalled = counter("io_stalled", "Total time in seconds no process could make progress due to IO congestion")
    static let memoryWaiting = counter("memory_waiting", "Total time in seconds that processes have waited for memory")
    static let memoryStalled = counter("memory_stalled", "Total time in seconds no process could make progress due to memory congestion")
    static let irqStalled = counter("irq_stalled", "Total time in seconds no process could make progress due to IRQ congestion")

    private static func counter(_ name: String, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_pressure_\(name)_seconds_total", type: .counter, help: help, unit: "seconds")
    }
}

/// Pressure stall information (`node_pressure_*`) from /proc/pressure. Kernels without PSI (or
/// booted with psi=0) have no such files: the collector then returns nothing, not an error.
/// `cpu` "full" (kernel ≥ 5.13, always 0 system-wide) is left out, as node_exporter does.
struct PressureCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        let resources: [(String, FamilyDescriptor?, FamilyDescriptor?)] = [
            ("cpu", PressureMetrics.cpuWaiting, nil),
            ("io", PressureMetrics.ioWaiting, PressureMetrics.ioStalled),
            ("memory", PressureMetrics.memoryWaiting, PressureMetrics.memoryStalled),
            ("irq", nil, PressureMetrics.irqStalled),  // kernel ≥ 6.1 with CONFIG_IRQ_TIME_ACCOUNTING
        ]
        for (resource, some, full) in resources {
            // EOPNOTSUPP (95): the kernel has PSI but was booted with psi=0.
            guard let text = try proc.readIfPresent("pressure/" + resource, alsoAbsentFor: [95]) else { continue }
            let totals = try parsePressure(text, file: "pressure/" + resource)
            if let some, let value = totals.someSeconds { families.append(MetricFamily(some, value: value)) }
            if let full, let value = totals.fullSeconds { families.append(MetricFamily(full, value: value)) }
        }
        return families
    }
}
