import Foundation
import TestSupport
import Testing
@testable import ExporterCore

/// Real `redis-server` 7 on loopback: a primary with `requirepass`, an ACL user, a unix socket and
/// a TLS port, and a replica of it; hand-written fakes for what a real server does not do.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RedisTests {
    /// One redis-server with a config file in a directory of its own, ready when it says so.
    final class RedisServer {
        let process: ChildProcess
        let port: UInt16
        let dir: String

        init(_ lines: [String], dir: String, name: String) throws {
            self.dir = dir
            port = try TLSIntegrationTests.freePort()
            let config = ["port \(port)", "bind 127.0.0.1", "save \"\"", "dir \(dir)", "dbfilename \(name).rdb", "daemonize no"] + lines
            try config.joined(separator: "\n").write(toFile: "\(dir)/\(name).conf", atomically: true, encoding: .utf8)
            let log = "\(dir)/\(name).log"
            process = try ChildProcess([try tool("redis-server"), "\(dir)/\(name).conf"], stdout: .file(log))
            let process = self.process
            let ready = Wait.until(timeout: 10, interval: 0.01) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("Ready to accept connections") || !process.isRunning
            }
            guard ready, process.isRunning else { throw TestFailure("redis-server \(name) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
        }

        deinit {
            process.killGroup()
            process.wait(timeout: 5)
        }
    }

    static let password = "integration-secret"

    /// The primary (password, ACL user `monitor`, unix socket, TLS port) and its replica.
    final class Pair {
        let dir = NSTemporaryDirectory() + "redis-it-\(UUID().uuidString)"
        let certs: CertFactory
        let tlsPort: UInt16
        let primary: RedisServer
        let replica: RedisServer

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            certs = try CertFactory()
            try certs.selfSigned("server", cn: "localhost", san: "IP:127.0.0.1")
            tlsPort = try TLSIntegrationTests.freePort()
            primary = try RedisServer([
                "requirepass \(RedisTests.password)", "user monitor on >monitor-secret ~* +@all", "unixsocket \(dir)/redis.sock",
                "maxmemory 64mb", "repl-diskless-sync-delay 0", "tls-port \(tlsPort)", "tls-cert-file \(certs.path("server.pem"))",
                "tls-key-file \(certs.path("server.key"))", "tls-ca-cert-file \(certs.path("server.pem"))", "tls-auth-clients no",
            ], dir: dir, name: "primary")
            replica = try RedisServer(["replicaof 127.0.0.1 \(primary.port)", "masterauth \(RedisTests.password)"], dir: dir, name: "replica")
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    static func collector(_ addresses: [String], timeout: Double = 3, environment: [String: String] = [:], caFile: String? = nil) throws -> RedisCollector {
        var targets: [RedisTarget] = []
        for text in addresses {
            targets.append(try RedisTarget.parse(text, fallbackPassword: try RedisEnvironment.password(environment)))
        }
        let tls = RedisTLSContext(caFile: caFile, certificateFile: nil, keyFile: nil, verify: true)
        return RedisCollector(targets: targets, timeout: timeout, configCommand: "CONFIG", tls: tls, logger: .disabled)
    }

    static func scrape(_ collector: RedisCollector, deadline: Double = 5) throws -> String {
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: deadline), logger: .disabled, exposition: ExpositionStats())
        return TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats()))
    }

    static func value(_ text: String, _ metric: String, _ addr: String, _ fragments: [String] = []) -> Double? {
        TLSIntegrationTests.value(text, metric, ["addr=\"\(addr)\""] + fragments)
    }

    @Test func everyWayInIsUpAndTheReplicaSeesItsPrimary() throws {
        let pair = try Pair()
        let p = pair.primary.port
        let addresses = [
            "redis://:\(Self.password)@127.0.0.1:\(p)", "redis://monitor:monitor-secret@127.0.0.1:\(p)/1",
            "unix://:\(Self.password)@\(pair.dir)/redis.sock", "rediss://:\(Self.password)@127.0.0.1:\(pair.tlsPort)",
            "redis://127.0.0.1:\(pair.replica.port)",
        ]
        let collector = try Self.collector(addresses, caFile: pair.certs.path("server.pem"))
        var text = ""
        // The replica's link comes up after its first sync: wait for that event, bounded.
        let linked = Wait.until(timeout: 20, interval: 0.05) {
            text = (try? Self.scrape(collector)) ?? ""
            return Self.value(text, "redis_master_link_up", "redis://127.0.0.1:\(pair.replica.port)") == 1
        }
        #expect(linked, "replica link never came up: \(text.prefix(2000))")
        for label in ["redis://127.0.0.1:\(p)", "redis://monitor@127.0.0.1:\(p)/1", "unix://\(pair.dir)/redis.sock",
                      "rediss://127.0.0.1:\(pair.tlsPort)", "redis://127.0.0.1:\(pair.replica.port)"] {
            #expect(Self.value(text, "redis_up", label) == 1, "\(label)")
        }
        let primary = "redis://127.0.0.1:\(p)"
        #expect(Self.value(text, "redis_memory_max_bytes", primary) == 67_108_864)
        #expect(Self.value(text, "redis_config_maxmemory", primary) == 67_108_864)
        #expect(Self.value(text, "redis_connected_slaves", primary) == 1)
        #expect(Self.value(text, "redis_instance_info", "redis://127.0.0.1:\(pair.replica.port)", ["role=\"slave\""]) == 1)
        #expect(Self.value(text, "redis_rdb_last_bgsave_status", primary) == 1)
        #expect(Self.value(text, "redis_db_keys", primary, ["db=\"db15\""]) == 0)
        #expect(!text.contains(Self.password) && !text.contains("monitor-secret"))
    }

    @Test func wrongOrMissingPasswordsAndFaultsFailAloneWithinTheDeadline() throws {
        let pair = try Pair()
        let silent = try FakeTCPServer(.silent), garbage = try FakeTCPServer(.reply(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)))
        defer { silent.stop(); garbage.stop() }
        let p = pair.primary.port
        let collector = try Self.collector([
            "redis://127.0.0.1:\(p)", "redis://:wrong@127.0.0.1:\(p)", "redis://127.0.0.1:\(silent.port)", "redis://127.0.0.1:\(garbage.port)",
            "rediss://127.0.0.1:\(p)", "redis://127.0.0.1:\(pair.replica.port)",
        ], timeout: 1.5)
        let started = Date()
        let text = try Self.scrape(collector, deadline: 3)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(Self.value(text, "redis_exporter_last_scrape_error", "redis://127.0.0.1:\(p)", ["err=\"auth\""]) == 1)
        #expect(Self.value(text, "redis_up", "redis://127.0.0.1:\(p)") == 0)
        #expect(Self.value(text, "redis_exporter_last_scrape_error", "redis://127.0.0.1:\(silent.port)", ["err=\"timeout\""]) == 1)
        #expect(Self.value(text, "redis_exporter_last_scrape_error", "redis://127.0.0.1:\(garbage.port)", ["err=\"protocol\""]) == 1)
        #expect(Self.value(text, "redis_exporter_last_scrape_error", "rediss://127.0.0.1:\(p)", ["err=\"tls\""]) == 1)
        #expect(Self.value(text, "redis_up", "redis://127.0.0.1:\(pair.replica.port)") == 1)
        #expect(!text.contains("wrong"))
    }

    @Test func theBinaryTakesThePasswordFromAFileAndNeverShowsIt() throws {
        let pair = try Pair()
        let secretFile = "\(pair.dir)/password"
        try "\(Self.password)\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_PASSWORD_FILE"] = secretFile
        let exporter = try ExporterProcess(
            ["--collector.disable-defaults", "--collector.redis", "--redis.addr=redis://127.0.0.1:\(pair.primary.port)",
             "--redis.addr=redis://127.0.0.1:1", "--log.level=debug"], environment: environment)
        let body = String(decoding: try exporter.get("/metrics").body, as: UTF8.self)
        #expect(Self.value(body, "redis_up", "redis://127.0.0.1:\(pair.primary.port)") == 1)
        #expect(Self.value(body, "redis_up", "redis://127.0.0.1:1") == 0)
        _ = try exporter.get("/metrics")
        #expect(Wait.until(timeout: 5) { exporter.log.contains("redis problem") })
        // Logged once per transition, not once per scrape.
        #expect(exporter.log.components(separatedBy: "redis problem").count == 2)
        #expect(!exporter.log.contains(Self.password) && !body.contains(Self.password))
    }
}
