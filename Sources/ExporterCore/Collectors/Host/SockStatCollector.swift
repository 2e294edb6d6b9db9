/// `node_sockstat_<PROTO>_<field>` (gauges) from /proc/net/sockstat and sockstat6; `mem` counts
/// pages, so `_mem_bytes` is added with the page size, as node_exporter does.
struct SockStatCollector: ProcFSCollector {
    let proc: ProcFS
    /// The families of each field, worked out again only when the files' names change.
    private let layouts = (v4: SockStatLayoutCache(), v6: SockStatLayoutCache())

    init(proc: ProcFS) { self.proc = proc }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        families.reserveCapacity(24)
        try add(proc.read("net/sockstat"), file: "net/sockstat", layout: layouts.v4, to: &families)
        if let text = try? proc.read("net/sockstat6") {
            try add(text, file: "net/sockstat6", layout: layouts.v6, to: &families)
        }
        return families
    }

    private func add(_ text: String, file: String, layout: SockStatLayoutCache, to families: inout [MetricFamily]) throws(ParseError) {
        try text.withBytes { bytes throws(ParseError) in
            var scanner = ByteFields(bytes)
            var key: [UInt8] = []
            let fields = try scanSockStat(&scanner, file: file, key: &key)
            let descriptors = layout.value(for: key) {
                fields.map { Self.descriptors(proto: scanner.text($0.proto), field: scanner.text($0.field)) }
            }
            for (field, described) in zip(fields, descriptors) {
                families.append(MetricFamily(described.value, value: field.value))
                if let bytes = described.bytes {
                    families.append(MetricFamily(bytes, value: field.value * Double(HostConstants.pageSize)))
                }
            }
        }
    }

    static func descriptors(proto: String, field: String) -> SockStatDescriptors {
        let name = "node_sockstat_\(proto)_\(field)"
        let value = FamilyDescriptor(name: name, type: .gauge, help: "Number of \(proto) sockets in state \(field).")
        guard field == "mem" else { return SockStatDescriptors(value: value, bytes: nil) }
        let bytes = FamilyDescriptor(
            name: name + "_bytes", type: .gauge, help: "Number of \(proto) sockets in state mem_bytes.", unit: "bytes")
        return SockStatDescriptors(value: value, bytes: bytes)
    }
}

/// A sockstat field's family, and for `mem` (pages) the `_mem_bytes` one.
struct SockStatDescriptors: Sendable {
    let value: FamilyDescriptor
    let bytes: FamilyDescriptor?
}

typealias SockStatLayoutCache = LastResult<[UInt8], [SockStatDescriptors]>
