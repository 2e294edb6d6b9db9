/// OpenMetrics 1.0.0 text format (https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md).
///
/// Prometheus asks for OpenMetrics first by default, so the series names must be the same as in
/// the 0.0.4 format or the community dashboards break. A counter whose name does not end in
/// `_total` (postgres_exporter's `pg_stat_database_xact_commit`, for one) would have to be renamed
/// to `…_total` in OpenMetrics; it is declared `unknown` instead and keeps its name.
public enum OpenMetricsFormat {
    public static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    public static func render(_ families: [MetricFamily], capacity: Int = 0) -> [UInt8] {
        var out = ExpositionBuffer(capacity: max(capacity, families.count * 180 + 8))
        for family in families {
            let d = family.descriptor
            let (base, type) = declaration(of: d)
            if !d.help.isEmpty {
                out.append("# HELP ")
                out.append(base)
                out.append(UInt8(ascii: " "))
                out.appendHelp(of: d, escapeQuotes: true)
                out.append(UInt8(ascii: "\n"))
            }
            out.append("# TYPE ")
            out.append(base)
            out.append(UInt8(ascii: " "))
            out.append(type)
            out.append(UInt8(ascii: "\n"))
            if !d.unit.isEmpty && base.hasSuffix("_" + d.unit) {
                out.append("# UNIT ")
                out.append(base)
                out.append(UInt8(ascii: " "))
                out.append(d.unit)
                out.append(UInt8(ascii: "\n"))
            }
            out.appendSamples(of: family)
        }
        out.append("# EOF\n")
        return out.bytes
    }

    /// The family name and type to declare: counters drop `_total` from the family name.
    static func declaration(of d: FamilyDescriptor) -> (String, String) {
        switch d.type {
        case .counter:
            if d.name.hasSuffix("_total") && d.name.count > 6 { return (String(d.name.dropLast(6)), "counter") }
            return (d.name, "unknown")
        case .gauge: return (d.name, "gauge")
        case .untyped: return (d.name, "unknown")
        case .histogram: return (d.name, "histogram")
        case .summary: return (d.name, "summary")
        }
    }
}
