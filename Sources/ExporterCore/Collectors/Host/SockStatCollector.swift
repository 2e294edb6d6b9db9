/// `node_sockstat_<PROTO>_<field>` (gauges) from /proc/net/sockstat and sockstat6; `mem` counts
/// pages, so `_mem_bytes` is added with the page size, as node_exporter does.
struct SockStatCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var fields = try parseSockStat(proc.read("net/sockstat"), file: "net/sockstat")
        if let text = try? proc.read("net/sockstat6") { fields += try parseSockStat(text, file: "net/sockstat6") }
        var families: [MetricFamily] = []
        families.reserveCapacity(fields.count + 2)
        for f in fields {
            let name = "node_sockstat_\(f.proto)_\(f.field)"
            families.append(MetricFamily(
                FamilyDescriptor(name: name, type: .gauge, help: "Number of \(f.proto) sockets in state \(f.field)."), value: f.value))
            if f.field == "mem" {
                families.append(MetricFamily(
                    FamilyDescriptor(name: name + "_bytes", type: .gauge, help: "Number of \(f.proto) sockets in state mem_bytes.", unit: "bytes"),
                    value: f.value * Double(HostConstants.pageSize)))
            }
        }
        return families
    }
}
