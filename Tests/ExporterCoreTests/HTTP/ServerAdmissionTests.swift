import Foundation
import Synchronization
import Testing
import TestSupport
@testable import ExporterCore

/// Scrapes off the event loop, admission by work class, eviction at the connection limit, and
/// inputs that used to wedge the loop (issue #11 item 1, #12 defects 3, 4, 5, 9).
@Suite(.timeLimit(.minutes(10))) struct ServerAdmissionTests {
    private static func settings(timeout: Double) -> ExporterHandler.Settings {
        var settings = ExporterHandler.Settings()
        settings.collectorTimeout = timeout
        return settings
    }

    /// A procfs-style (inline) collector stuck in a read: the health check on another connection
    /// is answered at once, the stuck scrape is counted in flight and answered 503 at its
    /// deadline, and the next scrape reports the stuck collector failed and serves the rest.
    @Test func stuckInlineCollectorDoesNotDelayOtherConnections() throws {
        let stuck = GateCollector(mayBlock: false)
        defer { stuck.open() }
        let fast = ScriptedCollector(families: [gauge("test_fast_value", 1)])
        let server = try TestServer(collectors: [("stuck", stuck), ("fast", fast)], settings: Self.settings(timeout: 1))
        defer { server.stop() }
        let first = try server.client()
        try first.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil { stuck.entered == 1 })

        let started = Date()
        #expect(try server.client().get("/-/healthy").status == 200)
        #expect(Date().timeIntervalSince(started) < 0.5)
        #expect(server.stats.requestsInFlight == 1)

        let second = try server.client().get("/metrics")
        #expect(second.status == 200)
        let values = parseExposition(second.text)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"stuck\"}"] == 0)
        #expect(values["stack_exporter_scrape_collector_success{collector=\"fast\"}"] == 1)
        #expect(values["test_fast_value"] == 1)
        #expect(values["stack_exporter_scrapes_in_flight"] == 2, "the stuck scrape and this one")
        #expect(stuck.entered == 1, "the second scrape joined the stuck run instead of starting another")

        let late = try first.readResponse(timeout: 3)
        #expect(late.status == 503)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(server.stats.lateAnswers == 1)
        #expect(server.stats.requestsInFlight == 1, "the stuck worker stays counted until it returns")
        stuck.open()
        #expect(waitUntil { server.stats.requestsInFlight == 0 })
    }

    /// 200 clients each pipelining 30 scrapes and never reading their answers: the health check
    /// is still answered at once (they used to run inline and hold the loop for seconds).
    @Test func pipelinedScrapeFloodDoesNotHoldTheLoop() throws {
        ProcessSetup.raiseOpenFileLimit()
        let server = try TestServer(collectors: [("fast", ScriptedCollector(families: [gauge("test_fast_value", 1)]))])
        defer { server.stop() }
        let batch = String(repeating: "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", count: 30)
        var flood: [RawClient] = []
        for _ in 0..<200 {
            let client = try server.client()
            try client.send(batch)
            flood.append(client)
        }
        let started = Date()
        #expect(try server.client().get("/-/healthy").status == 200)
        #expect(Date().timeIntervalSince(started) < TimingBound.seconds(1))
        withExtendedLifetime(flood) {}
    }

    /// 100,000 empty lines: a 400 at once instead of a busy loop until the header timeout.
    @Test func emptyLineFloodIsRejected() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        let started = Date()
        try? client.send(String(repeating: "\r\n", count: 100_000))  // the server may close mid-send
        #expect(try client.readResponse(timeout: 2).status == 400)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(client.isClosedByServer(within: 2))
        #expect(try server.client().get("/-/healthy").status == 200)
    }

    /// At the limit, the connection that has waited longest for a request (idle keep-alive or
    /// silent) is closed for the new one.
    @Test func theOldestWaitingConnectionIsEvictedAtTheLimit() throws {
        var limits = ServerLimits()
        limits.maxConnections = 3
        let server = try TestServer(collectors: [("fast", ScriptedCollector())], limits: limits)
        defer { server.stop() }
        let a = try server.client(), b = try server.client(), c = try server.client()
        for client in [a, b, c] { #expect(try client.get("/-/healthy").status == 200) }
        let d = try server.client()
        #expect(try d.get("/metrics").status == 200)
        #expect(a.isClosedByServer(within: 2), "the oldest idle connection made room")
        #expect(try b.get("/-/healthy").status == 200)
        #expect(server.stats.evictedConnections == 1)
        #expect(server.stats.refusedConnections == 0)
    }

    /// Silent connections (and keep-alive ones idling after a request) cannot lock a scraper out.
    @Test func silentConnectionsDoNotLockOutAScrape() throws {
        ProcessSetup.raiseOpenFileLimit()
        var limits = ServerLimits()
        limits.maxConnections = 100
        let server = try TestServer(collectors: [("fast", ScriptedCollector(families: [gauge("test_fast_value", 1)]))], limits: limits)
        defer { server.stop() }
        var idle: [RawClient] = []
        for _ in 0..<50 {
            let client = try server.client()
            #expect(try client.get("/-/healthy").status == 200)
            idle.append(client)
        }
        for _ in 0..<250 { idle.append(try server.client()) }
        let scrape = try server.client().get("/metrics")
        #expect(scrape.status == 200)
        #expect(parseExposition(scrape.text)["test_fast_value"] == 1)
        #expect(server.stats.refusedConnections == 0)
        #expect(waitUntil { server.stats.evictedConnections >= 200 })
    }

    /// When every connection is busy with a request, none can be evicted: the new one gets 503.
    @Test func aNewConnectionIsRefusedWhenAllAreBusy() throws {
        var limits = ServerLimits()
        limits.maxConnections = 2
        let gate = GateCollector(mayBlock: true)
        defer { gate.open() }
        let server = try TestServer(collectors: [("gate", gate)], limits: limits, settings: Self.settings(timeout: 5))
        defer { server.stop() }
        let a = try server.client(), b = try server.client()
        try a.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        try b.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waitUntil { server.stats.requestsInFlight == 2 })
        let c = try server.client()
        #expect(try c.readResponse().status == 503)
        #expect(server.stats.refusedConnections == 1)
        gate.open()
        #expect(try a.readResponse().status == 200)
        #expect(try b.readResponse().status == 200)
    }

    /// Probes of a stalling target take their own slots (`--web.max-probes`), never the scrapes'.
    @Test func probesHaveTheirOwnLimit() throws {
        var limits = ServerLimits()
        limits.maxConcurrentProbes = 3
        limits.maxConcurrentRequests = 2
        let gate = ProbeGate()
        defer { gate.open() }
        let server = try TestServer(limits: limits) { _ in gate }
        defer { server.stop() }
        let probes = try (0..<3).map { _ in try server.client() }
        for probe in probes { try probe.send("GET /probe HTTP/1.1\r\nHost: t\r\n\r\n") }
        #expect(waitUntil { server.stats.probesInFlightCount == 3 })
        let started = Date()
        #expect(try server.client().get("/probe").status == 503)
        #expect(try server.client().get("/metrics").status == 200)
        #expect(Date().timeIntervalSince(started) < 0.5)
        #expect(server.stats.requestsInFlight == 0)
        gate.open()
        for probe in probes { #expect(try probe.readResponse().status == 200) }
    }
}

/// A handler whose probes stall until opened and whose scrapes answer at once.
private final class ProbeGate: HTTPHandler {
    private let gate = GateCollector(mayBlock: true)

    func route(_ request: HTTPRequest) -> Routing {
        .work(request.path == "/probe" ? .probe : .scrape, seconds: 10)
    }

    func response(to request: HTTPRequest, deadline: MonotonicTime) -> HTTPResponse {
        if request.path == "/probe" {
            _ = try? gate.collect(CollectContext(deadline: deadline, logger: .disabled, exposition: ExpositionStats()))
        }
        return .text(.ok, "ok\n")
    }

    func handlerLabel(for request: HTTPRequest) -> String { request.path }

    func open() { gate.open() }
}
