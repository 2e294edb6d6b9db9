/// Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
public enum TextFormat {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders normalized families (see `Normalizer`). `capacity`: the expected size, e.g. the
    /// last body's, so the buffer is not regrown and copied on the way.
    public static func render(_ families: [MetricFamily], capacity: Int = 0) -> [UInt8] {
        var out = ExpositionBuffer(capacity: max(capacity, families.count * 160))
        for family in families {
            let d = family.descriptor
            if !d.help.isEmpty {
                out.append("# HELP ")
                out.append(d.name)
                out.append(UInt8(ascii: " "))
                out.appendHelp(of: d, escapeQuotes: false)
                out.append(UInt8(ascii: "\n"))
            }
            out.append("# TYPE ")
            out.append(d.name)
            out.append(UInt8(ascii: " "))
            out.append(d.type.rawValue)
            out.append(UInt8(ascii: "\n"))
            out.appendSamples(of: family)
        }
        return out.bytes
    }

    public static func render(text families: [MetricFamily]) -> String {
        String(decoding: render(families), as: UTF8.self)
    }
}
