import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// `check`'s UNKNOWN rows, JSON output and overrides, and `rules`, through the real binary.
@Suite(.timeLimit(.minutes(10))) struct CheckOutputTests {
    private func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("check-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A file in a --tls.file glob that is not a certificate is a row of its own, UNKNOWN, with
    /// the collector's reason; exit 3. The same run as JSON carries the same verdict.
    @Test func anUnparsableCertificateFileIsAnUnknownRow() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "not a certificate\n".write(toFile: dir.path + "/broken.pem", atomically: true, encoding: .utf8)
        let arguments = ["check", "--collector.disable-defaults", "--collector.tls", "--tls.file=\(dir.path)/*.pem"]
        let text = try run(try Package.binary(), arguments, timeout: 30)
        #expect(text.status == 3, "\(text.stdout)\(text.stderr)")
        let row = text.stdout.split(separator: "\n").first { $0.hasPrefix("UNKNOWN certificate file · \(dir.path)/broken.pem") }
        #expect(row?.contains("cannot be read: ") == true, "\(text.stdout)")
        #expect(row?.hasSuffix("docs/runbook.md#certificatefileunreadable") == true, "\(text.stdout)")
        #expect(!text.stdout.contains("\u{1B}["), "no colour on a pipe")
        let json = try run(try Package.binary(), arguments + ["--output=json"], timeout: 30)
        #expect(json.status == 3)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "UNKNOWN")
        #expect(object?["exit_code"] as? Int == 3)
        let findings = object?["findings"] as? [[String: String]] ?? []
        #expect(findings.contains { $0["signal"] == "certificate_unreadable" && $0["subject"] == "\(dir.path)/broken.pem" }, "\(json.stdout)")
    }

    /// --check.config moves the line for `check` (a 5-day certificate is OK at critical = 3) and
    /// for `rules`; a bad line exits 2 naming file and line, before anything runs.
    @Test func overridesFromAFileAndTheirErrors() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CertFactory.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.path + "/key.pem",
                                 "-out", dir.path + "/cert.pem", "-days", "5", "-subj", "/CN=shop.example"])
        try "# five days are fine here\ncertificate.critical = 3\n".write(toFile: dir.path + "/t.conf", atomically: true, encoding: .utf8)
        let check = try run(try Package.binary(), [
            "check", "--collector.disable-defaults", "--collector.tls", "--tls.file=\(dir.path)/cert.pem", "--check.config=\(dir.path)/t.conf",
        ], timeout: 30)
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stdout.contains("[< 30 days warn, < 3 days crit]"), "\(check.stdout)")
        let rules = try run(try Package.binary(), ["rules", "--check.config=\(dir.path)/t.conf"])
        #expect(rules.status == 0 && rules.stdout.contains("x509_cert_not_after - time() < 3 * 86400\n"))
        try "memory.warning = 0.8\nmemory.critical = lots\n".write(toFile: dir.path + "/bad.conf", atomically: true, encoding: .utf8)
        for command in ["check", "rules"] {
            let bad = try run(try Package.binary(), [command, "--check.config=\(dir.path)/bad.conf"], timeout: 30)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("\(dir.path)/bad.conf:2: \"lots\" is not a ratio value"), "\(bad.stderr)")
            #expect(bad.stdout.isEmpty)
        }
        // Both levels of a pair moved by --check.set: in order once both are applied.
        let raised = try run(try Package.binary(), ["rules", "--check.set=memory.warning=0.95", "--check.set=memory.critical=0.99"])
        #expect(raised.status == 0 && raised.stdout.contains("instance:node_memory_used:ratio > 0.95\n"), "\(raised.stderr)")
        let crossed = try run(try Package.binary(), ["rules", "--check.set=memory.warning=0.95"])
        #expect(crossed.status == 2 && crossed.stderr.contains("--check.set: memory: warning 0.95 must be below critical 0.9"), "\(crossed.stderr)")
        let missing = try run(try Package.binary(), ["check", "--check.config=\(dir.path)/none.conf"], timeout: 30)
        #expect(missing.status == 2 && missing.stderr.contains("\(dir.path)/none.conf: cannot read"), "\(missing.stderr)")
    }

    /// Servers that do not answer are CRIT rows, a collector that fails an UNKNOWN row with its
    /// error; together the verdict is CRIT (exit 2), the plugins' order.
    @Test func unreachableServersAndAFailingCollectorAreRows() throws {
        let closed = try freePort()  // nothing listens there
        let result = try run(try Package.binary(), [
            "check", "--collector.disable-defaults", "--collector.redis", "--redis.addr=redis://127.0.0.1:\(closed)",
            "--collector.postgres", "--postgres.dsn=postgresql://u@127.0.0.1:\(closed)/db?connect_timeout=2",
            "--collector.nginx", "--nginx.status-url=http://127.0.0.1:\(closed)/stub_status",
            "--collector.containers", "--docker.host=unix:///nonexistent/docker.sock",
        ], timeout: 30)
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 2, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("CRIT    database reachable · 127.0.0.1:\(closed)") && $0.hasSuffix("#postgresdown") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("CRIT    redis reachable · redis://127.0.0.1:\(closed)") && $0.contains("down (") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("CRIT    nginx status page · http://127.0.0.1:\(closed)/stub_status") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("UNKNOWN collector · containers") && $0.contains("failed: connect /nonexistent/docker.sock") },
                "\(result.stdout)")
        #expect(lines.last == "runbook breached: 3 CRIT, 0 WARN, 1 UNKNOWN, 0 OK", "\(result.stdout)")
    }

    /// Colour only on a terminal (script(1) from util-linux gives the binary a pty), and not with
    /// NO_COLOR set; the pipe case is in anUnparsableCertificateFileIsAnUnknownRow.
    @Test func colourOnlyOnATerminalWithoutNoColor() throws {
        let command = "\(try Package.binary()) check --collector.disable-defaults --collector.meminfo"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        let coloured = try run(try tool("script"), ["-qec", command, "/dev/null"], environment: environment, timeout: 30)
        #expect(coloured.stdout.contains("\u{1B}[32mOK     \u{1B}[0m memory used"), "\(coloured.stdout)")
        environment["NO_COLOR"] = "1"
        let plain = try run(try tool("script"), ["-qec", command, "/dev/null"], environment: environment, timeout: 30)
        #expect(plain.stdout.contains("OK      memory used") && !plain.stdout.contains("\u{1B}["), "\(plain.stdout)")
    }

    @Test func rulesPrintsTheCommittedFiles() throws {
        let alerts = try run(try Package.binary(), ["rules"])
        #expect(alerts.status == 0)
        #expect(alerts.stdout == (try String(contentsOfFile: Package.root + "/prometheus/alerts.yml", encoding: .utf8)))
        let recording = try run(try Package.binary(), ["rules", "--output=recording"])
        #expect(recording.stdout == (try String(contentsOfFile: Package.root + "/prometheus/recording.yml", encoding: .utf8)))
        let url = try run(try Package.binary(), ["rules", "--rules.runbook-base-url=https://wiki.example/runbook"])
        #expect(url.stdout.contains("runbook_url: \"https://wiki.example/runbook#hostmemoryhigh\""))
    }
}
