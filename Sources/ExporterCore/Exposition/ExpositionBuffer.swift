/// Byte-level output shared by the two writers: escaping and number formatting.
struct ExpositionBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Names and label values are native or small strings, whose bytes are contiguous: one copy
    /// of the buffer instead of the element-by-element sequence append.
    @inline(__always)
    mutating func append(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: text.utf8) }
    }
    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Label values escape `\`, `"` and newline in both formats (exposition_formats.md).
    mutating func appendLabelValue(_ value: String) {
        // Almost no value needs escaping: scan the contiguous bytes and copy them in one go (the
        // generic UTF8View scan cost more than the copy, with thousands of values per scrape).
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { raw in
            for byte in raw where byte == 0x5C || byte == 0x22 || byte == 0x0A { return false }
            bytes.append(contentsOf: raw)
            return true
        }
        if copied == true { return }
        if copied == nil && !value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) {
            bytes.append(contentsOf: value.utf8)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            default: bytes.append(byte)
            }
        }
    }

    /// HELP of a descriptor: most need no escaping, which the descriptor knows already.
    mutating func appendHelp(of descriptor: FamilyDescriptor, escapeQuotes: Bool) {
        if descriptor.helpIsPlain {
            append(descriptor.help)
        } else {
            appendHelp(descriptor.help, escapeQuotes: escapeQuotes)
        }
    }

    /// HELP escapes `\` and newline; OpenMetrics also escapes `"`.
    mutating func appendHelp(_ help: String, escapeQuotes: Bool) {
        if !help.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x0D || (escapeQuotes && $0 == 0x22) }) {
            bytes.append(contentsOf: help.utf8)
            return
        }
        for byte in help.utf8 {
            switch byte {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x22 where escapeQuotes: bytes.append(0x5C); bytes.append(0x22)
            case 0x0D: bytes.append(0x20)  // a raw CR would end the line for some parsers
            default: bytes.append(byte)
            }
        }
    }

    mutating func appendLabels(_ labels: [Label]) {
        guard !labels.isEmpty else { return }
        bytes.append(UInt8(ascii: "{"))
        for (i, label) in labels.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            append(label.name)
            bytes.append(UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "\""))
            appendLabelValue(label.value)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// One line per sample: `name{labels} value`.
    mutating func appendSamples(of family: MetricFamily) {
        for sample in family.samples {
            append(family.descriptor.name)
            append(sample.suffix)
            appendLabels(sample.labels)
            append(UInt8(ascii: " "))
            appendValue(sample.value)
            append(UInt8(ascii: "\n"))
        }
    }

    /// `NaN`, `+Inf`, `-Inf`; integers below 2^53 without a fraction; others in Swift's shortest
    /// round-trip form (`0.25`, `1e-05`, `1.5e+20`), which Go's ParseFloat and Python accept.
    mutating func appendValue(_ value: Double) {
        if value.isNaN { append("NaN"); return }
        if value.isInfinite { append(value > 0 ? "+Inf" : "-Inf"); return }
        if value == value.rounded(.towardZero) && Swift.abs(value) < 9.007199254740992e15 {
            appendInteger(Int64(value))
            return
        }
        append(value.description)
    }

    mutating func appendInteger(_ value: Int64) {
        if value == 0 { bytes.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        bytes[start...].reverse()
    }
}
