/// Parses an HTTP/1.1 request head from bytes, never from a socket, so tests feed it raw text
/// (RFC 9112). Strict where leniency enables request smuggling, lenient where RFC 9112 allows it.
public struct RequestParser: Sendable {
    /// Request line plus header fields; beyond it the answer is 431 (RFC 6585 §5).
    public var maxHeadBytes: Int
    public var maxHeaderCount: Int

    public init(maxHeadBytes: Int = 8192, maxHeaderCount: Int = 100) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Eight CRLF pairs: more than any client sends between pipelined requests.
    static let maxLeadingEmptyLineBytes = 16

    public struct Failure: Error, Sendable, Equatable {
        public let status: HTTPStatus
        public let reason: String
    }

    public enum Outcome: Sendable {
        /// More bytes are needed.
        case incomplete
        /// A request and the number of bytes its head used.
        case request(HTTPRequest, consumed: Int)
        /// The connection must be answered with this status and closed.
        case failure(Failure)
    }

    public func parse(_ bytes: ArraySlice<UInt8>) -> Outcome {
        var start = bytes.startIndex
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the
        // request line. A few are skipped; a stream of them is an attack, not a client.
        while start < bytes.endIndex && (bytes[start] == 0x0D || bytes[start] == 0x0A) {
            start += 1
            if start - bytes.startIndex > Self.maxLeadingEmptyLineBytes {
                return fail(.badRequest, "too many empty lines before the request line")
            }
        }
        guard start < bytes.endIndex else { return .incomplete }
        if bytes[start] == 0x16 { return fail(.badRequest, "TLS handshake on a plain HTTP port") }
        if startsHTTP2Preface(bytes[start...]) { return fail(.badRequest, "HTTP/2 is not served on this port") }
        guard let end = endOfHead(bytes, from: start) else {
            return bytes.endIndex - start > maxHeadBytes ? fail(.headersTooLarge, "request head larger than \(maxHeadBytes) bytes") : .incomplete
        }
        guard end.headEnd - start <= maxHeadBytes else { return fail(.headersTooLarge, "request head larger than \(maxHeadBytes) bytes") }
        switch parseHead(bytes[start..<end.headEnd]) {
        case .success(let request): return .request(request, consumed: end.consumedEnd - bytes.startIndex)
        case .failure(let failure): return .failure(failure)
        }
    }

    private func fail(_ status: HTTPStatus, _ reason: String) -> Outcome {
        .failure(Failure(status: status, reason: reason))
    }

    private func startsHTTP2Preface(_ bytes: ArraySlice<UInt8>) -> Bool {
        let preface = Array("PRI * HTTP/2.0".utf8)
        let n = min(bytes.count, preface.count)
        return n >= 4 && bytes.prefix(n).elementsEqual(preface.prefix(n))
    }

    /// Finds the empty line that ends the head (CRLF CRLF, or bare LF per RFC 9112 §2.2).
    private func endOfHead(_ bytes: ArraySlice<UInt8>, from start: Int) -> (headEnd: Int, consumedEnd: Int)? {
        var lineStart = start
        var i = start
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                let lineLength = i - lineStart
                if lineLength == 0 || (lineLength == 1 && bytes[lineStart] == 0x0D) {
                    return (lineStart, i + 1)
                }
                lineStart = i + 1
            }
            i += 1
        }
        return nil
    }

    private func parseHead(_ head: ArraySlice<UInt8>) -> Result<HTTPRequest, Failure> {
        var lines: [ArraySlice<UInt8>] = []
        for line in head.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = line
            if line.last == 0x0D { line = line.dropLast() }
            // A CR anywhere else is a bare CR: RFC 9112 §2.2 says reject or replace; we reject.
            if line.contains(0x0D) { return .failure(Failure(status: .badRequest, reason: "bare CR in request head")) }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return .failure(Failure(status: .badRequest, reason: "empty request")) }
        let fields = lines.dropFirst()
        guard fields.count <= maxHeaderCount else {
            return .failure(Failure(status: .headersTooLarge, reason: "more than \(maxHeaderCount) header fields"))
        }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(Failure(status: .badRequest, reason: "malformed request line")) }
        guard let method = token(parts[0]) else { return .failure(Failure(status: .badRequest, reason: "malformed method")) }
        guard let minor = httpMinorVersion(parts[2]) else {
            return .failure(Failure(status: .badRequest, reason: "unsupported protocol version"))
        }
        guard let (path, query) = parseTarget(parts[1]) else {
            return .failure(Failure(status: .badRequest, reason: "malformed request target"))
        }
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(fields.count)
        for field in fields {
            guard let header = parseField(field) else {
                return .failure(Failure(status: .badRequest, reason: "malformed header field"))
            }
            headers.append(header)
        }
        let request = HTTPRequest(
            method: method, target: String(decoding: parts[1], as: UTF8.self), path: path, query: query,
            minorVersion: minor, headers: headers)
        if let failure = checkFraming(request) { return .failure(failure) }
        return .success(request)
    }

    /// Framing rules that keep this server and any proxy in front of it in agreement.
    private func checkFraming(_ request: HTTPRequest) -> Failure? {
        let hosts = request.headers.filter { $0.name == "host" }
        // RFC 9112 §3.2: 400 for a missing Host in HTTP/1.1 or more than one.
        if hosts.count > 1 || (request.minorVersion >= 1 && hosts.isEmpty) {
            return Failure(status: .badRequest, reason: hosts.isEmpty ? "missing Host header" : "more than one Host header")
        }
        let lengths = request.headers.filter { $0.name == "content-length" }.map(\.value)
        let chunked = request.headers.contains { $0.name == "transfer-encoding" }
        // RFC 9112 §6.1: Transfer-Encoding with Content-Length is a smuggling attempt.
        if chunked && !lengths.isEmpty { return Failure(status: .badRequest, reason: "Transfer-Encoding together with Content-Length") }
        if chunked { return Failure(status: .contentTooLarge, reason: "request bodies are not accepted") }
        guard !lengths.isEmpty else { return nil }
        let values = Set(lengths.flatMap { $0.split(separator: ",").map { String($0.trimmingSpacesAndTabs) } })
        guard values.count == 1, let text = values.first, !text.isEmpty, text.utf8.allSatisfy(MetricNames.isDigit) else {
            return Failure(status: .badRequest, reason: "invalid Content-Length")
        }
        if text.utf8.contains(where: { $0 != UInt8(ascii: "0") }) {
            return Failure(status: .contentTooLarge, reason: "request bodies are not accepted")
        }
        return nil
    }

    /// tchar, RFC 9110 §5.6.2.
    private func token(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.allSatisfy(Self.isTokenChar) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isTokenChar(_ b: UInt8) -> Bool {
        if MetricNames.isLetter(b) || MetricNames.isDigit(b) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    /// `HTTP/1.x`; anything else (HTTP/2.0 preface, HTTP/0.9, garbage) is refused.
    private func httpMinorVersion(_ bytes: ArraySlice<UInt8>) -> Int? {
        let text = Array(bytes)
        guard text.count == 8, text.starts(with: Array("HTTP/1.".utf8)), MetricNames.isDigit(text[7]) else { return nil }
        return Int(text[7] - 0x30)
    }

    private func parseField(_ line: ArraySlice<UInt8>) -> HTTPHeader? {
        // Obsolete line folding (RFC 9112 §5.2) and whitespace before the colon (§5.1) are rejected.
        guard let colon = line.firstIndex(of: 0x3A), let name = token(line[line.startIndex..<colon]) else { return nil }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        // Field values: visible characters, SP, HTAB and obs-text; no NUL or other controls.
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { return nil }
        return HTTPHeader(name.lowercased(), String(decoding: value, as: UTF8.self))
    }

    /// origin-form `/path?query`, or absolute-form `http://host/path?query` (RFC 9112 §3.2).
    private func parseTarget(_ bytes: ArraySlice<UInt8>) -> (String, [(name: String, value: String)])? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        var target = bytes
        if target.first != UInt8(ascii: "/") {
            let text = String(decoding: target, as: UTF8.self).lowercased()
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else { return nil }
            let afterScheme = target.dropFirst(text.hasPrefix("http://") ? 7 : 8)
            guard let slash = afterScheme.firstIndex(of: UInt8(ascii: "/")) else { return ("/", []) }
            target = afterScheme[slash...]
        }
        let question = target.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = target[target.startIndex..<(question ?? target.endIndex)]
        guard let path = PercentDecoding.decode(rawPath, plusIsSpace: false) else { return nil }
        var query: [(name: String, value: String)] = []
        if let question {
            for pair in target[(question + 1)...].split(separator: UInt8(ascii: "&")) {
                let eq = pair.firstIndex(of: UInt8(ascii: "="))
                guard let name = PercentDecoding.decode(pair[pair.startIndex..<(eq ?? pair.endIndex)], plusIsSpace: true),
                      let value = PercentDecoding.decode(eq.map { pair[($0 + 1)...] } ?? [], plusIsSpace: true)
                else { return nil }
                query.append((name, value))
            }
        }
        return (path, query)
    }
}

enum PercentDecoding {
    static func decode(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusIsSpace && b == UInt8(ascii: "+") ? 0x20 : b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
