import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// The parser Prometheus' Python client uses (Debian's python3-prometheus-client), in both formats.
private let pythonParser = """
import sys
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_families
text = sys.stdin.read()
parse = om_families if sys.argv[1] == "openmetrics" else text_string_to_metric_families
families = list(parse(text))
samples = sum(len(f.samples) for f in families)
assert samples > 0, "no samples"
print(len(families), samples)
"""

@Suite(.serialized, .timeLimit(.minutes(10))) struct BinaryTests {
    /// promtool (2.42) parses the 0.0.4 format and lints names. The only lints allowed are the
    /// ones node_exporter's own names trigger (camelCase `node_memory_MemTotal_bytes`, `_bits`),
    /// which we keep for dashboard compatibility. promtool cannot read OpenMetrics (`unknown`
    /// types, `# EOF`), so that format is checked by the Python parser and a real Prometheus.
    @Test func outputPassesPromtool() throws {
        let exporter = try ExporterProcess()
        let promtool = try tool("promtool")
        let text = try exporter.get("/metrics", headers: ["Accept": "text/plain"])
        #expect(text.status == 200)
        let result = try run(promtool, ["check", "metrics"], input: text.body)
        let complaints = (result.stdout + result.stderr).split(separator: "\n").filter { !$0.isEmpty }
        #expect(result.status == 0 || result.status == 3, "promtool failed: \(complaints.prefix(5))")
        for complaint in complaints {
            let inherited = complaint.hasPrefix("node_") && (complaint.hasSuffix("not 'camelCase'") || complaint.contains("base unit \"bytes\" instead of \"bits\""))
            #expect(inherited, "promtool: \(complaint)")
        }
    }

    @Test func outputParsesWithTheOfficialPythonParser() throws {
        let exporter = try ExporterProcess()
        for (accept, format) in [("text/plain", "text"), ("application/openmetrics-text;version=1.0.0", "openmetrics")] {
            let response = try exporter.get("/metrics", headers: ["Accept": accept, "Accept-Encoding": "gzip"])
            #expect(response.headers["content-encoding"] == "gzip")
            let body = Data(try Gzip.decompress(Array(response.body)))
            let result = try run("/usr/bin/python3", ["-c", pythonParser, format], input: body)
            #expect(result.status == 0, "python parser (\(format)): \(result.stderr)")
            let counts = result.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(counts.count == 2 && counts[0] >= 10, "families, samples: \(result.stdout)")
        }
    }

    @Test func sigtermStopsCleanlyWithinFiveSeconds() throws {
        let exporter = try ExporterProcess()
        #expect(try exporter.get("/-/ready").status == 200)
        let outcome = exporter.terminate()
        #expect(outcome?.status == 0)
        #expect((outcome?.seconds ?? 99) < 5)
    }

    @Test func badFlagsExitWithStatusTwoAndOneLine() throws {
        let binary = try Package.binary()
        for arguments in [["--no-such-flag"], ["--web.max-requests=lots"], ["--collector.timeout"]] {
            let result = try run(binary, arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("stack_exporter: error: "))
        }
    }

    @Test func helpListsEveryFlagWithItsDefault() throws {
        let result = try run(try Package.binary(), ["--help"])
        #expect(result.status == 0)
        for flag in ["--web.listen-address", "--web.telemetry-path", "--web.max-requests", "--collector.timeout",
                     "collector.disable-defaults", "--log.level", "--log.format", "(default: :9630)", "(default: 40)"] {
            #expect(result.stdout.contains(flag), "--help lacks \(flag)")
        }
        let version = try run(try Package.binary(), ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("stack_exporter, version "))
    }

    /// scripts/test builds with the checkout's commit (scripts/revision-flags) and says which in
    /// STACK_EXPORTER_BUILT_REVISION; a plain `swift build` reports "unknown". Either way the
    /// binary, its --version and stack_exporter_build_info agree.
    @Test func buildInfoCarriesTheCommit() throws {
        let expected = ProcessInfo.processInfo.environment["STACK_EXPORTER_BUILT_REVISION"] ?? "unknown"
        let version = try run(try Package.binary(), ["--version"])
        #expect(version.stdout.contains("(revision: \(expected),"), "\(version.stdout)")
        let exporter = try ExporterProcess(["--collector.disable-defaults"])
        let body = String(decoding: try exporter.get("/metrics").body, as: UTF8.self)
        #expect(body.contains("revision=\"\(expected)\""), "build_info lacks revision \(expected)")
    }

    @Test func listenFailureExitsNonZero() throws {
        let holder = try ExporterProcess()
        let result = try run(try Package.binary(), ["--web.listen-address=127.0.0.1:\(holder.port)"], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot listen"))
    }

    /// libpq, libssl, libcrypto and libcrypt are loaded only when a collector or the web config needs them: an exporter that
    /// watches no database and no certificate does not map them (they cost ~5 MB RSS together).
    @Test func optionalLibrariesAreLoadedOnlyWhenUsed() throws {
        func mapped(_ exporter: ExporterProcess) throws -> String {
            try String(contentsOfFile: "/proc/\(exporter.process.pid)/maps", encoding: .utf8)
        }
        let plain = try ExporterProcess()
        #expect(try plain.get("/metrics").status == 200)
        let plainMaps = try mapped(plain)
        for library in ["libcrypto.so", "libssl.so", "libpq.so", "libcrypt.so"] {
            #expect(!plainMaps.contains(library), "\(library) is mapped without a user")
        }

        let certificates = try CertFactory()
        let pem = try certificates.selfSigned("lazy", cn: "lazy.example")
        let watching = try ExporterProcess(["--collector.disable-defaults", "--collector.tls", "--tls.file=\(pem)"])
        #expect(try mapped(watching).contains("libcrypto.so") == false, "loaded before the first scrape")
        let body = String(decoding: try watching.get("/metrics").body, as: UTF8.self)
        #expect(sampleValue(body, "x509_cert_not_after", ["subject_CN": "lazy.example"]) != nil, "\(body.prefix(500))")
        #expect(try mapped(watching).contains("libcrypto.so"))
    }

    /// With the descriptor limit pinned at 48 (hard and soft), 100 clients exhaust it: accept(2)
    /// fails with EMFILE, the exporter sheds connections instead of spinning or crashing, and
    /// serves again once the clients are gone.
    @Test func survivesRunningOutOfFileDescriptors() throws {
        let exporter = try ExporterProcess(["--web.max-connections=1000"], wrapper: [try tool("prlimit"), "--nofile=48:48", "--"])
        var clients: [Socket] = []
        defer { clients.forEach { $0.close() } }
        for _ in 0..<100 {
            if let socket = try? Socket.connect(host: "127.0.0.1", port: exporter.port) { clients.append(socket) }
        }
        // accept(2) has failed with EMFILE (logged) and the exporter is still there.
        #expect(Wait.until(timeout: 10) { exporter.log.contains("msg=\"accept failed\"") }, "\(exporter.log)")
        #expect(exporter.process.isRunning)
        clients.forEach { $0.close() }
        clients = []
        // Serving again once the exporter has seen the closes: the first scrape that gets a 200.
        var response: (status: Int, headers: [String: String], body: Data) = (0, [:], Data())
        #expect(Wait.until(timeout: 10, interval: 0.05) {
            response = (try? exporter.get("/metrics")) ?? response
            return response.status == 200
        })
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains("process_max_fds 48"))
    }

    @Test func listensOnIPv6LoopbackAndDualStack() throws {
        let port = try freePort()
        let exporter = try ChildProcess([try Package.binary(), "--web.listen-address=[::1]:\(port)", "--collector.disable-defaults"])
        defer { exporter.stop() }
        let ok = Wait.until(timeout: 5, interval: 0.02) {
            (try? Socket.connect(host: "::1", port: port)).map { $0.close(); return true } ?? false
        }
        #expect(ok, "no answer on [::1]:\(port)")
        #expect((try? Socket.connect(host: "127.0.0.1", port: port)) == nil, "an explicit [::1] must not listen on IPv4")
    }

    @Test func jsonLogsAreJSON() throws {
        // A port that is taken, so the exporter logs an error and exits.
        let holder = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        defer { holder.close() }
        let port = try #require(holder.localPort())
        let result = try run(try Package.binary(), ["--web.listen-address=127.0.0.1:\(port)", "--log.format=json"], timeout: 10)
        let line = try #require(result.stderr.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["level"] as? String == "error")
    }
}

@Suite(.timeLimit(.minutes(10))) struct CheckCommandTests {
    /// `check` on this machine with the host collectors: a report and an exit status that matches
    /// the worst line (0, 1, 2 or 3 for UNKNOWN, as monitoring plugins use them).
    @Test func checkReportsAndExitsWithTheWorstSeverity() throws {
        let result = try run(try Package.binary(), ["check"], timeout: 30)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains("memory used · host") })
        #expect(lines.contains { $0.contains("disk used · /") })
        let expected: Int32 = lines.contains { $0.hasPrefix("CRIT") } ? 2 : lines.contains { $0.hasPrefix("WARN") } ? 1
            : lines.contains { $0.hasPrefix("UNKNOWN") } ? 3 : 0
        #expect(result.status == expected, "\(result.stdout)")
        let headline = [0: "all within the runbook", 3: "runbook not fully known"][expected] ?? "runbook breached"
        #expect(lines.last?.hasPrefix(headline) == true)
    }
}

extension CheckCommandTests {
    /// The runbook's "certificate expires in < 7 days": a certificate made by openssl that expires
    /// in 5 days makes `check` report CRIT and exit 2.
    @Test func checkPagesForACertificateExpiringWithinAWeek() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let made = try run(try tool("openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.path + "/key.pem",
            "-out", directory.path + "/cert.pem", "-days", "5", "-subj", "/CN=shop.example",
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try run(try Package.binary(), [
            "check", "--collector.disable-defaults", "--collector.tls", "--tls.file=\(directory.path)/*.pem",
        ], timeout: 30)
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.contains("CRIT    certificate · \(directory.path)/cert.pem (shop.example)"), "\(result.stdout)")
    }
}
