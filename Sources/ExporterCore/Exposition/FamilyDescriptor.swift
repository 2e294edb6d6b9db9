/// The metric types of the Prometheus data model.
public enum MetricType: String, Sendable {
    case counter, gauge, untyped, histogram, summary
}

/// What a metric family is, declared once beside the collector that emits it: name, type, help
/// and the label names its samples carry (swift-prometheus' MetricDescriptor requires help too).
///
/// A class, not a struct: every sample's family carries one, and passing five strings and an array
/// by value cost a retain and release each, several times per family and scrape. What every scrape
/// would otherwise recompute (is the name valid, does the help need escaping) is worked out here,
/// once per descriptor.
public final class FamilyDescriptor: Sendable, Equatable {
    public let name: String
    public let type: MetricType
    public let help: String
    /// The base unit (`seconds`, `bytes`, …) written as `# UNIT` in OpenMetrics when the name ends with it.
    public let unit: String
    public let labels: [String]
    /// `MetricNames.isValidMetricName(name)`.
    let hasValidName: Bool
    /// The help text has no byte that either writer escapes (`\`, newline, CR, `"`).
    let helpIsPlain: Bool
    /// The label names are valid, unique and in the normalizer's order: samples built from this
    /// descriptor's names (`Sample(_:_:value:)`) need no check or sort.
    let labelsAreCanonical: Bool

    public init(name: String, type: MetricType, help: String, unit: String = "", labels: [String] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.labels = labels
        hasValidName = MetricNames.isValidMetricName(name)
        helpIsPlain = !help.utf8.contains { $0 == 0x5C || $0 == 0x0A || $0 == 0x0D || $0 == 0x22 }
        labelsAreCanonical = labels.allSatisfy(MetricNames.isValidLabelName)
            && zip(labels, labels.dropFirst()).allSatisfy { UTF8Order.less($0, $1) }
    }

    public static func == (a: FamilyDescriptor, b: FamilyDescriptor) -> Bool {
        a === b || (a.name == b.name && a.type == b.type && a.help == b.help && a.unit == b.unit && a.labels == b.labels)
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
        // One pass over the bytes (the normalizer checks every label of every sample): the `__`
        // prefix is seen on the way rather than with hasPrefix, which is generic and slow.
        var count = 0
        var leadingUnderscores = 0
        for byte in name.utf8 {
            let ok = isLetter(byte) || byte == UInt8(ascii: "_") || (count > 0 && isDigit(byte))
            if !ok { return false }
            if byte == UInt8(ascii: "_") && leadingUnderscores == count { leadingUnderscores += 1 }
            count += 1
        }
        return count > 0 && leadingUnderscores < 2
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
