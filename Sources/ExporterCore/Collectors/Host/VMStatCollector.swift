enum VMStatMetrics {
    // node_exporter v1.12.1 default (collector/vmstat_linux.go).
    static let defaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*"
    static let flags: [FlagSpec] = [
        FlagSpec("collector.vmstat.fields", kind: .string, default: defaultFields,
                 help: "Regexp of fields to return for vmstat collector.", group: "Host", placeholder: "<regex>"),
    ]
}

/// `node_vmstat_<field>` for the /proc/vmstat fields selected by `--collector.vmstat.fields`;
/// untyped, as node_exporter (some fields are counters, some gauges).
struct VMStatCollector: ProcFSCollector {
    let proc: ProcFS
    let fields: NamePattern

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        for entry in try parseNameValueLines(proc.read("vmstat"), file: "vmstat") {
            let name = String(entry.name)
            guard fields.matches(name) else { continue }
            let descriptor = FamilyDescriptor(name: "node_vmstat_" + name, type: .untyped, help: "/proc/vmstat information field \(name).")
            families.append(MetricFamily(descriptor, value: entry.value))
        }
        return families
    }
}
