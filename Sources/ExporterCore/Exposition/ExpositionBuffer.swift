/// Byte-level output shared by the two writers: escaping and number formatting.
///
/// A scrape writes ~50 KB in thousands of small pieces, so the buffer is raw memory written with
/// memcpy after one capacity check per piece: an `[UInt8]` checked uniqueness and capacity on
/// every byte appended, which made rendering a fifth of a host scrape's instructions.
struct ExpositionBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Where a label array of three or more pairs was written already, by its storage address.
    /// Collectors share one array among the families of a row (a PostgreSQL table's labels stand
    /// in ~20 families, a mount's in 7): it is escaped once and then copied from the output. The
    /// addresses stay valid because the families being written keep every array alive.
    private var renderedLabels: [UnsafeRawPointer: (start: Int, count: Int)] = [:]

    init(capacity: Int) {
        self.capacity = max(capacity, 256)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far (one copy).
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func write(_ source: UnsafeBufferPointer<UInt8>) {
        reserve(source.count)
        if let address = source.baseAddress { (base + count).update(from: address, count: source.count) }
        count += source.count
    }

    /// Names and label values are native or small strings, whose bytes are contiguous: one copy.
    @inline(__always)
    mutating func append(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { write($0) }
        if copied == nil { for byte in text.utf8 { append(byte) } }
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Label values escape `\`, `"` and newline in both formats (exposition_formats.md).
    mutating func appendLabelValue(_ value: String) {
        // Almost no value needs escaping: scan the contiguous bytes and copy them in one go.
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { raw in
            for byte in raw where byte == 0x5C || byte == 0x22 || byte == 0x0A { return false }
            write(raw)
            return true
        }
        if copied == true { return }
        for byte in value.utf8 {
            switch byte {
            case 0x5C: append(0x5C); append(0x5C)
            case 0x22: append(0x5C); append(0x22)
            case 0x0A: append(0x5C); append(UInt8(ascii: "n"))
            default: append(byte)
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
            append(help)
            return
        }
        for byte in help.utf8 {
            switch byte {
            case 0x5C: append(0x5C); append(0x5C)
            case 0x0A: append(0x5C); append(UInt8(ascii: "n"))
            case 0x22 where escapeQuotes: append(0x5C); append(0x22)
            case 0x0D: append(0x20)  // a raw CR would end the line for some parsers
            default: append(byte)
            }
        }
    }

    mutating func appendLabels(_ labels: [Label]) {
        guard !labels.isEmpty else { return }
        guard labels.count >= 3, let address = labels.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) }) else {
            writeLabels(labels)
            return
        }
        if let earlier = renderedLabels[address] {
            reserve(earlier.count)
            (base + count).update(from: base + earlier.start, count: earlier.count)
            count += earlier.count
            return
        }
        let start = count
        writeLabels(labels)
        renderedLabels[address] = (start, count - start)
    }

    private mutating func writeLabels(_ labels: [Label]) {
        append(UInt8(ascii: "{"))
        for (i, label) in labels.enumerated() {
            if i > 0 { append(UInt8(ascii: ",")) }
            append(label.name)
            append(UInt8(ascii: "="))
            append(UInt8(ascii: "\""))
            appendLabelValue(label.value)
            append(UInt8(ascii: "\""))
        }
        append(UInt8(ascii: "}"))
    }

    /// One line per sample: `name{labels} value`.
    mutating func appendSamples(of family: MetricFamily) {
        let name = family.descriptor.name
        for sample in family.samples {
            append(name)
            if !sample.suffix.isEmpty { append(sample.suffix) }
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
        reserve(20)  // "-9223372036854775808"
        if value < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt64 = 10
        while digits < 19 && magnitude >= scale { digits += 1; scale &*= 10 }
        var position = count + digits
        repeat {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count += digits
    }
}
