/// Which status codes count as success: `2xx` (blackbox's default `valid_status_codes`), exact
/// codes, classes, joined with `|` (`200|301|4xx`).
struct ExpectedStatus: Sendable, Equatable {
    /// Exact codes, and classes as their hundreds digit.
    var codes: [Int]
    var classes: [Int]

    static let success = ExpectedStatus(codes: [], classes: [2])

    static func parse(_ text: String) throws(HTTPEndpoint.ParseError) -> ExpectedStatus {
        var expected = ExpectedStatus(codes: [], classes: [])
        for part in text.split(separator: "|", omittingEmptySubsequences: false) {
            let lower = part.lowercased()
            if lower.count == 3, lower.hasSuffix("xx"), let digit = lower.first?.wholeNumberValue, (1...5).contains(digit) {
                expected.classes.append(digit)
            } else if let code = Int(part), (100...599).contains(code) {
                expected.codes.append(code)
            } else {
                throw HTTPEndpoint.ParseError(description: "invalid expect \"\(text)\": use codes or classes joined by |, e.g. 2xx or 200|301")
            }
        }
        return expected
    }

    func accepts(_ status: Int) -> Bool { codes.contains(status) || classes.contains(status / 100) }
}

/// One `--http.endpoint` or `/probe?module=http&target=` item: what to request and how to judge it.
struct HTTPEndpoint: Sendable {
    enum Method: String, Sendable, CaseIterable { case GET, HEAD }

    var url: HTTPURL
    /// The URL as configured; the `target` label.
    var text: String
    /// The `name` label; the URL when not given.
    var name: String
    var expect = ExpectedStatus.success
    var method = Method.GET
    var headers: [HTTPField] = []
    /// `body-regex`: the body must match (blackbox `fail_if_body_not_matches_regexp`).
    var bodyRegex: BodyRegex?
    /// Skip certificate verification (blackbox `tls_config.insecure_skip_verify`).
    var insecure = false
    /// PEM bundle trusted instead of the system store.
    var caFile: String?

    struct ParseError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    static let optionKeys = ["name", "expect", "method", "header", "body-regex", "insecure", "ca"]

    init(url: HTTPURL, text: String) {
        self.url = url
        self.text = text
        self.name = text
    }

    /// `URL[,name=…][,expect=2xx][,method=GET|HEAD][,header=Name: value][,body-regex=…][,insecure][,ca=FILE]`.
    /// A comma starts an option only before a known key, so commas inside a URL, a header value or
    /// a regex stay where they are (`header=Accept: a, b`).
    static func parse(_ text: String) throws(ParseError) -> HTTPEndpoint {
        let pieces = splitOptions(text)
        guard let first = pieces.first else { throw ParseError(description: "empty endpoint") }
        var endpoint: HTTPEndpoint
        do { endpoint = HTTPEndpoint(url: try HTTPURL.parse(first), text: first) } catch { throw ParseError(description: error.description) }
        for option in pieces.dropFirst() {
            let eq = option.firstIndex(of: "=")
            let key = eq.map { String(option[..<$0]) } ?? option
            let value = eq.map { String(option[option.index(after: $0)...]) } ?? ""
            try endpoint.apply(key: key, value: value, hasValue: eq != nil)
        }
        return endpoint
    }

    private mutating func apply(key: String, value: String, hasValue: Bool) throws(ParseError) {
        switch key {
        case "name":
            guard !value.isEmpty else { throw ParseError(description: "name= needs a value") }
            name = value
        case "expect": expect = try ExpectedStatus.parse(value)
        case "method":
            guard let parsed = Method(rawValue: value.uppercased()) else { throw ParseError(description: "invalid method \"\(value)\"; known: GET, HEAD") }
            method = parsed
        case "header": headers.append(try Self.header(value))
        case "body-regex":
            do { bodyRegex = try BodyRegex(value) } catch { throw ParseError(description: error.description) }
        case "insecure":
            guard !hasValue || value == "true" || value == "false" else { throw ParseError(description: "insecure takes no value (or true/false)") }
            insecure = !hasValue || value == "true"
        case "ca":
            guard !value.isEmpty else { throw ParseError(description: "ca= needs a file") }
            guard (try? FileReader.readBytes(value, limit: 16 << 20)) != nil else { throw ParseError(description: "cannot read the CA file \(value)") }
            caFile = value
        default:
            throw ParseError(description: "unknown option \"\(key)\"; known: \(Self.optionKeys.joined(separator: ", "))")
        }
    }

    /// `Name: value`, a token name (RFC 9110 §5.1) and a value without CR or LF (no header injection).
    static func header(_ text: String) throws(ParseError) -> HTTPField {
        guard let colon = text.firstIndex(of: ":") else { throw ParseError(description: "header \"\(text)\" is not Name: value") }
        let name = text[..<colon], value = text[text.index(after: colon)...].trimmingSpacesAndTabs
        let token = name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
        guard !name.isEmpty, token, !value.utf8.contains(13), !value.utf8.contains(10) else {
            throw ParseError(description: "invalid header \"\(text.prefix(100))\"")
        }
        return HTTPField(name: String(name), value: String(value))
    }

    /// Splits at the commas that precede `key=` (lower-case letters and `-`) or `insecure`; other
    /// commas stay in the piece before. An unknown key is thus an error, not part of the URL: a
    /// URL whose query has `,key=` writes that comma as `%2C`.
    static func splitOptions(_ text: String) -> [String] {
        var pieces: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let key = part.prefix { $0 != "=" }
            let looksLikeKey = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 45 }
            let startsOption = (looksLikeKey && part.contains("=")) || key == "insecure"
            if pieces.isEmpty || startsOption { pieces.append(String(part)) } else { pieces[pieces.count - 1] += "," + part }
        }
        return pieces
    }

    /// The request head; `Host` and `User-Agent` unless the configured headers set them.
    func requestHead(for url: HTTPURL) -> [UInt8] {
        var head = "\(method.rawValue) \(url.pathAndQuery) HTTP/1.1\r\n"
        let names = Set(headers.map { $0.name.lowercased() })
        if !names.contains("host") { head += "Host: \(url.authority)\r\n" }
        if !names.contains("user-agent") { head += "User-Agent: stack_exporter\r\n" }
        for field in headers where field.name.lowercased() != "connection" { head += "\(field.name): \(field.value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8)
    }
}

/// A compiled `body-regex`. Swift's `Regex` syntax accepts the common RE2 patterns blackbox users
/// write (classes, anchors, alternation, `(?i)`); it is compiled once at start-up so a bad pattern
/// fails there.
struct BodyRegex: @unchecked Sendable {
    // Regex<AnyRegexOutput> is immutable after compilation and matching only reads it; the
    // standard library does not mark it Sendable yet.
    let regex: Regex<AnyRegexOutput>
    let pattern: String

    struct CompileError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ pattern: String) throws(CompileError) {
        guard !pattern.isEmpty else { throw CompileError(description: "body-regex= needs a pattern") }
        do { regex = try Regex(pattern) } catch { throw CompileError(description: "invalid body-regex \"\(pattern)\": \(error)") }
        self.pattern = pattern
    }

    func matches(_ body: [UInt8]) -> Bool {
        String(decoding: body, as: UTF8.self).contains(regex)
    }
}
