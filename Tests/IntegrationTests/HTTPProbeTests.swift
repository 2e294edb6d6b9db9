import Foundation
import TestSupport
import Testing
@testable import ExporterCore

/// The binary's `http` collector and `/probe?module=http` against real servers on 127.0.0.1:
/// `python3 -m http.server`, `openssl s_server -www`, scripts/http_fault_server.py for the faults
/// (500, stall after the head, redirect loop, chunked), and Debian's prometheus-blackbox-exporter
/// probing the same targets for the comparison.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HTTPProbeTests {
    typealias Server = TLSIntegrationTests.Server

    /// Every server once for the suite's tests (each test starts its own exporter).
    final class Servers {
        let files: Server, faults: Server, tls: Server
        let certs: CertFactory
        let docroot = NSTemporaryDirectory() + "http-it-\(UUID().uuidString)"

        init() throws {
            try FileManager.default.createDirectory(atPath: docroot, withIntermediateDirectories: true)
            try "hello from http.server\n".write(toFile: docroot + "/index.html", atomically: true, encoding: .utf8)
            files = try Server(["/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", docroot],
                               portLine: " port ")
            faults = try Server(["/usr/bin/python3", "-u", Package.root + "/scripts/http_fault_server.py"], portLine: "PORT ")
            certs = try CertFactory()
            try certs.selfSigned("server", cn: "127.0.0.1", san: "IP:127.0.0.1")
            tls = try TLSIntegrationTests.sServer(["-cert", certs.path("server.pem"), "-key", certs.path("server.key")])
        }

        deinit { try? FileManager.default.removeItem(atPath: docroot) }

        var ok: String { "http://127.0.0.1:\(faults.port)/ok" }
        func fault(_ path: String) -> String { "http://127.0.0.1:\(faults.port)/\(path)" }
        var https: String { "https://127.0.0.1:\(tls.port)/" }
        var index: String { "http://127.0.0.1:\(files.port)/" }
    }

    static func value(_ text: String, _ metric: String, _ fragments: [String] = []) -> Double? {
        TLSIntegrationTests.value(text, metric, fragments)
    }

    static func body(_ response: (status: Int, headers: [String: String], body: Data)) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    @Test func everyEndpointOnMetricsWithTargetAndNameAndAStallFailsAlone() throws {
        let s = try Servers()
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.http", "--http.timeout=10s",
            "--http.endpoint=\(s.index),name=files", "--http.endpoint=\(s.fault("500")),name=broken",
            "--http.endpoint=\(s.fault("stall")),name=stall", "--http.endpoint=\(s.fault("loop"))",
            "--http.endpoint=\(s.fault("chunked")),name=chunked,body-regex=chunk two",
            "--http.endpoint=\(s.fault("chunked")),name=regex-miss,body-regex=^absent",
            "--http.endpoint=\(s.https),name=tls-ca,ca=\(s.certs.path("server.pem"))",
            "--http.endpoint=\(s.https),name=tls-system",
        ])
        let started = Date()
        let response = try exporter.get("/metrics", headers: ["X-Prometheus-Scrape-Timeout-Seconds": "2"])
        let took = Date().timeIntervalSince(started)
        let text = Self.body(response)
        #expect(response.status == 200)
        // The stalled body holds its probe to the item deadline (2 s less the margin), not the scrape.
        #expect(took < 2, "scrape took \(took) s")
        func success(_ name: String) -> Double? { Self.value(text, "probe_success", ["name=\"\(name)\""]) }
        #expect(success("files") == 1)
        #expect(success("broken") == 0)
        #expect(success("stall") == 0)
        #expect(success(s.fault("loop")) == 0)
        #expect(success("chunked") == 1)
        #expect(success("regex-miss") == 0)
        #expect(success("tls-ca") == 1)
        #expect(success("tls-system") == 0)
        #expect(Self.value(text, "probe_success", ["target=\"\(s.index)\"", "name=\"files\""]) == 1)
        #expect(Self.value(text, "probe_http_status_code", ["name=\"broken\""]) == 500)
        #expect(Self.value(text, "probe_http_status_code", ["name=\"stall\""]) == 200)
        #expect(Self.value(text, "probe_http_redirects", ["name=\"\(s.fault("loop"))\""]) == 11)
        #expect(Self.value(text, "probe_http_content_length", ["name=\"chunked\""]) == -1)
        #expect(Self.value(text, "probe_http_uncompressed_body_length", ["name=\"chunked\""]) == 30)
        #expect(Self.value(text, "probe_failed_due_to_regex", ["name=\"regex-miss\""]) == 1)
        #expect(Self.value(text, "probe_http_ssl", ["name=\"tls-ca\""]) == 1)
        #expect(Self.value(text, "probe_tls_version_info", ["name=\"tls-ca\"", "version=\"TLS 1.3\""]) == 1)
        #expect((Self.value(text, "probe_ssl_earliest_cert_expiry", ["name=\"tls-ca\""]) ?? 0) > Date().timeIntervalSince1970)
        #expect(Self.value(text, "stack_exporter_scrape_collector_success", ["collector=\"http\""]) == 1)
        // Every probe_* sample of this collector carries both labels.
        let unlabelled = text.split(separator: "\n").filter { $0.hasPrefix("probe_") && !($0.contains("target=\"") && $0.contains("name=\"")) }
        #expect(unlabelled.isEmpty, "\(unlabelled)")
    }

    @Test func probeModuleHTTPAndAllowList() throws {
        let s = try Servers()
        let exporter = try ExporterProcess(["--collector.disable-defaults", "--collector.http", "--http.endpoint=\(s.ok)"])
        let ok = try exporter.get("/probe?module=http&target=\(s.fault("redirect"))")
        #expect(ok.status == 200)
        #expect(Self.value(Self.body(ok), "probe_success") == 1)
        #expect(Self.value(Self.body(ok), "probe_http_redirects") == 1)
        #expect(!Self.body(ok).contains("target=") && !Self.body(ok).contains("name="))
        let head = try exporter.get("/probe?module=http&method=HEAD&target=\(s.ok)")
        #expect(Self.value(Self.body(head), "probe_http_uncompressed_body_length") == 0)
        #expect(Self.value(Self.body(head), "probe_http_content_length") == 21)
        #expect(try exporter.get("/probe?module=http&target=http://127.0.0.2:\(s.faults.port)/ok").status == 403)
        #expect(try exporter.get("/probe?module=http&target=ftp://127.0.0.1/").status == 400)
        #expect(try exporter.get("/probe?module=nope&target=\(s.ok)").status == 400)
        // Without module, /probe keeps meaning the TLS probe (here: the tls collector is off).
        #expect(try exporter.get("/probe?target=127.0.0.1:\(s.tls.port)").status == 400)
    }

    @Test func ipv6LoopbackLiteral() throws {
        let docroot = NSTemporaryDirectory() + "http-v6-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: docroot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: docroot) }
        let server = try Server(["/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind", "::1", "--directory", docroot], portLine: " port ")
        let url = "http://[::1]:\(server.port)/"
        let exporter = try ExporterProcess(["--collector.disable-defaults", "--collector.http", "--http.endpoint=\(url),name=v6"])
        let text = Self.body(try exporter.get("/metrics"))
        #expect(Self.value(text, "probe_success", ["name=\"v6\"", "target=\"\(url)\""]) == 1)
        #expect(Self.value(text, "probe_ip_protocol", ["name=\"v6\""]) == 6)
    }

    @Test(arguments: [
        "--http.endpoint=gopher://127.0.0.1/", "--http.endpoint=http://127.0.0.1/,colour=red",
        "--http.endpoint=http://127.0.0.1/,body-regex=(", "--http.timeout=0s",
    ])
    func badConfigurationExitsWithStatus2(_ flag: String) throws {
        let result = try runCommand([try Package.binary(), "--web.listen-address=127.0.0.1:0", flag], timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr.contains("http"), "\(result.stderr)")
    }

    // MARK: blackbox_exporter side by side

    /// Series identities (`name{label="v",…}` without values) and `probe_success` of one probe.
    static func identities(_ text: String) -> (series: Set<String>, success: Double?) {
        var series = Set<String>()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            series.insert(String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)]))
        }
        return (series, value(text, "probe_success"))
    }

    @Test func sameNamesLabelsAndVerdictsAsBlackbox() throws {
        let s = try Servers()
        let ca = s.certs.path("server.pem")
        let config = NSTemporaryDirectory() + "blackbox-\(UUID().uuidString).yml"
        defer { unlink(config) }
        try """
            modules:
              http: {prober: http, timeout: 1s}
              http_insecure: {prober: http, timeout: 1s, http: {tls_config: {insecure_skip_verify: true}}}
              http_ca: {prober: http, timeout: 1s, http: {tls_config: {ca_file: "\(ca)"}}}
              http_hit: {prober: http, timeout: 1s, http: {fail_if_body_not_matches_regexp: ["chunk two"]}}
              http_miss: {prober: http, timeout: 1s, http: {fail_if_body_not_matches_regexp: ["^absent"]}}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let port = try TLSIntegrationTests.freePort()
        let blackbox = try ChildProcess(
            [try tool("prometheus-blackbox-exporter"), "--config.file=\(config)", "--web.listen-address=127.0.0.1:\(port)"],
            stderr: .file(config + ".log"))
        defer { blackbox.killGroup(); blackbox.wait(timeout: 5); unlink(config + ".log") }
        #expect(Wait.until(timeout: 10, interval: 0.02) { (try? Socket.connect(host: "127.0.0.1", port: port)).map { $0.close(); return true } ?? false })
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.http", "--http.timeout=1s", "--http.probe-allow=127.0.0.1",
            "--http.endpoint=\(s.https),insecure", "--http.endpoint=https://127.0.0.1:\(s.tls.port)/ca,ca=\(ca)",
        ])
        let cases: [(module: String, target: String, ours: String, success: Double)] = [
            ("http", s.index, "", 1), ("http", s.ok, "", 1), ("http", s.fault("500"), "", 0), ("http", s.fault("chunked"), "", 1),
            ("http", s.fault("redirect"), "", 1), ("http", s.fault("loop"), "", 0), ("http", s.fault("stall"), "", 0),
            ("http", "https://127.0.0.1:\(s.tls.port)/verify", "", 0), ("http_insecure", s.https, "", 1), ("http_ca", "https://127.0.0.1:\(s.tls.port)/ca", "", 1),
            ("http_hit", s.fault("chunked"), "&body-regex=chunk%20two", 1), ("http_miss", s.fault("chunked"), "&body-regex=%5Eabsent", 0),
            ("http", "http://127.0.0.1:\(try TLSIntegrationTests.freePort())/", "", 0),
        ]
        for c in cases {
            let theirs = try runCommand(["curl", "-s", "-m", "5", "http://127.0.0.1:\(port)/probe?module=\(c.module)&target=\(c.target)"]).stdout
            let ours = Self.body(try exporter.get("/probe?module=http&target=\(c.target)\(c.ours)", headers: ["X-Prometheus-Scrape-Timeout-Seconds": "1.5"]))
            let (a, b) = (Self.identities(theirs), Self.identities(ours))
            #expect(a.success == c.success && b.success == c.success, "\(c.module) \(c.target): blackbox \(String(describing: a.success)), ours \(String(describing: b.success))")
            let missing = a.series.subtracting(b.series), extra = b.series.subtracting(a.series)
            #expect(missing.isEmpty && extra.isEmpty, "\(c.module) \(c.target): missing \(missing.sorted()), extra \(extra.sorted())")
        }
    }
}
