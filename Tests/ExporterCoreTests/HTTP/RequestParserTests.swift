import Testing
@testable import ExporterCore

private func parse(_ text: String, parser: RequestParser = RequestParser()) -> RequestParser.Outcome {
    parser.parse(Array(text.utf8)[...])
}

private func status(_ text: String) -> Int? {
    if case .failure(let failure) = parse(text) { return failure.status.code }
    return nil
}

@Suite struct RequestParserTests {
    @Test func parsesASimpleGet() throws {
        let text = "GET /metrics?collect%5B%5D=cpu&x=a+b HTTP/1.1\r\nHost: h\r\nAccept: text/plain\r\n\r\n"
        guard case .request(let request, let consumed) = parse(text + "GET / HTTP/1.1\r\n")
        else { Issue.record("not parsed"); return }
        #expect(request.method == "GET")
        #expect(request.path == "/metrics")
        #expect(request.queryValues("collect[]") == ["cpu"])
        #expect(request.queryValues("x") == ["a b"])
        #expect(request.header("accept") == "text/plain")
        #expect(request.keepAlive)
        #expect(consumed == text.utf8.count)
    }

    @Test func waitsForTheEndOfTheHead() {
        guard case .incomplete = parse("GET / HTTP/1.1\r\nHost: h\r\n") else { Issue.record("expected incomplete"); return }
    }

    @Test func acceptsBareLineFeedsAndLeadingEmptyLines() {
        guard case .request(let request, _) = parse("\r\nGET / HTTP/1.1\nHost: h\n\n") else { Issue.record("not parsed"); return }
        #expect(request.path == "/")
    }

    @Test func http10ClosesUnlessKeepAlive() {
        guard case .request(let plain, _) = parse("GET / HTTP/1.0\r\n\r\n"),
              case .request(let keep, _) = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
              case .request(let close, _) = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        else { Issue.record("not parsed"); return }
        #expect(!plain.keepAlive)
        #expect(keep.keepAlive)
        #expect(!close.keepAlive)
    }

    @Test func acceptsAbsoluteForm() {
        guard case .request(let request, _) = parse("GET http://example:9630/metrics?a=1 HTTP/1.1\r\nHost: example\r\n\r\n")
        else { Issue.record("not parsed"); return }
        #expect(request.path == "/metrics")
    }

    @Test(arguments: [
        ("GET /metrics\r\n\r\n", 400),                                   // no version
        ("GET  /metrics HTTP/1.1\r\nHost: h\r\n\r\n", 400),             // double space
        ("GET /metrics HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),                     // bad method token
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400),
        ("GET / FTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),                                // missing Host
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),          // two Hosts
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),                    // space before colon
        ("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400),          // obs-fold
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400),               // bare CR
        ("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400),                 // bad percent-encoding
        ("GET relative HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", 413),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 413),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
        ("PRI * HT", 400),
    ])
    func rejectsMalformedRequests(_ pair: (String, Int)) {
        #expect(status(pair.0) == pair.1, "\(pair.0.debugDescription)")
    }

    @Test func acceptsZeroContentLength() {
        guard case .request = parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n") else { Issue.record("rejected"); return }
    }

    @Test func rejectsATLSClientHello() {
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00]
        guard case .failure(let failure) = RequestParser().parse(hello[...]) else { Issue.record("accepted"); return }
        #expect(failure.status == .badRequest)
    }

    @Test func answers431ForOversizedHeads() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
        #expect(status(big) == 431)
        let unfinished = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "a", count: 9000)
        #expect(status(unfinished) == 431)
        let many = "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<150).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        #expect(status(many) == 431)
    }
}

@Suite struct ContentNegotiationTests {
    @Test(arguments: [
        (nil, ContentNegotiation.Format.text),
        ("text/plain", .text),
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics),
        ("application/openmetrics-text; version=1.0.0", .openMetrics),
        ("application/openmetrics-text;q=0.3, text/plain;q=0.9", .text),
        ("application/openmetrics-text;q=0", .text),
        ("*/*", .text),
    ] as [(String?, ContentNegotiation.Format)])
    func choosesTheFormat(_ pair: (String?, ContentNegotiation.Format)) {
        #expect(ContentNegotiation.format(accept: pair.0) == pair.1)
    }

    @Test(arguments: [
        (nil, false), ("gzip", true), ("gzip, deflate, br", true), ("deflate", false), ("gzip;q=0", false),
        ("*", true), ("*;q=0", false), ("identity", false), ("GZIP;q=0.5", true),
    ] as [(String?, Bool)])
    func decidesOnGzip(_ pair: (String?, Bool)) {
        #expect(ContentNegotiation.acceptsGzip(pair.0) == pair.1)
    }
}

@Suite struct GzipTests {
    @Test func roundTrips() throws {
        let text = Array(String(repeating: "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345.6\n", count: 500).utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.count < text.count / 10)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(try Gzip.decompress(compressed) == text)
    }

    @Test func refusesGarbageAndBombs() throws {
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress([1, 2, 3, 4]) }
        let zeros = try Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(zeros, limit: 1000) }
    }
}
