enum VMStatMetrics {
    // node_exporter v1.12.1 default (collector/vmstat_linux.go).
    static let defaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*"
    static let flags: [FlagSpec] = [
        FlagSpec("collector.vmstat.fields", kind: .string, default: defaultFields,
                 help: "Regexp of fields to return for vmstat collector.", group: "Host", placeholder: "<regex>"),
    ]
}

/// `node_vmstat_<field>` for the /proc/vmstat fields selected by `--collector.vmstat.fields`;
/// untyped, as node_exporter (some fields are counters, some gauges). The ~180 names and which of
/// them are selected are worked out once (`LineLayoutCache`); a scrape reads the numbers.
struct VMStatCollector: ProcFSCollector {
    let proc: ProcFS
    let fields: NamePattern
    private let layout = LineLayoutCache()

    init(proc: ProcFS, fields: NamePattern) {
        self.proc = proc
        self.fields = fields
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let entries = try NameValueLines.read(proc.read("vmstat"), file: "vmstat", layout: layout) { name in
            fields.matches(name)
                ? FamilyDescriptor(name: "node_vmstat_" + name, type: .untyped, help: "/proc/vmstat information field \(name).")
                : nil
        }
        return entries.map { MetricFamily($0.descriptor, value: $0.value) }
    }
}

/// `name value` lines (/proc/vmstat, /proc/net/snmp6) through a `LineLayoutCache`: the same
/// checks as `parseNameValueLines`, without a String per line.
enum NameValueLines {
    static func read(
        _ text: String, file: String, layout: LineLayoutCache, describe: (String) -> FamilyDescriptor?
    ) throws(ParseError) -> [(descriptor: FamilyDescriptor, value: Double)] {
        try text.withBytes { bytes throws(ParseError) in
            var scanner = ByteFields(bytes)
            var key: [UInt8] = []
            let lines = try scanNameValueLines(&scanner, file: file, key: &key)
            let descriptors = try layout.value(for: key) { () throws(ParseError) in
                lines.map { describe(scanner.text($0.name)) }
            }
            var result: [(descriptor: FamilyDescriptor, value: Double)] = []
            result.reserveCapacity(64)
            for (index, descriptor) in descriptors.enumerated() {
                if let descriptor { result.append((descriptor, lines[index].value)) }
            }
            return result
        }
    }
}
