import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// A real Prometheus (Debian's package) scraping the real exporter: Prometheus negotiates
/// OpenMetrics first, so this proves that format is accepted end to end and that series keep the
/// names of the 0.0.4 format.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PrometheusScrapeTests {
    @Test func prometheusScrapesAndKeepsNames() throws {
        let exporter = try ExporterProcess()
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(exporter.port)")
        defer { prometheus.stop() }
        let up = try prometheus.waitForQuery("up", until: { $0.contains("\"1\"") })
        #expect(up.contains("\"1\""), "up: \(up)")
        for name in ["process_cpu_seconds_total", "stack_exporter_build_info", "stack_exporter_scrape_collector_success", "node_load1"] {
            let result = try prometheus.query(name)
            #expect(result.contains("\"__name__\":\"\(name)\""), "\(name) missing: \(result)")
        }
        let headers = try prometheus.query("scrape_samples_scraped")
        #expect(!headers.contains("\"0\""))
    }
}

/// The project's own rules (prometheus/): valid, their unit tests pass, and the recording rules
/// compute from what the exporter really serves.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RuleTests {
    @Test func rulesAndConfigAreValidAndTheirTestsPass() throws {
        let promtool = try tool("promtool")
        let check = try run(promtool, ["check", "rules", "\(Package.root)/prometheus/alerts.yml", "\(Package.root)/prometheus/recording.yml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let tests = try run(promtool, ["test", "rules", "\(Package.root)/prometheus/tests/alerts_test.yml"])
        #expect(tests.status == 0, "\(tests.stdout)\(tests.stderr)")
        let config = try run(promtool, ["check", "config", "\(Package.root)/prometheus/prometheus.yml"])
        #expect(config.status == 0, "\(config.stdout)\(config.stderr)")
    }

    @Test func recordingRulesComputeFromTheExporter() throws {
        let exporter = try ExporterProcess()
        let prometheus = try PrometheusServer(
            target: "127.0.0.1:\(exporter.port)", ruleFiles: ["\(Package.root)/prometheus/recording.yml"])
        defer { prometheus.stop() }
        for record in ["instance:node_memory_used:ratio", "instance:node_filesystem_used:ratio"] {
            let result = try prometheus.waitForQuery(record, until: { $0.contains("\"__name__\":\"\(record)\"") })
            #expect(result.contains("\"__name__\":\"\(record)\""), "\(record): \(result)")
        }
    }
}

/// Starts `prometheus` on a free loopback port with a 1 s scrape interval of one target.
final class PrometheusServer: PromQLServer {
    private var process: ChildProcess?
    let port: UInt16
    let directory: URL

    /// `job` adds lines to the scrape job (indented for it), e.g. `scheme: https`.
    /// `extra` is appended at the top level of the configuration (e.g. a `remote_write` section).
    init(target: String, ruleFiles: [String] = [], evaluationInterval: String = "1s", job: [String] = [], extra: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let rules = ruleFiles.isEmpty ? "" : "rule_files:\n" + ruleFiles.map { "  - \($0)\n" }.joined()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: \(evaluationInterval)
            \(rules)scrape_configs:
              - job_name: stack
            \(job.map { "    \($0)\n" }.joined())    static_configs:
                  - targets: ['\(target)']
            \(extra)
            """
        try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        port = try freePort()
        process = try ChildProcess([
            try tool("prometheus"),
            "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ], stderr: .file(directory.path + "/prometheus.log"))
    }

    func stop() {
        process?.stop(timeout: 10)
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

}

/// A server answering Prometheus' query API on a loopback port (Prometheus, VictoriaMetrics).
protocol PromQLServer {
    var port: UInt16 { get }
}

extension PromQLServer {
    func query(_ expression: String) throws -> String {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        return try httpGet(port: port, path: "/api/v1/query?query=\(encoded)")
    }

    /// Polls a query for up to `timeout` seconds until `until` holds.
    func waitForQuery(_ expression: String, timeout: Double = 30, until: (String) -> Bool) throws -> String {
        var last = ""
        Wait.until(timeout: timeout, interval: 0.5) {
            guard let result = try? query(expression) else { return false }
            last = result
            return until(result)
        }
        return last
    }
}

/// A port the kernel reports free on 127.0.0.1.
func freePort() throws -> UInt16 {
    let socket = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
    defer { socket.close() }
    guard let port = socket.localPort() else { throw TestFailure("no port") }
    return port
}

/// A plain GET returning the body, for JSON APIs on loopback.
func httpGet(port: UInt16, path: String) throws -> String {
    let socket = try Socket.connect(host: "127.0.0.1", port: port)
    defer { socket.close() }
    try socket.writeAll(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while socket.waitUntil(readable: true, timeoutMilliseconds: 10_000) {
        guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP response from :\(port)") }
    return String(text[split.upperBound...])
}
