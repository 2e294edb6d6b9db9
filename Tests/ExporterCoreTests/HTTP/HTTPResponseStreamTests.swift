import Testing
@testable import ExporterCore

/// The probe's streaming reader on raw response text (RFC 9112 §6.3, §7.1), fed whole and one
/// byte at a time: both must give the same head, length and kept bytes.
@Suite struct HTTPResponseStreamTests {
    struct Outcome: Equatable {
        var status: Int, version: Double, length: Int, contentLength: Int, kept: String
    }

    /// Feeds `text` in pieces of `step` bytes, then EOF if `close`.
    static func read(_ text: String, step: Int = .max, keep: Int = 1024, limit: Int = 1 << 20, head: Bool = false, close: Bool = true) throws(HTTPResponseError) -> Outcome? {
        var stream = HTTPResponseStream(bodyLimit: limit, keep: keep, isHeadRequest: head)
        let bytes = Array(text.utf8)
        var complete = false
        var i = 0
        while i < bytes.count && !complete {
            let end = min(bytes.count, i + min(step, bytes.count))
            complete = try stream.feed(bytes[i..<end])
            i = end
        }
        if !complete {
            guard close else { return nil }
            try stream.finish()
        }
        guard let h = stream.head else { return nil }
        return Outcome(status: h.status, version: h.version, length: stream.bodyLength, contentLength: stream.contentLength,
                       kept: String(decoding: stream.kept, as: UTF8.self))
    }

    static let cases: [(String, Outcome)] = [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Outcome(status: 200, version: 1.1, length: 5, contentLength: 5, kept: "hello")),
        ("HTTP/1.0 404 Not Found\r\n\r\nuntil close", Outcome(status: 404, version: 1.0, length: 11, contentLength: -1, kept: "until close")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
         Outcome(status: 200, version: 1.1, length: 11, contentLength: -1, kept: "hello world")),
        // Bare LF everywhere (RFC 9112 §2.2), upper-case hex sizes.
        ("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nA\n0123456789\n0\n\n", Outcome(status: 200, version: 1.1, length: 10, contentLength: -1, kept: "0123456789")),
        // An interim 103 before the final response.
        ("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", Outcome(status: 201, version: 1.1, length: 2, contentLength: 2, kept: "ok")),
        ("HTTP/1.1 204 No Content\r\n\r\n", Outcome(status: 204, version: 1.1, length: 0, contentLength: -1, kept: "")),
        ("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n", Outcome(status: 302, version: 1.1, length: 0, contentLength: 0, kept: "")),
    ]

    @Test(arguments: 0..<cases.count) func readsWholeAndBytewise(_ index: Int) throws {
        let (text, expected) = Self.cases[index]
        #expect(try Self.read(text) == expected)
        #expect(try Self.read(text, step: 1) == expected)
        #expect(try Self.read(text, step: 7) == expected)
    }

    @Test func completeWithoutCloseWhenFramed() throws {
        // A server that keeps the connection open must not hold the probe until its deadline.
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close: false)?.length == 2)
        #expect(try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", close: false)?.kept == "ok")
        #expect(try Self.read("HTTP/1.1 200 OK\r\n\r\nunframed", close: false) == nil)
    }

    @Test func keepsOnlyTheWindowButCountsEverything() throws {
        let body = String(repeating: "a", count: 100_000)
        let outcome = try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n186a0\r\n\(body)\r\n0\r\n\r\n", step: 4096, keep: 10)
        #expect(outcome?.length == 100_000)
        #expect(outcome?.kept == "aaaaaaaaaa")
    }

    @Test func headRequestHasNoBodyWhateverContentLengthSays() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", head: true, close: false)?.contentLength == 1000)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", HTTPResponseError.malformed("chunk size")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", .malformed("chunk data longer than its size")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rX", .malformed("chunk data not followed by CRLF")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", .truncated),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", .truncated),
        ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", .truncated),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .malformed("content-length -1")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .malformed("transfer coding gzip")),
        ("SSH-2.0-OpenSSH\r\n\r\n", .malformed("status line \"SSH-2.0-OpenSSH\"")),
        ("HTTP/1.1 200 OK\r\nContent-Le", .malformed("no end of header section")),
        ("", .truncated),
    ])
    func rejects(_ text: String, _ error: HTTPResponseError) {
        #expect(throws: error) { try Self.read(text) }
        #expect(throws: error) { try Self.read(text, step: 1) }
    }

    @Test func bodyLimitHoldsForEveryFraming() {
        #expect(throws: HTTPResponseError.tooLarge(limit: 4)) { try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", limit: 4) }
        #expect(throws: HTTPResponseError.tooLarge(limit: 4)) { try Self.read("HTTP/1.1 200 OK\r\n\r\nhello", step: 1, limit: 4) }
        #expect(throws: HTTPResponseError.tooLarge(limit: 4)) {
            try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", limit: 4)
        }
    }

    @Test func chunkSizeLineIsBounded() {
        let line = String(repeating: "0", count: 2000)
        #expect(throws: HTTPResponseError.self) { try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(line)", close: false) }
    }
}
