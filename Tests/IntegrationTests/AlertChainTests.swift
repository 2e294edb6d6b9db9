import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// The whole chain on loopback: stack_exporter (the real binary) → Debian's Prometheus (1 s scrape
/// and evaluation, the rules that `stack_exporter rules` generates, BackupTooOld's `for:` set to
/// 0s with `--check.set=backup_age.critical.for=0s`) → Debian's Alertmanager running
/// prometheus/alertmanager.yml (its webhook URLs and timings replaced) → a webhook receiver (a
/// small python server writing each POST to a file). A backup going stale pages the critical
/// receiver with its labels and runbook_url; a new backup resolves it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct AlertChainTests {
    @Test func aStaleBackupPagesTheCriticalWebhookAndResolves() throws {
        let chain = try AlertChain()
        defer { chain.stop() }
        let old = chain.backups + "/postgres_backup_old.sql"
        try "-- dump\n".write(toFile: old, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60 * 3600)], ofItemAtPath: old)
        try chain.start()

        let firing = chain.waitForNotification(path: "/critical", status: "firing", alert: "BackupTooOld")
        let alert = try #require(firing, "no firing BackupTooOld at /critical: \(chain.diagnostics)")
        let labels = alert["labels"] as? [String: String] ?? [:]
        #expect(labels["severity"] == "critical")
        #expect(labels["name"] == "pg")
        #expect(labels["pattern"] == chain.backups + "/*.sql")
        #expect(labels["job"] == "stack")
        let annotations = alert["annotations"] as? [String: String] ?? [:]
        #expect(annotations["runbook_url"] == "http://runbook.test/runbook.md#backuptooold")
        #expect(annotations["summary"] == "The newest pg file on 127.0.0.1:\(chain.exporterPort) is older than 50 hours", "\(annotations)")
        #expect(annotations["description"]?.hasPrefix(chain.backups + "/*.sql: last written 2d ") == true, "\(annotations)")
        #expect(!chain.notifications().contains { $0.path == "/warning" }, "a critical backup is not also a warning")

        try "-- dump\n".write(toFile: chain.backups + "/postgres_backup_new.sql", atomically: true, encoding: .utf8)
        let resolved = chain.waitForNotification(path: "/critical", status: "resolved", alert: "BackupTooOld")
        #expect(resolved != nil, "no resolution: \(chain.diagnostics)")
    }
}

/// The four processes of the chain, in a temporary directory.
final class AlertChain {
    let directory: String
    var backups: String { directory + "/backups" }
    private var exporter: ExporterProcess?
    private var children: [ChildProcess] = []
    private(set) var exporterPort: UInt16 = 0
    private var prometheusPort: UInt16 = 0
    private var alertmanagerPort: UInt16 = 0

    init() throws {
        directory = NSTemporaryDirectory() + "alert-chain-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/backups", withIntermediateDirectories: true)
    }

    func start() throws {
        let exporter = try ExporterProcess(["--collector.disable-defaults", "--collector.files", "--files.glob=pg=\(backups)/*.sql"])
        self.exporter = exporter
        exporterPort = exporter.port
        let webhook = try freePort()
        children.append(try ChildProcess([try tool("python3"), "-c", Self.receiver, String(webhook), directory + "/hooks"],
                                         stderr: .file(directory + "/webhook.log")))
        alertmanagerPort = try startAlertmanager(webhook: webhook)
        try startPrometheus()
    }

    private func startAlertmanager(webhook: UInt16) throws -> UInt16 {
        let example = try String(contentsOfFile: Package.root + "/prometheus/alertmanager.yml", encoding: .utf8)
        let config = example.replacingOccurrences(of: "127.0.0.1:9095", with: "127.0.0.1:\(webhook)")
            .replacingOccurrences(of: #"group_wait: \w+"#, with: "group_wait: 1s", options: .regularExpression)
            .replacingOccurrences(of: #"group_interval: \w+"#, with: "group_interval: 1s", options: .regularExpression)
        try config.write(toFile: directory + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        children.append(try ChildProcess([
            try tool("prometheus-alertmanager"), "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/am",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ], stderr: .file(directory + "/alertmanager.log")))
        return port
    }

    private func startPrometheus() throws {
        let rules = try run(try Package.binary(), [
            "rules", "--check.set=backup_age.critical.for=0s", "--rules.runbook-base-url=http://runbook.test/runbook.md",
        ])
        guard rules.status == 0 else { throw TestFailure("rules: \(rules.stderr)") }
        try rules.stdout.write(toFile: directory + "/alerts.yml", atomically: true, encoding: .utf8)
        let config = """
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            alerting:
              alertmanagers:
                - static_configs: [{targets: ['127.0.0.1:\(alertmanagerPort)']}]
            rule_files: ['\(directory)/alerts.yml']
            scrape_configs:
              - job_name: stack
                static_configs: [{targets: ['127.0.0.1:\(exporterPort)']}]
            """
        try config.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        prometheusPort = try freePort()
        children.append(try ChildProcess([
            try tool("prometheus"), "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--rules.alert.resend-delay=1s",
        ], stderr: .file(directory + "/prometheus.log")))
    }

    /// Each POST the receiver got: its path and the decoded webhook payload.
    func notifications() -> [(path: String, payload: [String: Any])] {
        let text = (try? String(contentsOfFile: directory + "/hooks", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " "),
                  let object = try? JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8)) as? [String: Any]
            else { return nil }
            return (String(line[..<space]), object)
        }
    }

    /// Polls (45 s at most) for a notification at `path` carrying `alert` with `status`.
    func waitForNotification(path: String, status: String, alert name: String) -> [String: Any]? {
        var found: [String: Any]? = nil
        Wait.until(timeout: 45, interval: 0.2) {
            for note in notifications() where note.path == path {
                let alerts = note.payload["alerts"] as? [[String: Any]] ?? []
                found = alerts.first { ($0["labels"] as? [String: String])?["alertname"] == name && $0["status"] as? String == status }
                if found != nil { return true }
            }
            return false
        }
        return found
    }

    var diagnostics: String {
        ["hooks", "alertmanager.log", "prometheus.log", "webhook.log"].map { name in
            "\n--- \(name)\n" + String(((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "").suffix(1500))
        }.joined()
    }

    func stop() {
        for child in children.reversed() { child.stop(timeout: 10) }
        children = []
        exporter = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The webhook receiver: every POST appended to a file as "PATH BODY" on one line.
    static let receiver = """
        import http.server, sys
        out = open(sys.argv[2], 'a')
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                out.write(self.path + ' ' + body.decode('utf-8').replace('\\n', ' ') + '\\n')
                out.flush()
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Hook).serve_forever()
        """
}
