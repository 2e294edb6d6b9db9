import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// Our own dashboards (dashboards/*.json) against the whole stack on loopback (`StackFixture`):
/// every panel query is valid PromQL and returns data, from a real Prometheus scraping the real
/// exporter and from VictoriaMetrics fed by that Prometheus' `remote_write` — so the dashboards
/// work on the long-term store too.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DashboardTests {
    struct Query {
        let dashboard: String
        let panel: String
        let expr: String
    }

    static func queries() throws -> [Query] {
        let directory = Package.root + "/dashboards"
        var result: [Query] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where file.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String {
                        result.append(Query(dashboard: file, panel: panel["title"] as? String ?? "?", expr: expr))
                    }
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
            .replacingOccurrences(of: "$server", with: ".+")
            .replacingOccurrences(of: "$container", with: ".+")
    }

    /// The value of the first series in a /api/v1/query answer (`"value":[time,"v"]`).
    static func firstValue(_ body: String) -> Double? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    static func hasSeries(_ body: String) -> Bool { body.contains("\"status\":\"success\"") && body.contains("\"metric\"") }

    @Test func everyPanelOfEveryDashboardHasDataOnPrometheusAndVictoriaMetrics() throws {
        let queries = try Self.queries()
        #expect(queries.count >= 60)
        let stack = try StackFixture()
        // docs/scale.md counts series per host from this exposition.
        if let path = ProcessInfo.processInfo.environment["STACK_EXPOSITION_OUT"] {
            try httpGet(port: stack.exporter.port, path: "/metrics").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let victoria = try VictoriaMetrics()
        defer { victoria.stop() }
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(stack.exporter.port)",
                                              extra: "remote_write:\n  - url: http://127.0.0.1:\(victoria.port)/api/v1/write\n    queue_config: {batch_send_deadline: 1s}")
        defer { prometheus.stop() }
        // rate() over $__rate_interval (20s) needs a few samples: wait until both stores hold 4.
        let enough: (String) -> Bool = { (Self.firstValue($0) ?? 0) >= 4 }
        let samples = "count_over_time(up{job=\"stack\"}[20s])"
        #expect(enough(try prometheus.waitForQuery(samples, timeout: 60, until: enough)), "Prometheus has too few samples")
        #expect(enough(try victoria.waitForQuery(samples, timeout: 60, until: enough)), "VictoriaMetrics has too few samples")
        for (name, query) in [("Prometheus", prometheus.query), ("VictoriaMetrics", victoria.query)] as [(String, (String) throws -> String)] {
            var missing: [String] = []
            for q in queries {
                let body = try query(Self.substitute(q.expr))
                if !Self.hasSeries(body) { missing.append("\(q.dashboard) · \(q.panel): \(q.expr) → \(body.prefix(160))") }
            }
            #expect(missing.isEmpty, "\(name): \(missing.count) of \(queries.count) queries without data:\n\(missing.joined(separator: "\n"))")
        }
    }

    /// The dashboard is what scripts/make_dashboard.py writes from dashboards/thresholds.json (the
    /// threshold table, drift-checked in AlertRulesTests), and its threshold steps are the table's.
    @Test func dashboardIsGeneratedFromTheThresholdTable() throws {
        let result = try run(try tool("python3"), [Package.root + "/scripts/make_dashboard.py", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: Package.root + "/dashboards/stack-overview.json"))
        let panels = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["panels"] as? [[String: Any]] ?? []
        func steps(_ title: String) -> [String] {
            let panel = panels.first { $0["title"] as? String == title }
            let defaults = (panel?["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any]
            let list = (defaults?["thresholds"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
            return list.map { "\($0["color"] ?? "") \($0["value"].map { "\($0)" } ?? "")" }
        }
        #expect(steps("Memory used") == ["green <null>", "orange 0.8", "red 0.9"])
        #expect(steps("Certificate files: days left") == ["red <null>", "orange 7", "green 30"])
        #expect(steps("Backup age") == ["green <null>", "orange 26", "red 50"])
        #expect(steps("CPU busy") == ["green <null>", "orange 0.8"])
    }
}

/// Debian's VictoriaMetrics on a loopback port, its data in a temporary directory. The latency
/// offset is 0 so that an instant query sees the newest samples, as Prometheus does.
final class VictoriaMetrics: PromQLServer {
    private var process: ChildProcess?
    let port: UInt16
    let directory = NSTemporaryDirectory() + "vm-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try freePort()
        let process = try ChildProcess([
            try tool("victoria-metrics"), "-storageDataPath=\(directory)/data", "-httpListenAddr=127.0.0.1:\(port)",
            "-search.latencyOffset=0s", "-search.disableCache", "-retentionPeriod=1d", "-selfScrapeInterval=0",
        ], stderr: .file(directory + "/vm.log"))
        self.process = process
        let port = self.port
        guard Wait.until(timeout: 20, interval: 0.05, { (try? httpGet(port: port, path: "/health"))?.contains("OK") ?? false }) else {
            throw TestFailure("victoria-metrics did not start: \((try? String(contentsOfFile: directory + "/vm.log", encoding: .utf8))?.suffix(500) ?? "")")
        }
    }

    func stop() {
        process?.stop(timeout: 10)
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}
