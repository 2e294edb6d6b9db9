import Testing
import TestSupport
@testable import ExporterCore

/// The prober against hand-written loopback servers (redirect chains, a stall, a status): the
/// real servers are in Tests/IntegrationTests/HTTPProbeTests.swift.
@Suite(.timeLimit(.minutes(10))) struct HTTPProberTests {
    static func reply(_ head: String, body: String = "") -> FakeTCPServer.Behaviour {
        .reply(Array((head + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body).utf8))
    }

    static func probe(_ text: String, timeout: Double = 2, deadline: Double = 5, allow: ProbeAllowList? = nil) throws -> HTTPProbeResult {
        let prober = HTTPProber(timeout: timeout, bodyLimit: 1 << 20, regexWindow: 1024)
        let deadlines = ItemDeadline(collector: MonotonicTime.now().adding(seconds: deadline))
        return prober.probe(try HTTPEndpoint.parse(text), within: deadlines, allow: allow)
    }

    @Test func followsRedirectsAndCountsThem() throws {
        let final = try FakeTCPServer(Self.reply("HTTP/1.1 200 OK", body: "landed"))
        let second = try FakeTCPServer(Self.reply("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:\(final.port)/end"))
        let first = try FakeTCPServer(Self.reply("HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:\(second.port)/"))
        defer { [final, second, first].forEach { $0.stop() } }
        let result = try Self.probe("http://127.0.0.1:\(first.port)/,body-regex=land")
        #expect(result.success && result.error == nil)
        #expect(result.redirects == 2)
        #expect(result.final.head?.status == 200 && result.final.bodyLength == 6)
        #expect(final.connections == 1 && second.connections == 1)
    }

    @Test func aRedirectLoopStopsAfterTen() throws {
        let loop = try FakeTCPServer(Self.reply("HTTP/1.1 302 Found\r\nLocation: /again"))
        defer { loop.stop() }
        let result = try Self.probe("http://127.0.0.1:\(loop.port)/")
        #expect(!result.success)
        #expect(result.error == .tooManyRedirects(10))
        // blackbox reports len(via) = 11 and the last redirect's status.
        #expect(result.redirects == 11 && result.final.head?.status == 302)
        #expect(loop.connections == 11)
    }

    @Test func probeRedirectsStayOnTheAllowList() throws {
        let elsewhere = try FakeTCPServer(Self.reply("HTTP/1.1 200 OK"))
        let first = try FakeTCPServer(Self.reply("HTTP/1.1 302 Found\r\nLocation: http://localhost:\(elsewhere.port)/"))
        defer { [elsewhere, first].forEach { $0.stop() } }
        let result = try Self.probe("http://127.0.0.1:\(first.port)/", allow: ProbeAllowList(patterns: ["127.0.0.1"]))
        #expect(result.error == .redirectNotAllowed("localhost"))
        #expect(!result.success && elsewhere.connections == 0)
    }

    @Test func unexpectedStatusFailsAndExpectAcceptsIt() throws {
        let server = try FakeTCPServer(Self.reply("HTTP/1.1 500 Internal Server Error", body: "boom"))
        defer { server.stop() }
        let failed = try Self.probe("http://127.0.0.1:\(server.port)/")
        #expect(!failed.success && failed.error == nil && failed.final.head?.status == 500)
        #expect(try Self.probe("http://127.0.0.1:\(server.port)/,expect=5xx").success)
    }

    @Test func aSilentServerFailsAtItsOwnTimeout() throws {
        let server = try FakeTCPServer(.silent)
        defer { server.stop() }
        let started = MonotonicTime.now()
        let result = try Self.probe("http://127.0.0.1:\(server.port)/", timeout: 0.3)
        let took = started.secondsElapsed()
        #expect(result.error == .timeout("processing"))
        #expect(!result.success && took >= 0.29 && took < 2)
    }

    @Test func refusedConnectionIsAFailureNotAThrow() throws {
        let server = try FakeTCPServer(.close)
        server.stop()  // the port is free again: nothing listens there now
        let result = try Self.probe("http://127.0.0.1:\(server.port)/", timeout: 1)
        #expect(!result.success)
        guard case .connect(let message)? = result.error else { Issue.record("not a connect failure: \(String(describing: result.error))"); return }
        #expect(message.contains("refused"))
    }
}
