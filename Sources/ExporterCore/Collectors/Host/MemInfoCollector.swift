enum MemInfoMetrics {
    /// cAdvisor's name, which container dashboards divide by.
    static let machineMemory = FamilyDescriptor(
        name: "machine_memory_bytes", type: .gauge, help: "Amount of memory installed on the machine (MemTotal, as cAdvisor).",
        unit: "bytes")
}

/// Every /proc/meminfo field as `node_memory_<Field>[_bytes]` (gauges, as node_exporter), plus
/// cAdvisor's `machine_memory_bytes` from MemTotal.
struct MemInfoCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let fields = try parseMemInfo(proc.read("meminfo"))
        var families: [MetricFamily] = []
        families.reserveCapacity(fields.count + 1)
        for field in fields {
            let descriptor = FamilyDescriptor(
                name: "node_memory_" + field.name, type: .gauge, help: "Memory information field \(field.name).",
                unit: field.name.hasSuffix("_bytes") ? "bytes" : "")
            families.append(MetricFamily(descriptor, value: field.value))
            if field.name == "MemTotal_bytes" { families.append(MetricFamily(MemInfoMetrics.machineMemory, value: field.value)) }
        }
        guard !families.isEmpty else { throw CollectorError("\(proc.path("meminfo")): empty") }
        return families
    }
}
