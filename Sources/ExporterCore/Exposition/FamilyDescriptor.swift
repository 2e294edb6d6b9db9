/// The metric types of the Prometheus data model.
public enum MetricType: String, Sendable {
    case counter, gauge, untyped, histogram, summary
}

/// What a metric family is, declared once beside the collector that emits it: name, type, help
/// and the label names its samples carry (swift-prometheus' MetricDescriptor requires help too).
public struct FamilyDescriptor: Sendable, Equatable {
    public let name: String
    public let type: MetricType
    public let help: String
    /// The base unit (`seconds`, `bytes`, …) written as `# UNIT` in OpenMetrics when the name ends with it.
    public let unit: String
    public let labels: [String]

    public init(name: String, type: MetricType, help: String, unit: String = "", labels: [String] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.labels = labels
    }
}

/// Metric and label name rules from the Prometheus data model
/// (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
public enum MetricNames {
    public static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Label names: `[a-zA-Z_][a-zA-Z0-9_]*`, and `__` is reserved for Prometheus itself.
    public static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first && !name.hasPrefix("__")
    }

    /// Turns a name that comes from outside (a Docker label, a setting) into a valid label or
    /// metric name: invalid characters become `_`, a leading digit gets a `_` prefix, as cAdvisor's
    /// `container_label_` sanitising does.
    public static func sanitize(_ raw: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count + 1)
        for byte in raw.utf8 {
            out.append(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") ? byte : UInt8(ascii: "_"))
        }
        if let first = out.first, isDigit(first) { out.insert(UInt8(ascii: "_"), at: 0) }
        if out.isEmpty { return "_" }
        return String(decoding: out, as: UTF8.self)
    }

    static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// Label values from the outside world (mount points, container names) may hold bytes that are
/// not UTF-8; Prometheus rejects a whole scrape for one such byte (prometheus#4803). They are
/// repaired with U+FFFD here and the repair is counted.
public enum LabelText {
    public static func decode(_ bytes: some Collection<UInt8>, repairs: ExpositionStats? = nil) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if let repairs, !isExactCopy(text, of: bytes) { repairs.recordRepairedLabelValue() }
        return text
    }

    private static func isExactCopy(_ text: String, of bytes: some Collection<UInt8>) -> Bool {
        text.utf8.count == bytes.count && text.utf8.elementsEqual(bytes)
    }
}
