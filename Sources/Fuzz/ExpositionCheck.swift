@testable import ExporterCore

/// Families built from fuzz input: names, types, help, units, label names and values and sample
/// values all come from the bytes, so escaping, the normalizer's repairs and number formatting
/// see what containers, databases and files could put there.
enum ExpositionFuzz {
    static func run(_ bytes: [UInt8]) {
        var input = ByteSource(bytes)
        var families: [MetricFamily] = []
        let types: [MetricType] = [.counter, .gauge, .untyped, .histogram, .summary]
        while !input.isEmpty && families.count < 6 {
            let name = input.chunk()
            let type = types[Int(input.byte() % UInt8(types.count))]
            let labelNames = (0..<Int(input.byte() % 4)).map { _ in input.chunk() }
            let descriptor = FamilyDescriptor(name: name, type: type, help: input.chunk(), unit: input.chunk(), labels: labelNames)
            var family = MetricFamily(descriptor)
            for _ in 0..<Int(input.byte() % 5) {
                let value = input.value()
                if input.byte() & 1 == 0 {
                    family.samples.append(Sample(descriptor, labelNames.map { _ in input.chunk() }, value: value))
                } else {
                    let labels = (0..<Int(input.byte() % 4)).map { _ in Label(input.chunk(), input.chunk()) }
                    // Suffixes are set by code, never from input: the ones histograms and summaries use.
                    let suffixes = ["", "_bucket", "_sum", "_count"]
                    family.samples.append(Sample(labels: labels, value: value, suffix: suffixes[Int(input.byte()) % suffixes.count]))
                }
            }
            families.append(family)
        }
        ExpositionCheck.renderAndCheck(families)
    }
}

/// Reads fuzz bytes as a little language: a chunk is a length byte and that many bytes.
struct ByteSource {
    private var rest: ArraySlice<UInt8>
    init(_ bytes: [UInt8]) { rest = bytes[...] }
    var isEmpty: Bool { rest.isEmpty }

    mutating func byte() -> UInt8 { rest.popFirst() ?? 0 }

    mutating func chunk() -> String {
        let count = Int(byte() % 24)
        let taken = rest.prefix(count)
        rest = rest.dropFirst(count)
        return String(decoding: taken, as: UTF8.self)
    }

    mutating func value() -> Double {
        let special: [Double] = [0, 1, -1, .nan, .infinity, -.infinity, 0.25, 1e-5, 1.5e20, -0.0, 9.007199254740992e15,
                                 -9.007199254740993e15, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 123456789.125]
        let pick = Int(byte())
        if pick < 200 { return special[pick % special.count] }
        var bits: UInt64 = 0
        for _ in 0..<8 { bits = bits << 8 | UInt64(byte()) }
        return Double(bitPattern: bits)
    }
}

/// Whether rendered output parses: every line a comment (`# HELP`, `# TYPE`, `# UNIT`, `# EOF`)
/// or `name{labels} value`, with only the escapes each format defines (exposition_formats.md,
/// OpenMetrics 1.0 ABNF), label names valid and unique per sample, and every label value and help
/// text, unescaped, one that was put in (so escaping loses nothing).
enum ExpositionCheck {
    /// `thorough`: both formats and the plan-cache path; otherwise the text format once (the
    /// procfs targets, whose inputs make a hundred families each, would run ten times slower).
    static func renderAndCheck(_ families: [MetricFamily], thorough: Bool = true) {
        let stats = ExpositionStats()
        let normalized = Normalizer.normalize(families, stats: stats)
        var values = Set<String>(), helps = Set<String>()
        for family in normalized {
            helps.insert(String(decoding: family.descriptor.help.utf8.map { $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self))
            for sample in family.samples { for label in sample.labels { values.insert(label.value) } }
        }
        check(TextFormat.render(normalized), openMetrics: false, values: values, helps: helps)
        guard thorough else { return }
        check(OpenMetricsFormat.render(normalized), openMetrics: true, values: values, helps: helps)
        // Once more through the plan cache the server keeps between scrapes.
        let cache = Normalizer.PlanCache()
        for _ in 0..<2 { check(TextFormat.render(Normalizer.normalize(families, stats: stats, cache: cache)), openMetrics: false, values: values, helps: helps) }
    }

    static func check(_ output: [UInt8], openMetrics: Bool, values: Set<String>, helps: Set<String>) {
        let format = openMetrics ? "OpenMetrics" : "text 0.0.4"
        if output.isEmpty { return }
        guard output.last == 0x0A else { violated("\(format) output does not end with a newline") }
        guard String(validating: output, as: UTF8.self) != nil else { violated("\(format) output is not UTF-8") }
        if openMetrics && !output.suffix(6).elementsEqual(Array("# EOF\n".utf8)) { violated("OpenMetrics output without # EOF") }
        var lineNumber = 0
        for line in output.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var cursor = Cursor(line)
            let shown = String(decoding: line.prefix(200), as: UTF8.self).debugDescription
            func fail(_ why: String) -> Never { violated("\(format) line \(lineNumber) \(why): \(shown)") }
            if line.first == UInt8(ascii: "#") {
                if openMetrics && line.elementsEqual(Array("# EOF".utf8)) { continue }
                guard cursor.literal("# ") else { fail("comment without a space") }
                let keyword = cursor.word()
                guard cursor.literal(" "), cursor.metricName() else { fail("bad comment name") }
                switch keyword {
                case "HELP":
                    guard cursor.literal(" ") else { fail("HELP without text") }
                    guard let help = cursor.escaped(until: nil, quotes: openMetrics) else { fail("bad escape in HELP") }
                    guard helps.contains(help) else { fail("HELP text changed by escaping") }
                case "TYPE":
                    let types = openMetrics ? ["counter", "gauge", "unknown", "histogram", "summary"] : ["counter", "gauge", "untyped", "histogram", "summary"]
                    guard cursor.literal(" "), types.contains(cursor.word()), cursor.atEnd else { fail("bad TYPE") }
                case "UNIT" where openMetrics:
                    guard cursor.literal(" "), cursor.labelName() != nil, cursor.atEnd else { fail("bad UNIT") }
                default: fail("unknown comment")
                }
                continue
            }
            guard cursor.metricName() else { fail("no metric name") }
            if cursor.literal("{") {
                var names = Set<String>()
                while !cursor.literal("}") {
                    if !names.isEmpty { guard cursor.literal(",") else { fail("labels not separated by a comma") } }
                    guard let name = cursor.labelName(), names.insert(name).inserted else { fail("bad or repeated label name") }
                    guard cursor.literal("=\""), let value = cursor.escaped(until: UInt8(ascii: "\""), quotes: true) else { fail("bad label value") }
                    guard cursor.literal("\"") else { fail("unterminated label value") }
                    guard values.contains(value) else { fail("label value changed by escaping: \(value.debugDescription)") }
                }
                if names.isEmpty { fail("empty label set") }
            }
            guard cursor.literal(" "), cursor.number(), cursor.atEnd else { fail("bad sample value") }
        }
    }
}

/// A position in one output line.
struct Cursor {
    private let line: ArraySlice<UInt8>
    private var at: Int
    init(_ line: ArraySlice<UInt8>) { self.line = line; at = line.startIndex }

    var atEnd: Bool { at == line.endIndex }
    private var peek: UInt8? { at < line.endIndex ? line[at] : nil }

    mutating func literal(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard line[at...].starts(with: bytes) else { return false }
        at += bytes.count
        return true
    }

    mutating func word() -> String {
        let start = at
        while let b = peek, b != 0x20 { at += 1 }
        return String(decoding: line[start..<at], as: UTF8.self)
    }

    private static func isNameByte(_ b: UInt8, first: Bool, colon: Bool) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || (colon && b == 0x3A) || (!first && b >= 0x30 && b <= 0x39)
    }

    mutating func metricName() -> Bool {
        let start = at
        while let b = peek, Self.isNameByte(b, first: at == start, colon: true) { at += 1 }
        return at > start
    }

    mutating func labelName() -> String? {
        let start = at
        while let b = peek, Self.isNameByte(b, first: at == start, colon: false) { at += 1 }
        return at > start ? String(decoding: line[start..<at], as: UTF8.self) : nil
    }

    /// Unescapes up to `end` (or the end of the line): `\\`, `\n`, and `\"` when `quotes`; a raw
    /// `"` inside a quoted value or any other escape is an error.
    mutating func escaped(until end: UInt8?, quotes: Bool) -> String? {
        var out: [UInt8] = []
        while let b = peek, b != end {
            at += 1
            if b == 0x5C {
                guard let next = peek else { return nil }
                at += 1
                switch next {
                case 0x5C: out.append(0x5C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case 0x22 where quotes: out.append(0x22)
                default: return nil
                }
            } else {
                if b == 0x22 && end == nil && quotes { return nil }
                out.append(b)
            }
        }
        if end != nil && peek != end { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// `NaN`, `+Inf`, `-Inf`, or a decimal float: `-?digits(.digits)?(e[+-]?digits)?`.
    mutating func number() -> Bool {
        if literal("NaN") || literal("+Inf") || literal("-Inf") { return true }
        _ = literal("-")
        func digits() -> Int { let start = at; while let b = peek, b >= 0x30 && b <= 0x39 { at += 1 }; return at - start }
        guard digits() > 0 else { return false }
        if literal(".") { guard digits() > 0 else { return false } }
        if literal("e") || literal("E") {
            if !literal("+") { _ = literal("-") }
            guard digits() > 0 else { return false }
        }
        return true
    }
}
