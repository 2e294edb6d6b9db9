/// The Prometheus text format 0.0.4 read back, as strictly as prometheus/common's
/// `expfmt.TextParser`, which node_exporter's textfile collector uses: a file that parser refuses
/// is refused here too, with the line and the reason, so moving a textfile directory from
/// node_exporter to stack_exporter changes nothing.
///
/// What it refuses: an invalid metric or label name, a label value that is not a quoted string with
/// the `\\`, `\"` and `\n` escapes only, a value that is not a float, a second HELP or TYPE for a
/// name, a TYPE after that name's samples, an unknown type, a histogram or summary part that does
/// not fit its type (`le`/`quantile` not a float), and garbage after the value and timestamp.
/// Samples with a timestamp are kept and flagged (the textfile collector refuses such files).
enum TextExposition {
    struct Failure: Error, Equatable, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// A family as written in the text: its samples keep the part's suffix (`_bucket`, `_sum`…).
    struct Family: Equatable {
        var name: String
        var help: String?
        var type: MetricType?
        var samples: [Sample] = []
        var hasTimestamps = false
    }

    static func parse(_ bytes: [UInt8]) throws(Failure) -> [Family] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(line: 1, reason: "not valid UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Every line ends with a newline; expfmt refuses a last line without one.
        if let last = lines.last, !last.isEmpty { throw Failure(line: lines.count, reason: "unexpected end of input stream") }
        lines.removeLast()
        var state = ParseState()
        for (index, line) in lines.enumerated() { try state.take(line, number: index + 1) }
        return state.families
    }
}

private struct ParseState {
    var families: [TextExposition.Family] = []
    private var index: [String: Int] = [:]

    /// Blank lines are skipped and any line may be indented; trailing blanks are not trimmed
    /// (after a value expfmt expects a timestamp, and refuses what follows one).
    mutating func take(_ line: Substring, number: Int) throws(TextExposition.Failure) {
        let body = line.drop { $0 == " " || $0 == "\t" }
        if body.isEmpty { return }
        if body.first == "#" {
            try comment(body.dropFirst(), number: number)
        } else {
            try sample(body, number: number)
        }
    }

    private mutating func family(_ name: String) -> Int {
        if let known = index[name] { return known }
        families.append(TextExposition.Family(name: name))
        index[name] = families.count - 1
        return families.count - 1
    }

    /// `# HELP name text`, `# TYPE name type`; any other comment is ignored.
    private mutating func comment(_ body: Substring, number: Int) throws(TextExposition.Failure) {
        var rest = body.trimmingSpacesAndTabs
        let keyword = rest.prefix { $0 != " " && $0 != "\t" }
        guard keyword == "HELP" || keyword == "TYPE" else { return }
        rest = rest.dropFirst(keyword.count).trimmingSpacesAndTabs
        let name = String(rest.prefix { $0 != " " && $0 != "\t" })
        guard MetricNames.isValidMetricName(name) else { throw .init(line: number, reason: "invalid metric name in comment") }
        let value = rest.dropFirst(name.utf8.count).drop { $0 == " " || $0 == "\t" }
        let slot = family(name)
        if keyword == "HELP" {
            guard families[slot].help == nil else { throw .init(line: number, reason: "second HELP line for metric name \"\(name)\"") }
            families[slot].help = try TextUnescape.help(value, line: number)
        } else {
            guard families[slot].type == nil, families[slot].samples.isEmpty else {
                throw .init(line: number, reason: "second TYPE line for metric name \"\(name)\", or TYPE reported after samples")
            }
            guard let type = MetricType(rawValue: String(value.trimmingSpacesAndTabs)) else {
                throw .init(line: number, reason: "unknown metric type \"\(value.trimmingSpacesAndTabs)\"")
            }
            families[slot].type = type
        }
    }

    /// `name{labels} value [timestamp]`.
    private mutating func sample(_ line: Substring, number: Int) throws(TextExposition.Failure) {
        var scanner = SampleScanner(line, line: number)
        let name = try scanner.metricName()
        let labels = try scanner.labels()
        let value = try scanner.value()
        let timestamp = try scanner.timestamp()
        let (slot, suffix) = owner(of: name)
        var family = families[slot]
        if family.type == nil { family.type = .untyped }
        try TextExposition.check(part: suffix, labels: labels, of: family, line: number)
        // A histogram's sample under its bare name has no part to be: expfmt keeps the file and
        // drops the value, and so do we.
        if !(family.type == .histogram && suffix.isEmpty) { family.samples.append(Sample(labels: labels, value: value, suffix: suffix)) }
        family.hasTimestamps = family.hasTimestamps || timestamp
        families[slot] = family
    }

    /// A `_bucket`, `_sum`, `_count` sample belongs to the histogram or summary declared under the
    /// base name; anything else is its own family.
    private mutating func owner(of name: String) -> (slot: Int, suffix: String) {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let slot = index[base], let type = families[slot].type, type == .histogram || (type == .summary && suffix != "_bucket") {
                return (slot, suffix)
            }
        }
        return (family(name), "")
    }
}

extension TextExposition {
    /// The label a histogram bucket or a summary quantile must carry, as a float.
    static func check(part suffix: String, labels: [Label], of family: Family, line: Int) throws(Failure) {
        let required: String? = switch (family.type, suffix) {
        case (.histogram?, "_bucket"): "le"
        case (.summary?, ""): "quantile"
        default: nil
        }
        guard let required else { return }
        guard let text = labels.first(where: { $0.name == required })?.value, SampleScanner.float(Substring(text)) != nil else {
            throw Failure(line: line, reason: "expected float as value for \(required) label")
        }
    }
}

/// One sample line, left to right.
private struct SampleScanner {
    private var rest: Substring
    private let line: Int

    init(_ text: Substring, line: Int) {
        rest = text
        self.line = line
    }

    private func fail(_ reason: String) -> TextExposition.Failure { .init(line: line, reason: reason) }

    mutating func metricName() throws(TextExposition.Failure) -> String {
        let name = String(rest.prefix { $0 != "{" && $0 != " " && $0 != "\t" })
        guard MetricNames.isValidMetricName(name) else { throw fail("invalid metric name") }
        rest = rest.dropFirst(name.utf8.count)
        return name
    }

    mutating func labels() throws(TextExposition.Failure) -> [Label] {
        skipBlanks()
        guard rest.first == "{" else { return [] }
        rest = rest.dropFirst()
        var labels: [Label] = []
        while true {
            skipBlanks()
            if rest.first == "}" { rest = rest.dropFirst(); return labels }
            let name = String(rest.prefix { $0 != "=" && $0 != " " && $0 != "\t" && $0 != "}" })
            guard MetricNames.isValidLabelName(name) else { throw fail("invalid label name \"\(name)\"") }
            guard !labels.contains(where: { $0.name == name }) else { throw fail("duplicate label name \"\(name)\"") }
            rest = rest.dropFirst(name.utf8.count)
            skipBlanks()
            guard rest.first == "=" else { throw fail("expected '=' after label name \"\(name)\"") }
            rest = rest.dropFirst()
            skipBlanks()
            labels.append(Label(name, try quoted()))
            skipBlanks()
            if rest.first == "," { rest = rest.dropFirst(); continue }
            guard rest.first == "}" else { throw fail("expected ',' or '}' after label value") }
        }
    }

    /// A double-quoted label value with `\\`, `\"` and `\n` escapes.
    private mutating func quoted() throws(TextExposition.Failure) -> String {
        guard rest.first == "\"" else { throw fail("expected '\"' at start of label value") }
        rest = rest.dropFirst()
        var value = ""
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "\"": return value
            case "\\":
                guard let escaped = rest.first else { throw fail("unterminated label value") }
                rest = rest.dropFirst()
                switch escaped {
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "n": value.append("\n")
                default: throw fail("invalid escape sequence '\\\(escaped)'")
                }
            default: value.append(character)
            }
        }
        throw fail("unterminated label value")
    }

    mutating func value() throws(TextExposition.Failure) -> Double {
        skipBlanks()
        let token = rest.prefix { $0 != " " && $0 != "\t" }
        guard let value = Self.float(token) else { throw fail("expected float as value, got \"\(token.prefix(32))\"") }
        rest = rest.dropFirst(token.count)
        return value
    }

    /// Whether a timestamp followed. As in expfmt, a blank after the value must be followed by
    /// one, and nothing (not even a blank) may follow it.
    mutating func timestamp() throws(TextExposition.Failure) -> Bool {
        guard !rest.isEmpty else { return false }
        skipBlanks()
        let token = rest.prefix { $0 != " " && $0 != "\t" }
        guard Int64(token) != nil else { throw fail("expected integer as timestamp, got \"\(token.prefix(32))\"") }
        rest = rest.dropFirst(token.count)
        guard rest.isEmpty else { throw fail("spurious string after timestamp") }
        return true
    }

    private mutating func skipBlanks() { rest = rest.drop { $0 == " " || $0 == "\t" } }

    /// Go's strconv.ParseFloat as the text format uses it: decimal and exponent forms, `NaN`,
    /// `Inf`/`+Inf`/`-Inf` in any case.
    static func float(_ token: Substring) -> Double? {
        switch token.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        guard !token.isEmpty, token.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 })
        else { return nil }
        return Double(token)
    }
}

/// HELP text escapes: `\\` and `\n`; other backslashes are an error, as in expfmt.
private enum TextUnescape {
    static func help(_ text: Substring, line: Int) throws(TextExposition.Failure) -> String {
        var out = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else { out.append(character); continue }
            switch iterator.next() {
            case "\\"?: out.append("\\")
            case "n"?: out.append("\n")
            case let other?: throw TextExposition.Failure(line: line, reason: "invalid escape sequence '\\\(other)'")
            case nil: throw TextExposition.Failure(line: line, reason: "help text ends in a backslash")
            }
        }
        return out
    }
}
