import Foundation
import Synchronization
import Testing
@testable import ExporterCore

private func fastCollector(_ name: String = "fast", value: Double = 1) -> (name: String, collector: any Collector) {
    (name, ScriptedCollector(families: [gauge("test_\(name)_value", value)]))
}

private var noSelfMetrics: ExporterHandler.Settings {
    var settings = ExporterHandler.Settings()
    settings.exporterMetrics = false
    return settings
}

@Suite(.timeLimit(.minutes(10))) struct ServerTests {
    @Test func servesMetricsWithHeaders() throws {
        let server = try TestServer(collectors: [fastCollector()])
        defer { server.stop() }
        let response = try server.client().get("/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
        let values = parseExposition(response.text)
        #expect(values["test_fast_value"] == 1)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"fast\"}"] == 1)
        #expect(values["process_open_fds"] ?? 0 > 0)
        #expect(response.text.contains("stack_exporter_build_info{revision="))
    }

    @Test func servesOpenMetricsWhenAsked() throws {
        let server = try TestServer(collectors: [fastCollector()])
        defer { server.stop() }
        let response = try server.client().get("/metrics", headers: ["Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"])
        #expect(response.headers["content-type"] == OpenMetricsFormat.contentType)
        #expect(response.text.hasSuffix("# EOF\n"))
    }

    @Test func headHasLengthButNoBody() throws {
        let server = try TestServer(collectors: [fastCollector()], settings: noSelfMetrics)
        defer { server.stop() }
        let client = try server.client()
        try client.send("HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        // If a body had been sent, this next response would be garbled.
        let get = try client.get("/-/healthy")
        #expect(get.status == 200 && get.text == "stack_exporter is healthy.\n")
    }

    @Test func gzipBodyDecompressesToTheIdentityBody() throws {
        let server = try TestServer(collectors: [fastCollector()], settings: noSelfMetrics)
        defer { server.stop() }
        let client = try server.client()
        let plain = try client.get("/metrics")
        let zipped = try client.get("/metrics", headers: ["Accept-Encoding": "gzip"])
        #expect(zipped.headers["content-encoding"] == "gzip")
        #expect(plain.headers["content-encoding"] == nil)
        let inflated = try Gzip.decompress(zipped.body)
        // Durations differ between scrapes; everything else must be equal.
        let strip = { (text: String) in text.split(separator: "\n").filter { !$0.hasPrefix("stack_exporter_scrape_collector_duration") } }
        #expect(strip(String(decoding: inflated, as: UTF8.self)) == strip(plain.text))
    }

    @Test func keepAliveAndPipelining() throws {
        let server = try TestServer(collectors: [fastCollector()])
        defer { server.stop() }
        let client = try server.client()
        for _ in 0..<3 { #expect(try client.get("/metrics").status == 200) }
        try client.send("GET /-/ready HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\nGET /-/healthy HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(try client.readResponse().status == 404)
        let last = try client.readResponse()
        #expect(last.status == 200 && last.headers["connection"] == "close")
        #expect(client.isClosedByServer(within: 2))
    }

    /// Three pipelined requests, then FIN: all three are answered before the server closes.
    @Test func pipelinedRequestsBeforeAHalfCloseAreAllAnswered() throws {
        let server = try TestServer(collectors: [fastCollector()])
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /-/ready HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        client.socket.shutdownWrite()
        let statuses = try (0..<3).map { _ in try client.readResponse().status }
        #expect(statuses == [200, 200, 200])
        #expect(client.isClosedByServer(within: 2))
    }

    @Test func badRequestsGetTheirStatus() throws {
        let server = try TestServer(collectors: [fastCollector()])
        defer { server.stop() }
        let cases: [(String, Int)] = [
            ("GET /metrics\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n", 404),
            ("POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405),
            ("GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody", 413),
            ("GET /metrics HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", 400),
            ("GET /metrics HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "y", count: 10_000) + "\r\n\r\n", 431),
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
            ("GET /metrics?collect[]=nope HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            ("GET /metrics?collect[]=fast&exclude[]=fast HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ]
        for (request, expected) in cases {
            let client = try server.client()
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == expected, "\(request.prefix(60).debugDescription)")
            if expected == 405 { #expect(response.headers["allow"] == "GET, HEAD") }
        }
        let tls = try server.client()
        try tls.send(bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        #expect(try tls.readResponse().status == 400)
        #expect(tls.isClosedByServer(within: 3))
        // The server still serves after all of that.
        #expect(try server.client().get("/metrics").status == 200)
    }

    @Test func collectSelectsCollectors() throws {
        let server = try TestServer(collectors: [fastCollector("a"), fastCollector("b")])
        defer { server.stop() }
        let only = parseExposition(try server.client().get("/metrics?collect[]=b").text)
        #expect(only["test_b_value"] == 1 && only["test_a_value"] == nil)
        #expect(only["stack_exporter_scrape_collector_success{collector=\"a\"}"] == nil)
        let excluded = parseExposition(try server.client().get("/metrics?exclude[]=b").text)
        #expect(excluded["test_a_value"] == 1 && excluded["test_b_value"] == nil)
    }

    @Test func slowCollectorIsCutAtTheScrapeDeadline() throws {
        let server = try TestServer(collectors: [fastCollector(), ("slow", ScriptedCollector(delay: 5, families: [gauge("test_slow", 1)]))])
        defer { server.stop() }
        let started = Date()
        let response = try server.client().get("/metrics", headers: ["X-Prometheus-Scrape-Timeout-Seconds": "1"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1.5, "took \(elapsed) s")
        let values = parseExposition(response.text)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"slow\"}"] == 0)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"fast\"}"] == 1)
        #expect(values["test_slow"] == nil)
        #expect(values["test_fast_value"] == 1)
    }

    @Test func failingCollectorReportsZeroAndTheRestIsServed() throws {
        let server = try TestServer(collectors: [fastCollector(), ("broken", ScriptedCollector(failure: "cannot read"))])
        defer { server.stop() }
        let values = parseExposition(try server.client().get("/metrics").text)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"broken\"}"] == 0)
        #expect(values["test_fast_value"] == 1)
    }

    @Test func concurrentScrapesShareOneCollection() throws {
        let slow = ScriptedCollector(delay: 0.8, families: [gauge("test_shared", 1)])
        let server = try TestServer(collectors: [("shared", slow)])
        defer { server.stop() }
        // Eight scrapes in flight at once (sent before any answer is read).
        let clients = try (0..<8).map { _ in try server.client() }
        for client in clients { try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n") }
        let statuses = try clients.map { try $0.readResponse().status }
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(slow.callCount == 1)
    }

    @Test func scrapesBeyondMaxRequestsGet503AtOnce() throws {
        var limits = ServerLimits()
        limits.maxConcurrentRequests = 1
        let server = try TestServer(collectors: [("slow", ScriptedCollector(delay: 1.5))], limits: limits)
        defer { server.stop() }
        let first = try server.client()
        try first.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil { server.stats.requestsInFlight == 1 })
        let started = Date()
        let second = try server.client().get("/metrics")
        #expect(second.status == 503)
        #expect(Date().timeIntervalSince(started) < 0.5)
        #expect(try first.readResponse().status == 200)
        // Health checks are not scrapes and are never refused.
        #expect(try server.client().get("/-/healthy").status == 200)
    }

    @Test func slowClientIsCutOffWhileOthersAreServed() throws {
        var limits = ServerLimits()
        limits.readHeaderTimeout = 1
        let server = try TestServer(collectors: [fastCollector()], limits: limits)
        defer { server.stop() }
        let slow = try server.client()
        let started = Date()
        var closed = false
        for byte in "GET /metrics HTTP/1.1\r\nHost: t\r\n".utf8 {
            if (try? slow.send(bytes: [byte])) == nil { closed = true; break }
            // Meanwhile another client is served at once.
            let other = Date()
            #expect(try server.client().get("/-/ready").status == 200)
            #expect(Date().timeIntervalSince(other) < 0.5)
            if slow.isClosedByServer(within: 0.3) { closed = true; break }
        }
        #expect(closed)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed > 0.9 && elapsed < 3, "closed after \(elapsed) s")
    }

    @Test func idleKeepAliveConnectionsTimeOut() throws {
        var limits = ServerLimits()
        limits.idleTimeout = 1
        let server = try TestServer(collectors: [fastCollector()], limits: limits)
        defer { server.stop() }
        let client = try server.client()
        #expect(try client.get("/-/healthy").status == 200)
        #expect(!client.isClosedByServer(within: 0.5))
        #expect(client.isClosedByServer(within: 2))
    }

    /// Slowloris: hundreds of connections that each sent one byte of a request. They cost no
    /// thread, scrapes are still answered at once, and all are closed at the header timeout.
    @Test func manySlowConnectionsDoNotStopScrapes() throws {
        ProcessSetup.raiseOpenFileLimit()
        var limits = ServerLimits()
        limits.readHeaderTimeout = 2
        let server = try TestServer(collectors: [fastCollector()], limits: limits)
        defer { server.stop() }
        var slow: [RawClient] = []
        for _ in 0..<400 {
            let client = try server.client()
            try client.send("G")
            slow.append(client)
        }
        let started = Date()
        #expect(try server.client().get("/metrics").status == 200)
        #expect(Date().timeIntervalSince(started) < 0.5)
        // Each is closed by the server once its header timeout has passed: wait for those closes
        // (bounded well past the timeout), not for a fixed time.
        var open = Set(slow.indices)
        let allClosed = waitUntil(timeout: limits.readHeaderTimeout + 10) {
            open = open.filter { !slow[$0].isClosedByServer(within: 0.001) }
            return open.isEmpty
        }
        #expect(allClosed, "\(slow.count - open.count) of \(slow.count) closed")
        #expect(Date().timeIntervalSince(started) >= limits.readHeaderTimeout - 0.5, "closed before the header timeout")
    }

    /// A client that requests a large scrape and never reads it is cut off by the write timeout.
    @Test func clientThatDoesNotReadIsCutOffByTheWriteTimeout() throws {
        var limits = ServerLimits()
        limits.writeTimeout = 1
        var big = MetricFamily(FamilyDescriptor(name: "test_big", type: .gauge, help: "Many series.", labels: ["series"]))
        for i in 0..<200_000 { big.add(["series-number-\(i)-with-some-padding-to-make-it-long"], Double(i)) }
        var settings = ExporterHandler.Settings()
        settings.exporterMetrics = false
        let log = LogSink.capture()
        let server = try TestServer(collectors: [("big", ScriptedCollector(families: [big]))], limits: limits, settings: settings,
                                    logger: Logger(level: .debug, format: .logfmt, sink: log))
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        // Wait (without reading) until the response starts: building 200k series takes a while
        // in a debug build on a busy machine.
        #expect(client.socket.waitUntil(readable: true, timeoutMilliseconds: 60_000))
        // Still without reading, wait until the server gives up writing (its close stays queued
        // behind the unread bytes, so the client cannot see it yet; the server's log can).
        #expect(waitUntil(timeout: limits.writeTimeout + 15) { log.lines.contains { $0.contains("reason=\"write timeout\"") } },
                "\(log.lines)")
        // Reading now drains what the kernel buffered, then ends: the server closed the connection.
        #expect(client.isClosedByServer(within: 10))
        #expect(try server.client().get("/-/healthy").status == 200)
    }

    @Test func shutdownFinishesInFlightScrapes() throws {
        let slow = ScriptedCollector(delay: 1, families: [gauge("test_slow", 1)])
        let server = try TestServer(collectors: [("slow", slow)])
        let client = try server.client()
        try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil { slow.callCount == 1 }, "the scrape never reached the collector")
        let started = Date()
        server.control.requestShutdown()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(parseExposition(response.text)["test_slow"] == 1)
        #expect(server.stop(timeout: 5))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(throws: (any Error).self) { _ = try server.client().get("/-/healthy") }
    }
}
