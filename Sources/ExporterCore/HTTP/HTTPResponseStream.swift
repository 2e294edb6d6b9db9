/// The status line and header fields of a response.
struct ResponseHead: Sendable, Equatable {
    var status: Int
    /// 1.0 or 1.1, from the status line (`probe_http_version`).
    var version: Double
    var headers: [HTTPField]

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// A field with its name lowercased (RFC 9110 §5.1).
struct HTTPField: Sendable, Equatable {
    var name: String
    var value: String
}

/// Reads a response as it arrives, without holding its body: a probe needs the head, the decoded
/// body's length and at most the first `keep` bytes of it (the regex window); the rest is counted
/// and dropped. `HTTPResponseParser` keeps whole bodies and suits API clients; this suits probes
/// of pages of any size. Framing per RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304;
/// Transfer-Encoding chunked (§7.1) beats Content-Length; otherwise the body ends at close.
struct HTTPResponseStream: Sendable {
    private enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers(bytes: Int)
        case untilClose
        case done
    }

    let headLimit: Int
    /// Largest decoded body accepted; beyond it the response fails as too large.
    let bodyLimit: Int
    /// How much of the body to keep.
    let keep: Int
    let isHeadRequest: Bool

    private(set) var head: ResponseHead?
    private(set) var bodyLength = 0
    private(set) var kept: [UInt8] = []
    private var state = State.head
    private var pending: [UInt8] = []

    init(bodyLimit: Int, keep: Int, isHeadRequest: Bool = false, headLimit: Int = 64 * 1024) {
        self.bodyLimit = bodyLimit
        self.keep = keep
        self.isHeadRequest = isHeadRequest
        self.headLimit = headLimit
    }

    var isComplete: Bool { state == .done }

    /// Content-Length as Go reports it: the field's value, -1 when absent or chunked.
    var contentLength: Int {
        guard let head, head.header("transfer-encoding") == nil, let text = head.header("content-length"), let n = Int(text) else { return -1 }
        return n
    }

    /// Takes the bytes just read; true once the response is complete.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(HTTPResponseError) -> Bool {
        if state == .untilClose {
            try body(bytes)
            return false
        }
        pending.append(contentsOf: bytes)
        var cursor = 0
        defer { pending.removeFirst(min(cursor, pending.count)) }
        while state != .done, try advance(&cursor) {}
        return state == .done
    }

    /// The peer closed the connection: complete if the framing allows it, else truncated.
    mutating func finish() throws(HTTPResponseError) {
        switch state {
        case .done: return
        case .untilClose: state = .done
        case .head where pending.isEmpty && head == nil: throw .truncated
        case .head: throw head == nil && !pending.isEmpty ? .malformed("no end of header section") : .truncated
        default: throw .truncated
        }
    }

    /// One step of the state machine over `pending[cursor...]`; false when it needs more bytes.
    private mutating func advance(_ cursor: inout Int) throws(HTTPResponseError) -> Bool {
        let available = pending.count - cursor
        switch state {
        case .head: return try readHead(&cursor)
        case .fixed(let remaining):
            let n = min(remaining, available)
            try body(pending[cursor..<cursor + n])
            cursor += n
            state = remaining == n ? .done : .fixed(remaining: remaining - n)
            return remaining == n
        case .chunkSize:
            guard let line = lineEnd(from: cursor) else {
                if available > 1024 { throw .malformed("chunk size line too long") }
                return false
            }
            let size = try HTTPResponseParser.chunkSize(pending[cursor..<line.contentEnd])
            cursor = line.next
            state = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            return true
        case .chunkData(let remaining):
            let n = min(remaining, available)
            try body(pending[cursor..<cursor + n])
            cursor += n
            state = remaining == n ? .chunkEnd : .chunkData(remaining: remaining - n)
            return remaining == n
        case .chunkEnd: return try readChunkEnd(&cursor)
        case .trailers(let seen):
            guard let line = lineEnd(from: cursor) else {
                if seen + available > headLimit { throw .tooLarge(limit: headLimit) }
                return false
            }
            let length = line.next - cursor
            state = line.contentEnd == cursor ? .done : .trailers(bytes: seen + length)
            cursor = line.next
            return true
        case .untilClose:
            try body(pending[cursor...])
            cursor = pending.count
            return false
        case .done: return false
        }
    }

    private mutating func readHead(_ cursor: inout Int) throws(HTTPResponseError) -> Bool {
        let window = Array(pending[cursor...])
        guard let end = HTTPResponseParser.endOfHead(window) else {
            if window.count > headLimit { throw .tooLarge(limit: headLimit) }
            return false
        }
        if end.headerEnd > headLimit { throw .tooLarge(limit: headLimit) }
        let (status, fields) = try HTTPResponseParser.parseHead(window[0..<end.headerEnd])
        cursor += end.bodyStart
        // An interim 1xx (103 Early Hints) is followed by the final response (RFC 9110 §15.2).
        if (100..<200).contains(status) && status != 101 { return true }
        let version: Double = window.count > 7 && window[7] == UInt8(ascii: "0") ? 1.0 : 1.1
        let parsed = ResponseHead(status: status, version: version, headers: fields.map { HTTPField(name: $0.name, value: $0.value) })
        head = parsed
        state = try framing(parsed)
        return state != .done
    }

    private func framing(_ head: ResponseHead) throws(HTTPResponseError) -> State {
        if isHeadRequest || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) { return .done }
        if let coding = head.header("transfer-encoding") {
            guard coding.lowercased().split(separator: ",").last?.trimmingSpacesAndTabs == "chunked" else {
                throw .malformed("transfer coding \(coding.prefix(32))")
            }
            return .chunkSize
        }
        if let text = head.header("content-length") {
            guard text.utf8.count <= 18, let length = Int(text), length >= 0 else { throw .malformed("content-length \(text.prefix(32))") }
            if length > bodyLimit { throw .tooLarge(limit: bodyLimit) }
            return length == 0 ? .done : .fixed(remaining: length)
        }
        return .untilClose
    }

    /// The CRLF (or bare LF) after a chunk's data.
    private mutating func readChunkEnd(_ cursor: inout Int) throws(HTTPResponseError) -> Bool {
        guard cursor < pending.count else { return false }
        switch pending[cursor] {
        case 10:
            cursor += 1
        case 13:
            guard cursor + 1 < pending.count else { return false }
            guard pending[cursor + 1] == 10 else { throw .malformed("chunk data not followed by CRLF") }
            cursor += 2
        default:
            throw .malformed("chunk data longer than its size")
        }
        state = .chunkSize
        return true
    }

    private mutating func body(_ bytes: some Collection<UInt8>) throws(HTTPResponseError) {
        bodyLength += bytes.count
        if bodyLength > bodyLimit { throw .tooLarge(limit: bodyLimit) }
        if kept.count < keep { kept.append(contentsOf: bytes.prefix(keep - kept.count)) }
    }

    private func lineEnd(from start: Int) -> (contentEnd: Int, next: Int)? {
        guard let lf = pending[start...].firstIndex(of: 10) else { return nil }
        return (lf > start && pending[lf - 1] == 13 ? lf - 1 : lf, lf + 1)
    }
}
