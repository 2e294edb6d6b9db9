import Foundation
import Testing
@testable import ExporterCore

extension PostgresTests {
    /// Three servers, two of which accept TCP and never answer (a blackholed or hung server): the
    /// healthy one still reports `pg_up 1` in the same scrape, within the deadline. Servers are
    /// scraped at once on the collector's worker pool, each ending by its item deadline, so hung
    /// ones cannot hold the others back.
    @Test func hungServersDoNotHoldBackAHealthyOne() throws {
        let pg = try PostgresCluster.get()
        // Listening sockets that are never accepted: connect succeeds (the backlog), nothing answers.
        let silent = try (0..<2).map { _ in try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0)) }
        defer { silent.forEach { $0.close() } }
        let ports = silent.compactMap { $0.localPort() }
        let exporter = try LoggedExporter([
            "--postgres.dsn=postgresql://monitor@127.0.0.1:\(ports[0])/postgres?sslmode=disable&connect_timeout=30",
            "--postgres.dsn=postgresql://monitor@127.0.0.1:\(ports[1])/postgres?sslmode=disable&connect_timeout=30",
            "--postgres.dsn=\(pg.dsn())",
        ])
        let (body, seconds) = try exporter.metrics(timeout: 3)
        #expect(seconds < 3.2)
        #expect(sampleValue(body, "pg_up", ["server": pg.server]) == 1, "\(body.split(separator: "\n").filter { $0.hasPrefix("pg_up") })")
        for port in ports {
            #expect(sampleValue(body, "pg_up", ["server": "127.0.0.1:\(port)"]) == 0)
        }
    }
}

extension PostgresTests {
    /// postgres_exporter's DATA_SOURCE_URI / _USER / _PASS_FILE, with a password that needs
    /// escaping, against the real server; the password appears nowhere in the log.
    @Test func postgresExporterEnvironmentVariablesWork() throws {
        let pg = try PostgresCluster.get()
        let secret = NSTemporaryDirectory() + "pg-pass-\(getpid())"
        try "mon:it@r pass\n".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let exporter = try LoggedExporter(["--collector.disable-defaults", "--collector.postgres"], environment: [
            "DATA_SOURCE_URI": "\(pg.server)/postgres?sslmode=disable", "DATA_SOURCE_USER": "monitor", "DATA_SOURCE_PASS_FILE": secret,
        ])
        let body = try exporter.metrics().body
        #expect(sampleValue(body, "pg_up", ["server": pg.server]) == 1, "\(exporter.log)")
        #expect(!exporter.log.contains("mon:it@r") && !body.contains("mon:it@r"))
    }
}
