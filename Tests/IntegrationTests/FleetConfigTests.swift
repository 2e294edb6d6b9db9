import Foundation
import Testing
import TestSupport

/// prometheus/fleet.yml as shipped: promtool accepts it, and a real Prometheus running its scrape
/// job over a file_sd target file (pointing at two a real exporter and a refused address) names hosts without ports and
/// keeps the file's labels, while remote_write delivers the samples to VictoriaMetrics.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FleetConfigTests {
    @Test func promtoolAcceptsTheFleetConfiguration() throws {
        let checked = try run(try tool("promtool"), ["check", "config", Package.root + "/prometheus/fleet.yml"])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }

    @Test func fileSDTargetsAreRelabelledToHostsAndWrittenToVictoriaMetrics() throws {
        let first = try ExporterProcess(["--collector.disable-defaults", "--collector.loadavg"])
        let victoria = try VictoriaMetrics()
        defer { victoria.stop() }
        let dir = NSTemporaryDirectory() + "fleet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/targets", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The shipped configuration with only the addresses changed: loopback, fast intervals.
        let shipped = try String(contentsOfFile: Package.root + "/prometheus/fleet.yml", encoding: .utf8)
        let config = shipped
            .replacingOccurrences(of: "scrape_interval: 15s", with: "scrape_interval: 1s")
            .replacingOccurrences(of: "scrape_timeout: 10s", with: "scrape_timeout: 1s")
            .replacingOccurrences(of: "refresh_interval: 1m", with: "refresh_interval: 1s")
            .replacingOccurrences(of: "http://victoria-metrics.example:8428", with: "http://127.0.0.1:\(victoria.port)")
            .replacingOccurrences(of: "batch_send_deadline: 5s", with: "batch_send_deadline: 1s")
            .replacingOccurrences(of: "  - alerts.yml\n  - recording.yml\n", with: "")
            .replacingOccurrences(of: "rule_files:\n", with: "")
        #expect(config.contains("127.0.0.1:\(victoria.port)"), "the shipped file's remote_write URL changed")
        try config.write(toFile: dir + "/fleet.yml", atomically: true, encoding: .utf8)
        try """
            - targets: ['127.0.0.1:\(first.port)']
              labels: {site: fra, role: web}
            - targets: ['127.0.0.2:\(first.port)']
              labels: {site: ams, role: db}
            """.write(toFile: dir + "/targets/stack.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        let prometheus = try ChildProcess([
            try tool("prometheus"), "--config.file=\(dir)/fleet.yml", "--storage.tsdb.path=\(dir)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ], stderr: .file(dir + "/prometheus.log"))
        defer { prometheus.stop(timeout: 10) }

        let query = "up{job=\"stack\",instance=\"127.0.0.1\",site=\"fra\",role=\"web\"}"
        var answer = ""
        let relabelled = Wait.until(timeout: 30, interval: 0.5) {
            answer = (try? httpGet(port: port, path: "/api/v1/query?query=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))) ?? ""
            return answer.contains("\"1\"]")
        }
        #expect(relabelled, "Prometheus: \(answer.prefix(300))")
        // The exporter listens on 127.0.0.1 only: the second target, 127.0.0.2, is refused — and
        // still named by its host, with its own labels.
        let downQuery = "up{instance=\"127.0.0.2\",site=\"ams\",role=\"db\"}".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var down = ""
        #expect(Wait.until(timeout: 30, interval: 0.5) {
            down = (try? httpGet(port: port, path: "/api/v1/query?query=" + downQuery)) ?? ""
            return down.contains("\"0\"]")
        }, "\(down.prefix(300))")
        let stored = try victoria.waitForQuery("node_load1{instance=\"127.0.0.1\",site=\"fra\",prometheus=\"site-a\"}") { $0.contains("\"metric\"") }
        #expect(stored.contains("\"metric\""), "VictoriaMetrics: \(stored.prefix(300))")
    }
}
