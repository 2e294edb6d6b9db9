enum MemInfoMetrics {
    /// cAdvisor's name, which container dashboards divide by.
    static let machineMemory = FamilyDescriptor(
        name: "machine_memory_bytes", type: .gauge, help: "Amount of memory installed on the machine (MemTotal, as cAdvisor).",
        unit: "bytes")
}

/// Every /proc/meminfo field as `node_memory_<Field>[_bytes]` (gauges, as node_exporter), plus
/// cAdvisor's `machine_memory_bytes` from MemTotal. The names are worked out once per distinct
/// set of lines (`LineLayoutCache`); a scrape reads the numbers.
struct MemInfoCollector: ProcFSCollector {
    let proc: ProcFS
    private let layout = LineLayoutCache()

    init(proc: ProcFS) { self.proc = proc }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let text = try proc.read("meminfo")
        let families = try text.withBytes { bytes throws(ParseError) -> [MetricFamily] in try self.families(bytes) }
        guard !families.isEmpty else { throw CollectorError("\(proc.path("meminfo")): empty") }
        return families
    }

    private func families(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> [MetricFamily] {
        var scanner = ByteFields(bytes)
        var key: [UInt8] = []
        let lines = try scanMemInfo(&scanner, key: &key)
        let descriptors = try layout.value(for: key) { () throws(ParseError) in
            lines.map { line in
                let name = MemInfoNames.name(scanner.text(line.name), kB: line.kB)
                return FamilyDescriptor(name: "node_memory_" + name, type: .gauge, help: "Memory information field \(name).",
                                        unit: line.kB ? "bytes" : "")
            }
        }
        var families: [MetricFamily] = []
        families.reserveCapacity(descriptors.count + 1)
        for (index, descriptor) in descriptors.enumerated() {
            guard let descriptor else { continue }
            families.append(MetricFamily(descriptor, value: lines[index].value))
            if descriptor.name == "node_memory_MemTotal_bytes" {
                families.append(MetricFamily(MemInfoMetrics.machineMemory, value: lines[index].value))
            }
        }
        return families
    }
}
