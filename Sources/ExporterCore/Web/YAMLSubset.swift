/// The part of YAML 1.2 that web-config.yml files use: block mappings nested by indentation, block
/// sequences (`- item`), flow sequences of scalars (`[a, b]`), empty flow collections (`{}`, `[]`),
/// plain, single- and double-quoted scalars, and `#` comments. Anything else (anchors, tags, block
/// scalars, multi-line flow) is an error with its line number rather than a guess, since the file
/// guards who may read the metrics. No YAML package: this is all the file format needs.
struct YAMLValue: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case scalar(String, quoted: Bool)
        case mapping([YAMLEntry])
        case sequence([YAMLValue])
        /// `key:` with nothing under it (YAML's null).
        case empty
    }

    var kind: Kind
    var line: Int
}

struct YAMLEntry: Sendable, Equatable {
    var key: String
    var line: Int
    var value: YAMLValue
}

/// A file that is not valid (or not supported) YAML, or whose values are wrong: where and what.
public struct WebConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    /// 0 when the problem is not on one line (a missing key, an unreadable file).
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

struct YAMLSubsetParser {
    private struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    private let file: String
    private var lines: [Line] = []
    private var index = 0

    /// Parses a whole document; an empty one is an empty mapping.
    static func parse(_ text: String, file: String) throws(WebConfigError) -> YAMLValue {
        var parser = YAMLSubsetParser(file: file)
        try parser.split(text)
        guard let first = parser.lines.first else { return YAMLValue(kind: .mapping([]), line: 1) }
        guard first.indent == 0 else { throw parser.error(first.number, "the document must start at column 1") }
        let root = try parser.block(indent: 0)
        if parser.index < parser.lines.count {
            throw parser.error(parser.lines[parser.index].number, "bad indentation")
        }
        return root
    }

    private init(file: String) { self.file = file }

    private func error(_ line: Int, _ message: String) -> WebConfigError {
        WebConfigError(file: file, line: line, message)
    }

    // MARK: lines

    /// Splits into significant lines: comments and blank lines dropped, indentation measured.
    /// YAML forbids tabs in indentation (YAML 1.2 §6.1), and a tab anywhere else in this subset
    /// is more likely a mistake than meant, so both are errors.
    private mutating func split(_ text: String) throws(WebConfigError) {
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.contains("\t") { throw error(number, "tab character (indent with spaces)") }
            let stripped = try stripComment(line, line: number)
            let indent = stripped.prefix { $0 == " " }.count
            var content = stripped.dropFirst(indent)
            while content.last == " " { content = content.dropLast() }
            if content.isEmpty { continue }
            if indent == 0 && (content == "---" || content == "...") {
                guard lines.isEmpty || content == "..." else { throw error(number, "only one YAML document is allowed") }
                continue
            }
            lines.append(Line(number: number, indent: indent, text: content))
        }
    }

    /// The line without its comment: `#` starts one at the line start or after a space, outside
    /// quotes (YAML 1.2 §6.6).
    private func stripComment(_ line: Substring, line number: Int) throws(WebConfigError) -> Substring {
        var quote: Character? = nil
        var previous: Character = " "
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if let open = quote {
                if open == "\"" && c == "\\" {
                    i = line.index(after: i)
                    if i == line.endIndex { break }
                } else if c == open {
                    let next = line.index(after: i)
                    if open == "'" && next < line.endIndex && line[next] == "'" {
                        i = next  // '' is an escaped quote, not the end
                    } else {
                        quote = nil
                    }
                }
            } else if c == "#" && previous == " " {
                return line[..<i]
            } else if (c == "\"" || c == "'") && " [,:-{".contains(previous) {
                quote = c
            }
            previous = c
            i = line.index(after: i)
        }
        if quote != nil { throw error(number, "unterminated quoted string (multi-line strings are not supported)") }
        return line
    }

    // MARK: blocks

    /// A mapping or sequence whose lines start at exactly `indent`.
    private mutating func block(indent: Int) throws(WebConfigError) -> YAMLValue {
        let first = lines[index]
        if isSequenceItem(first.text) { return try sequence(indent: indent) }
        var entries: [YAMLEntry] = []
        while index < lines.count, lines[index].indent == indent {
            let line = lines[index]
            guard !isSequenceItem(line.text) else { throw error(line.number, "a list item where a key was expected") }
            let (key, rest) = try keyAndRest(line.text, line: line.number)
            if entries.contains(where: { $0.key == key }) { throw error(line.number, "duplicate key \"\(key)\"") }
            index += 1
            let value = try value(after: rest, line: line.number, parentIndent: indent)
            entries.append(YAMLEntry(key: key, line: line.number, value: value))
        }
        if index < lines.count, lines[index].indent > indent {
            throw error(lines[index].number, "bad indentation")
        }
        return YAMLValue(kind: .mapping(entries), line: first.number)
    }

    /// The value of `key: rest`: inline, or the block under it (more indented; a sequence may also
    /// sit at the key's own indentation, as YAML allows).
    private mutating func value(after rest: Substring, line: Int, parentIndent: Int) throws(WebConfigError) -> YAMLValue {
        if !rest.isEmpty { return try inline(rest, line: line) }
        guard index < lines.count else { return YAMLValue(kind: .empty, line: line) }
        let next = lines[index]
        if next.indent > parentIndent { return try block(indent: next.indent) }
        if next.indent == parentIndent && isSequenceItem(next.text) { return try sequence(indent: parentIndent) }
        return YAMLValue(kind: .empty, line: line)
    }

    private mutating func sequence(indent: Int) throws(WebConfigError) -> YAMLValue {
        let start = lines[index].number
        var items: [YAMLValue] = []
        while index < lines.count, lines[index].indent == indent, isSequenceItem(lines[index].text) {
            let line = lines[index]
            let rest = line.text.dropFirst().drop { $0 == " " }
            index += 1
            if rest.isEmpty {
                guard index < lines.count, lines[index].indent > indent else {
                    items.append(YAMLValue(kind: .empty, line: line.number))
                    continue
                }
                items.append(try block(indent: lines[index].indent))
            } else {
                if isMappingLine(rest) { throw error(line.number, "mappings inside list items are not supported") }
                items.append(try inline(rest, line: line.number))
            }
        }
        if index < lines.count, lines[index].indent > indent { throw error(lines[index].number, "bad indentation") }
        return YAMLValue(kind: .sequence(items), line: start)
    }

    private func isSequenceItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

    private func isMappingLine(_ text: Substring) -> Bool {
        guard let first = text.first, first != "\"", first != "'", first != "[", first != "{" else { return false }
        return text.contains(": ") || text.hasSuffix(":")
    }

    /// `key: rest` with a plain or quoted key.
    private func keyAndRest(_ text: Substring, line: Int) throws(WebConfigError) -> (String, Substring) {
        var key: String
        var after: Substring
        if let quote = text.first, quote == "\"" || quote == "'" {
            (key, after) = try quoted(text, line: line)
        } else {
            guard let colon = plainKeyEnd(text) else { throw error(line, "expected \"key: value\"") }
            key = String(text[..<colon])
            after = text[colon...]
            while key.last == " " { key.removeLast() }
            if let first = key.first, "&*!|>%@`?".contains(first) {
                throw error(line, "unsupported YAML syntax \"\(first)\" (anchors, tags and complex keys are not supported)")
            }
        }
        guard after.first == ":" else { throw error(line, "expected \":\" after the key") }
        let rest = after.dropFirst()
        guard rest.isEmpty || rest.first == " " else { throw error(line, "expected a space after \":\"") }
        return (key, rest.drop { $0 == " " })
    }

    /// The colon that ends a plain key: the first one followed by a space or the line end.
    private func plainKeyEnd(_ text: Substring) -> Substring.Index? {
        var i = text.startIndex
        while i < text.endIndex {
            let next = text.index(after: i)
            if text[i] == ":" && (next == text.endIndex || text[next] == " ") { return i }
            i = next
        }
        return nil
    }

    // MARK: scalars

    /// A value on the same line as its key or dash.
    private func inline(_ text: Substring, line: Int) throws(WebConfigError) -> YAMLValue {
        if text == "{}" { return YAMLValue(kind: .mapping([]), line: line) }
        if text.first == "[" { return try flowSequence(text, line: line) }
        let scalar = try self.scalar(text, line: line)
        return YAMLValue(kind: .scalar(scalar.text, quoted: scalar.quoted), line: line)
    }

    private func scalar(_ text: Substring, line: Int) throws(WebConfigError) -> (text: String, quoted: Bool) {
        if let quote = text.first, quote == "\"" || quote == "'" {
            let (value, rest) = try quoted(text, line: line)
            guard rest.drop(while: { $0 == " " }).isEmpty else { throw error(line, "text after a quoted string") }
            return (value, true)
        }
        guard let first = text.first else { return ("", false) }
        if "&*!|>%@`{".contains(first) {
            throw error(line, "unsupported YAML syntax \"\(first)\" (anchors, tags, block scalars and flow mappings are not supported)")
        }
        if plainKeyEnd(text) != nil { throw error(line, "a mapping value is not allowed here (quote the string)") }
        return (String(text), false)
    }

    /// A quoted scalar at the start of `text` and what follows it. Single quotes escape `'` as
    /// `''`; double quotes take the common backslash escapes (YAML 1.2 §7.3).
    private func quoted(_ text: Substring, line: Int) throws(WebConfigError) -> (String, Substring) {
        let quote = text[text.startIndex]
        var result = ""
        var i = text.index(after: text.startIndex)
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == quote {
                if quote == "'" && next < text.endIndex && text[next] == "'" {
                    result.append("'")
                    i = text.index(after: next)
                    continue
                }
                return (result, text[next...])
            }
            if quote == "\"" && c == "\\" {
                guard next < text.endIndex else { break }
                result.append(try escape(text[next], line: line))
                i = text.index(after: next)
                continue
            }
            result.append(c)
            i = next
        }
        throw error(line, "unterminated quoted string")
    }

    private func escape(_ c: Character, line: Int) throws(WebConfigError) -> Character {
        switch c {
        case "\"": "\""
        case "\\": "\\"
        case "/": "/"
        case "n": "\n"
        case "t": "\t"
        case "r": "\r"
        case "0": "\0"
        case " ": " "
        default: throw error(line, "unsupported escape \"\\\(c)\" in a double-quoted string")
        }
    }

    /// `[a, "b", 'c']` on one line: scalars only.
    private func flowSequence(_ text: Substring, line: Int) throws(WebConfigError) -> YAMLValue {
        guard text.last == "]" else { throw error(line, "a flow list must close with \"]\" on the same line") }
        var body = text.dropFirst().dropLast().drop { $0 == " " }
        var items: [YAMLValue] = []
        while !body.isEmpty {
            var item: (text: String, quoted: Bool)
            if let quote = body.first, quote == "\"" || quote == "'" {
                let (value, rest) = try quoted(body, line: line)
                item = (value, true)
                body = rest.drop { $0 == " " }
            } else {
                let end = body.firstIndex(of: ",") ?? body.endIndex
                var plain = body[..<end]
                while plain.last == " " { plain = plain.dropLast() }
                if let first = plain.first, "[]{}&*!|>".contains(first) {
                    throw error(line, "nested collections in a flow list are not supported")
                }
                item = (String(plain), false)
                body = body[end...]
            }
            if item.text.isEmpty && !item.quoted { throw error(line, "empty item in a flow list") }
            items.append(YAMLValue(kind: .scalar(item.text, quoted: item.quoted), line: line))
            guard body.isEmpty || body.first == "," else { throw error(line, "expected \",\" between flow list items") }
            body = body.dropFirst().drop { $0 == " " }
        }
        return YAMLValue(kind: .sequence(items), line: line)
    }
}
