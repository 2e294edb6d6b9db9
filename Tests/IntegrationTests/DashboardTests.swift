import Foundation
import Testing
@testable import ExporterCore

/// Our own dashboards (dashboards/*.json): every query is valid PromQL for a real Prometheus, and
/// the panels whose collectors run here return data from the real exporter (the backup panels
/// from a `--files.glob` over a real gzip backup).
@Suite(.serialized, .timeLimit(.minutes(2))) struct DashboardTests {
    struct Query {
        let panel: String
        let expr: String
    }

    static func queries() throws -> [Query] {
        let directory = Package.root + "/dashboards"
        var result: [Query] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { result.append(Query(panel: panel["title"] as? String ?? "?", expr: expr)) }
                }
            }
        }
        return result
    }

    /// Grafana's variables as this test's Prometheus sees them.
    static func substitute(_ expr: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "20s")
            .replacingOccurrences(of: "$job", with: "stack")
            .replacingOccurrences(of: "$instance", with: ".+")
    }

    /// The value of the first series in a /api/v1/query answer (`"value":[time,"v"]`).
    static func firstValue(_ body: String) -> Double? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    @Test func everyQueryIsValidAndHostPanelsHaveData() throws {
        let queries = try Self.queries()
        #expect(queries.count >= 10)
        // A real backup, so that the backup panels have data (age, size, gzip verdict).
        let backups = NSTemporaryDirectory() + "dashboard-backups-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: backups) }
        try Data(try Gzip.compress(Array("-- PostgreSQL database dump\n".utf8))).write(to: URL(fileURLWithPath: backups + "/postgres_backup_1.sql.gz"))
        // An access log, so that the nginx 5xx ratio panel has data (0/0 until traffic: NaN, a series all the same).
        try Data().write(to: URL(fileURLWithPath: backups + "/access.log"))
        let exporter = try ExporterProcess([
            "--files.glob=pg=\(backups)/postgres_backup_*.sql.gz", "--files.verify-gzip", "--nginx.access-log=\(backups)/access.log",
        ])
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(exporter.port)")
        defer { prometheus.stop() }
        _ = try prometheus.waitForQuery("up", until: { $0.contains("\"1\"") })
        // rate() over $__rate_interval (20s) needs a few samples: wait until Prometheus holds 4.
        let samples = try prometheus.waitForQuery("count_over_time(up{job=\"stack\"}[20s])") { (Self.firstValue($0) ?? 0) >= 4 }
        #expect((Self.firstValue(samples) ?? 0) >= 4, "\(samples.prefix(300))")
        let needsData = ["Memory used", "CPU busy", "Disk used", "Load", "Network traffic", "Collector success", "Collector duration", "Backup age", "Backup files", "nginx 5xx ratio"]
        for query in queries {
            let body = try prometheus.query(Self.substitute(query.expr))
            #expect(body.contains("\"status\":\"success\""), "\(query.panel): \(query.expr) → \(body.prefix(200))")
            if needsData.contains(query.panel) {
                #expect(body.contains("\"metric\""), "\(query.panel) has no data: \(query.expr)")
            }
        }
    }
}
