import Testing
import TestSupport
@testable import ExporterCore

/// The client task against hand-written faults on loopback: each fails alone, with its reason,
/// within the deadline (the real server is in Tests/IntegrationTests/RedisTests.swift).
@Suite(.timeLimit(.minutes(10))) struct RedisSessionTests {
    func scrape(_ addresses: [String], seconds: Double = 1) throws -> [Result<RedisReplies, RedisClientError>] {
        let sessions = try addresses.map { RedisSession(target: try RedisTarget.parse($0), configCommand: "CONFIG", tlsContext: nil) }
        return PollLoop.run(sessions, concurrency: sessions.count, deadline: MonotonicTime.now().adding(seconds: seconds))
    }

    func error(_ result: Result<RedisReplies, RedisClientError>) -> RedisClientError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func silentGarbageClosedAndRefusedFailAloneInTime() throws {
        let silent = try FakeTCPServer(.silent), garbage = try FakeTCPServer(.reply(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)))
        let closing = try FakeTCPServer(.close), noauth = try FakeTCPServer(.reply(Array("-NOAUTH Authentication required.\r\n".utf8)))
        defer { [silent, garbage, closing, noauth].forEach { $0.stop() } }
        let refused = try FakeTCPServer(.close)
        let refusedPort = refused.port
        refused.stop()
        let started = MonotonicTime.now()
        let results = try scrape([silent, garbage, closing, noauth].map { "redis://127.0.0.1:\($0.port)" } + ["redis://127.0.0.1:\(refusedPort)"])
        #expect(started.secondsElapsed() < 2)
        #expect(error(results[0]) == .deadline)
        #expect(error(results[1])?.reason == "protocol")
        #expect(error(results[2]) == .closed)
        #expect(error(results[3])?.reason == "auth")
        #expect(error(results[4])?.reason == "connection_refused")
    }

    @Test func aMissingUnixSocketFailsAtOnce() throws {
        let results = try scrape(["unix:///nonexistent/redis.sock"])
        #expect(error(results[0])?.reason == "connect")
    }

    @Test func stagesKeepAuthAndPingApart() throws {
        let target = try RedisTarget.parse("redis://mon:pw@127.0.0.1:1")
        let stages = RedisCommands.stages(for: target, configCommand: "CONFIG")
        #expect(stages.map(\.count) == [1, 1, 8])
        #expect(stages[0] == [["AUTH", "mon", "pw"]])
        #expect(RedisCommands.stages(for: try RedisTarget.parse("redis://127.0.0.1:1"), configCommand: "").map(\.count) == [1, 4])
    }

    @Test func repliesOtherThanInfoAreOptional() throws {
        let info = RESPValue.bulk(Array("# Server\r\nredis_version:7.0.15\r\n".utf8))
        let denied = RESPValue.error("NOPERM this user has no permissions to run the 'config' command")
        let replies = try RedisCommands.interpret(
            [info, denied, denied, denied, denied, .error("ERR unknown command"), .array([]), .array(nil)], configCommand: "CONFIG")
        #expect(replies.info["redis_version"] == "7.0.15")
        #expect(replies.config.isEmpty && replies.slowlogLength == nil && replies.latency.isEmpty)
        #expect(throws: RedisClientError.self) { try RedisCommands.interpret([.error("NOAUTH Authentication required.")], configCommand: "") }
    }
}
