enum VMStatMetrics {
    // node_exporter v1.12.1 default (collector/vmstat_linux.go).
    static let defaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*"
    static let fields = Flag.string(
        "collector.vmstat.fields", default: defaultFields, help: "Regexp of fields to return for vmstat collector.",
        group: "Host", placeholder: "<regex>")
    static let flags: [FlagSpec] = [fields.spec]
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
