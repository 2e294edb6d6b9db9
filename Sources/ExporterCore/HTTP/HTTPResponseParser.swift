/// An HTTP/1.1 response as the Docker API client needs it: status, header fields, decoded body.
struct ClientResponse: Sendable, Equatable {
    var status: Int
    /// Field names lowercased (RFC 9110 §5.1: case-insensitive), in arrival order.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    static func == (a: ClientResponse, b: ClientResponse) -> Bool {
        a.status == b.status && a.body == b.body && a.headers.elementsEqual(b.headers) { $0 == $1 }
    }
}

/// Why a response could not be read.
enum HTTPResponseError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformed(String)
    /// The head or the decoded body exceeds the configured limit.
    case tooLarge(limit: Int)
    /// The peer closed the connection before the framing said the message ends.
    case truncated

    var description: String {
        switch self {
        case .malformed(let what): "malformed HTTP response: \(what)"
        case .tooLarge(let limit): "HTTP response larger than \(limit) bytes"
        case .truncated: "HTTP response truncated by the peer"
        }
    }
}

/// Parses a whole response from bytes (RFC 9112), so it is tested on raw text and the socket code
/// only accumulates. `parse` returns nil while more bytes are needed; call it again after each read,
/// with `atEOF` once the peer has closed (a body without framing ends there, RFC 9112 §6.3 rule 8).
struct HTTPResponseParser: Sendable {
    /// Largest decoded body accepted: a daemon (or a container name) must not make the exporter
    /// allocate without bound.
    var bodyLimit: Int
    /// Largest status line plus header section.
    var headLimit: Int = 64 * 1024

    init(bodyLimit: Int) { self.bodyLimit = bodyLimit }

    func parse(_ bytes: [UInt8], atEOF: Bool) throws(HTTPResponseError) -> ClientResponse? {
        guard let headEnd = Self.endOfHead(bytes) else {
            if bytes.count > headLimit { throw .tooLarge(limit: headLimit) }
            if atEOF { throw bytes.isEmpty ? .truncated : .malformed("no end of header section") }
            return nil
        }
        if headEnd.headerEnd > headLimit { throw .tooLarge(limit: headLimit) }
        let (status, parsedHeaders) = try Self.parseHead(bytes[0..<headEnd.headerEnd])
        var headers = parsedHeaders
        let bodyStart = headEnd.bodyStart
        let response: ClientResponse
        // RFC 9112 §6.3: 1xx, 204 and 304 have no body; Transfer-Encoding beats Content-Length.
        if status == 204 || status == 304 || (100..<200).contains(status) {
            return ClientResponse(status: status, headers: headers, body: [])
        } else if let coding = headers.first(where: { $0.name == "transfer-encoding" })?.value {
            guard coding.lowercased().split(separator: ",").last?.trimmingSpacesAndTabs == "chunked" else {
                throw .malformed("transfer coding \(coding.prefix(32))")
            }
            guard let (body, trailers) = try decodeChunked(bytes, from: bodyStart, atEOF: atEOF) else { return nil }
            headers.append(contentsOf: trailers)
            response = ClientResponse(status: status, headers: headers, body: body)
        } else if let lengthText = headers.first(where: { $0.name == "content-length" })?.value {
            guard lengthText.utf8.count <= 18, let length = Int(lengthText), length >= 0 else {
                throw .malformed("content-length \(lengthText.prefix(32))")
            }
            if length > bodyLimit { throw .tooLarge(limit: bodyLimit) }
            guard bytes.count - bodyStart >= length else {
                if atEOF { throw .truncated }
                return nil
            }
            response = ClientResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length]))
        } else {
            if bytes.count - bodyStart > bodyLimit { throw .tooLarge(limit: bodyLimit) }
            guard atEOF else { return nil }
            response = ClientResponse(status: status, headers: headers, body: Array(bytes[bodyStart...]))
        }
        return response
    }

    /// Where the blank line ends the head: CRLF CRLF, or bare LF LF (RFC 9112 §2.2 lets a
    /// recipient accept LF alone).
    static func endOfHead(_ bytes: [UInt8]) -> (headerEnd: Int, bodyStart: Int)? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 10 {
                if i + 1 < bytes.count && bytes[i + 1] == 10 { return (i, i + 2) }
                if i + 2 < bytes.count && bytes[i + 1] == 13 && bytes[i + 2] == 10 { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// Status line (RFC 9112 §4) and field lines (§5).
    static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPResponseError) -> (Int, [(name: String, value: String)]) {
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        guard !lines.isEmpty else { throw .malformed("empty head") }
        let statusLine = lines.removeFirst()
        // "HTTP/1.x SP 3DIGIT SP reason"
        let prefix = Array("HTTP/1.".utf8)
        guard statusLine.count >= 12, statusLine.starts(with: prefix) else {
            throw .malformed("status line \"\(String(decoding: statusLine.prefix(32), as: UTF8.self))\"")
        }
        let base = statusLine.startIndex
        let digits = statusLine[(base + 9)..<(base + 12)]
        guard statusLine[base + 8] == 32, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              statusLine.count == 12 || statusLine[base + 12] == 32
        else { throw .malformed("status line \"\(String(decoding: statusLine.prefix(32), as: UTF8.self))\"") }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex else {
                throw .malformed("field line \"\(String(decoding: line.prefix(32), as: UTF8.self))\"")
            }
            let name = line[line.startIndex..<colon]
            // RFC 9112 §5.1: no whitespace between the field name and the colon.
            guard !name.contains(32), !name.contains(9) else { throw .malformed("space in field name") }
            let value = line[(colon + 1)...].trimmingOWS
            headers.append((String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self)))
        }
        return (status, headers)
    }

    /// Chunked transfer coding, RFC 9112 §7.1. Nil while incomplete.
    private func decodeChunked(_ bytes: [UInt8], from start: Int, atEOF: Bool) throws(HTTPResponseError) -> ([UInt8], [(name: String, value: String)])? {
        var body: [UInt8] = []
        var i = start
        while true {
            guard let lineEnd = Self.lineEnd(bytes, from: i) else {
                if bytes.count - i > 1024 { throw .malformed("chunk size line too long") }
                if atEOF { throw .truncated }
                return nil
            }
            let size = try Self.chunkSize(bytes[i..<lineEnd.contentEnd])
            i = lineEnd.next
            if size == 0 {
                guard let trailers = try trailerSection(bytes, from: i, bodyStart: start, atEOF: atEOF) else { return nil }
                return (body, trailers)
            }
            if body.count + size > bodyLimit { throw .tooLarge(limit: bodyLimit) }
            guard bytes.count - i >= size + 1 else {
                if atEOF { throw .truncated }
                return nil
            }
            body.append(contentsOf: bytes[i..<i + size])
            i += size
            // The CRLF after the chunk data.
            if bytes[i] == 10 {
                i += 1
            } else if bytes[i] == 13 {
                guard i + 1 < bytes.count else {
                    if atEOF { throw .truncated }
                    return nil
                }
                guard bytes[i + 1] == 10 else { throw .malformed("chunk data not followed by CRLF") }
                i += 2
            } else {
                throw .malformed("chunk data longer than its size")
            }
        }
    }

    /// chunk-size [ chunk-ext ]: hex digits, then optional ";ext" (ignored).
    static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPResponseError) -> Int {
        var size = 0, digits = 0, j = line.startIndex
        while j < line.endIndex, let value = hexValue(line[j]) {
            digits += 1
            guard digits <= 15 else { throw .malformed("chunk size too long") }
            size = size * 16 + value
            j += 1
        }
        guard digits > 0 else { throw .malformed("chunk size") }
        while j < line.endIndex && (line[j] == 32 || line[j] == 9) { j += 1 }
        guard j == line.endIndex || line[j] == 59 else { throw .malformed("chunk size") }
        return size
    }

    /// The trailer fields after the last chunk, up to the final empty line; nil while incomplete.
    private func trailerSection(
        _ bytes: [UInt8], from first: Int, bodyStart: Int, atEOF: Bool
    ) throws(HTTPResponseError) -> [(name: String, value: String)]? {
        var trailers: [(name: String, value: String)] = []
        var i = first
        while true {
            guard let end = Self.lineEnd(bytes, from: i) else {
                if atEOF { throw .truncated }
                return nil
            }
            if end.contentEnd == i { return trailers }
            let line = bytes[i..<end.contentEnd]
            if let colon = line.firstIndex(of: 58) {
                trailers.append((String(decoding: line[..<colon], as: UTF8.self).lowercased(),
                                 String(decoding: line[(colon + 1)...].trimmingOWS, as: UTF8.self)))
            }
            i = end.next
            if i - bodyStart > bodyLimit + 64 * 1024 { throw .tooLarge(limit: bodyLimit) }
        }
    }

    private static func lineEnd(_ bytes: [UInt8], from start: Int) -> (contentEnd: Int, next: Int)? {
        var i = start
        while i < bytes.count {
            if bytes[i] == 10 { return (i > start && bytes[i - 1] == 13 ? i - 1 : i, i + 1) }
            i += 1
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 65...70: Int(byte - 55)
        case 97...102: Int(byte - 87)
        default: nil
        }
    }
}

extension ArraySlice<UInt8> {
    /// Without leading and trailing optional whitespace (SP / HTAB, RFC 9110 §5.6.3).
    fileprivate var trimmingOWS: ArraySlice<UInt8> {
        var s = self
        while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
        while let l = s.last, l == 32 || l == 9 { s = s.dropLast() }
        return s
    }
}
