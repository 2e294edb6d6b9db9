import Testing
@testable import ExporterCore

private func family(_ name: String, _ samples: [([String: String], Double)]) -> MetricFamily {
    MetricFamily(FamilyDescriptor(name: name, type: .gauge, help: "h"),
                 samples: samples.map { labels, value in Sample(labels: labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }, value: value) })
}

private func evaluate(_ families: [MetricFamily]) -> [RunbookCheck.Finding] {
    RunbookCheck.evaluate(first: families, second: families, interval: 1, now: 1_000_000)
}

/// UNKNOWN rows, the verdict's order and the JSON output.
@Suite struct CheckVerdictTests {
    @Test(arguments: [
        ([RunbookCheck.Severity](), RunbookCheck.Severity.ok, Int32(0)),
        ([.ok, .unknown], .unknown, 3),
        ([.unknown, .warning], .warning, 1),
        ([.warning, .critical, .unknown], .critical, 2),
    ])
    func verdictIsCritThenWarnThenUnknownThenOK(_ rows: ([RunbookCheck.Severity], RunbookCheck.Severity, Int32)) {
        let findings = rows.0.map { RunbookCheck.Finding(severity: $0, signal: "s", subject: "x", value: "v", rule: "r") }
        #expect(RunbookCheck.verdict(findings) == rows.1)
        #expect(RunbookCheck.verdict(findings).exitCode == rows.2)
    }

    /// Each failed item is a row with its reason: an unreadable certificate file, a pattern with
    /// no file, a failing collector, unreachable servers, a backup pattern with no match.
    @Test func failedItemsAreRowsWithReasons() {
        let findings = evaluate([
            family("x509_cert_error", [(["filepath": "/ssl/bad.pem", "filename": "bad.pem", "reason": "permission_denied"], 1),
                                       (["filepath": "/ssl/good.pem", "filename": "good.pem", "reason": ""], 0)]),
            family("x509_source_up", [(["source": "/ssl/*.crt"], 0), (["source": "/ssl/*.pem"], 1)]),
            family("stack_exporter_scrape_collector_success", [(["collector": "containers"], 0), (["collector": "tls"], 1)]),
            family("pg_up", [(["server": "db:5432"], 0)]),
            family("redis_up", [(["addr": "redis://127.0.0.1:6379"], 0)]),
            family("nginx_up", [(["addr": "http://127.0.0.1/stub_status"], 0)]),
            family("stack_exporter_files_count", [(["name": "pg", "pattern": "/srv/*.gz"], 0)]),
        ])
        func row(_ id: String) -> RunbookCheck.Finding? { findings.first { $0.id == id } }
        #expect(row("certificate_unreadable")?.severity == .unknown)
        #expect(row("certificate_unreadable")?.subject == "/ssl/bad.pem")
        #expect(row("certificate_unreadable")?.value == "cannot be read: permission_denied")
        #expect(findings.filter { $0.id == "certificate_unreadable" }.count == 1)
        #expect(row("certificate_source")?.subject == "/ssl/*.crt")
        #expect(row("collector")?.subject == "containers" && row("collector")?.severity == .unknown)
        #expect(row("postgres_down")?.severity == .critical)
        #expect(row("redis_down")?.severity == .critical)
        #expect(row("nginx_down")?.severity == .critical)
        #expect(row("backup_missing")?.value == "no file matches /srv/*.gz")
        #expect(row("backup_missing")?.runbook == "docs/runbook.md#backupmissing")
        #expect(RunbookCheck.verdict(findings) == .critical)
    }

    @Test func aFailingCollectorsRowCarriesItsError() {
        let families = [family("stack_exporter_scrape_collector_success", [(["collector": "containers"], 0)])]
        let rows = RunbookCheck.evaluate(first: families, second: families, interval: 1, now: 0, failures: ["containers": "connect: refused"])
        #expect(rows.first { $0.id == "collector" }?.value == "failed: connect: refused")
    }

    @Test func aCollectorThatRanButGaveNoDataIsUnknown() {
        let findings = evaluate([family("stack_exporter_scrape_collector_success", [(["collector": "meminfo"], 1)])])
        #expect(findings.first { $0.id == "memory" }?.severity == .unknown)
        #expect(findings.first { $0.id == "memory" }?.value == "no data")
        #expect(!findings.contains { $0.id == "cpu" }, "a collector that is off has no rows")
    }

    @Test func nginxRatioOverTheSampleAndNoRequestsIsOK() {
        let labels = { (c: String) in ["instance": "n", "status_class": c] }
        let before = [family("nginx_http_responses_total", [(labels("2xx"), 100), (labels("5xx"), 10)])]
        let after = [family("nginx_http_responses_total", [(labels("2xx"), 196), (labels("5xx"), 14)])]
        let rows = RunbookCheck.evaluate(first: before, second: after, interval: 1, now: 0).filter { $0.id == "nginx_5xx" }
        #expect(rows.map(\.severity) == [.warning])  // 4 of 100 in the sample
        #expect(rows.first?.value == "4.0 % of 100 responses")
        let idle = RunbookCheck.evaluate(first: after, second: after, interval: 1, now: 0).filter { $0.id == "nginx_5xx" }
        #expect(idle.map(\.severity) == [.ok] && idle.first?.value == "no requests")
    }

    @Test func queryDurationIsTimeOverCallsInTheSample() {
        let statement = ["server": "db:5432", "datname": "app", "user": "u", "queryid": "1"]
        let up = family("pg_up", [(["server": "db:5432"], 1)])
        let before = [up, family("pg_stat_statements_calls_total", [(statement, 100)]), family("pg_stat_statements_seconds_total", [(statement, 10)])]
        let after = [up, family("pg_stat_statements_calls_total", [(statement, 110)]), family("pg_stat_statements_seconds_total", [(statement, 13)])]
        let slow = RunbookCheck.evaluate(first: before, second: after, interval: 1, now: 0).first { $0.id == "postgres_query_duration" }
        #expect(slow?.severity == .warning && slow?.value == "300 ms mean over 10 calls")
        let idle = RunbookCheck.evaluate(first: after, second: after, interval: 1, now: 0).first { $0.id == "postgres_query_duration" }
        #expect(idle?.severity == .ok && idle?.value == "no queries in the sample")
    }

    @Test func jsonIsOneDocumentWorstFirst() {
        let findings = [
            RunbookCheck.Finding(severity: .ok, signal: "memory used", subject: "host", value: "1 %", rule: "r", id: "memory", runbook: "docs/runbook.md#a"),
            RunbookCheck.Finding(severity: .unknown, signal: "certificate file", subject: "/ssl/\"odd\"\n.pem", value: "v", rule: "r"),
        ]
        let json = RunbookCheck.json(findings)
        #expect(json.hasPrefix("{\"verdict\":\"UNKNOWN\",\"exit_code\":3,\"findings\":[\n{\"severity\":\"UNKNOWN\""))
        #expect(json.contains("\"subject\":\"/ssl/\\\"odd\\\"\\n.pem\""))
        #expect(json.contains("{\"severity\":\"OK\",\"signal\":\"memory\",\"title\":\"memory used\",\"subject\":\"host\",\"value\":\"1 %\",\"rule\":\"r\",\"runbook\":\"docs/runbook.md#a\"}"))
    }
}
