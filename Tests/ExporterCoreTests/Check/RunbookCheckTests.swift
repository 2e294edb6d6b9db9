import Testing
@testable import ExporterCore

private func family(_ name: String, _ samples: [([String: String], Double)]) -> MetricFamily {
    MetricFamily(FamilyDescriptor(name: name, type: .gauge, help: "h"),
                 samples: samples.map { labels, value in Sample(labels: labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }, value: value) })
}

private func memory(usedPercent: Double) -> [MetricFamily] {
    [family("node_memory_MemTotal_bytes", [([:], 100)]), family("node_memory_MemAvailable_bytes", [([:], 100 - usedPercent)])]
}

private func evaluate(_ families: [MetricFamily], now: Double = 1_000_000) -> [RunbookCheck.Finding] {
    RunbookCheck.evaluate(first: families, second: families, interval: 1, now: now)
}

@Suite struct RunbookCheckTests {
    @Test(arguments: [(50.0, RunbookCheck.Severity.ok), (80.0, .ok), (85.0, .warning), (95.0, .critical)])
    func memoryThresholds(_ pair: (Double, RunbookCheck.Severity)) {
        let finding = evaluate(memory(usedPercent: pair.0)).first { $0.signal == "memory used" }
        #expect(finding?.severity == pair.1)
    }

    @Test func diskThresholdsPerMountpoint() {
        let families = [
            family("node_filesystem_size_bytes", [(["mountpoint": "/"], 100), (["mountpoint": "/data"], 100), (["mountpoint": "/var"], 100)]),
            family("node_filesystem_avail_bytes", [(["mountpoint": "/"], 50), (["mountpoint": "/data"], 12), (["mountpoint": "/var"], 5)]),
        ]
        let bySubject = Dictionary(uniqueKeysWithValues: evaluate(families).map { ($0.subject, $0.severity) })
        #expect(bySubject == ["/": .ok, "/data": .warning, "/var": .critical])
    }

    @Test func redisAndNginxRows() {
        let a = ["addr": "redis://a:6379"], b = ["addr": "redis://b:6379"], c = ["addr": "redis://c:6379"]
        let families = [
            family("redis_up", [(a, 1), (b, 1), (c, 0)]),
            family("redis_exporter_last_scrape_error", [(a.merging(["err": ""]) { $1 }, 0), (c.merging(["err": "auth"]) { $1 }, 1)]),
            family("redis_memory_used_bytes", [(a, 95), (b, 50)]),
            family("redis_memory_max_bytes", [(a, 100), (b, 0)]),
            family("redis_rejected_connections_total", [(a, 3), (b, 0)]),
            family("redis_rdb_last_bgsave_status", [(a, 0), (b, 1)]),
            family("nginx_up", [(["addr": "http://n/s"], 0)]),
        ]
        let before = families.map { f in f.name == "redis_rejected_connections_total" ? family(f.name, [(a, 1), (b, 0)]) : f }
        let findings = RunbookCheck.evaluate(first: before, second: families, interval: 1, now: 1_000_000)
        func severity(_ signal: String, _ subject: String) -> RunbookCheck.Severity? {
            findings.first { $0.signal == signal && $0.subject == subject }?.severity
        }
        #expect(severity("redis reachable", "redis://c:6379") == .critical)
        #expect(findings.first { $0.subject == "redis://c:6379" }?.value == "down (auth)")
        #expect(severity("redis memory / maxmemory", "redis://a:6379") == .critical)
        #expect(severity("redis memory / maxmemory", "redis://b:6379") == nil)  // no maxmemory
        #expect(severity("redis rejected connections", "redis://a:6379") == .warning)
        #expect(severity("redis rejected connections", "redis://b:6379") == .ok)
        #expect(severity("redis last background save", "redis://a:6379") == .critical)
        #expect(severity("nginx status page", "http://n/s") == .critical)
    }

    @Test func cpuFromTwoScrapes() {
        let before = [family("node_cpu_seconds_total", [(["cpu": "0", "mode": "idle"], 100), (["cpu": "0", "mode": "user"], 100)])]
        let after = [family("node_cpu_seconds_total", [(["cpu": "0", "mode": "idle"], 100.1), (["cpu": "0", "mode": "user"], 101)])]
        let finding = RunbookCheck.evaluate(first: before, second: after, interval: 1, now: 0).first { $0.signal == "CPU busy" }
        #expect(finding?.severity == .warning)  // 0.9 of 1 s busy; the runbook's CPU has no critical
        #expect(finding?.value == "90.9 % (1 s sample)")
    }

    @Test func certificatesByDaysLeft() {
        let now = 1_000_000.0
        let families = [
            family("x509_cert_not_after", [
                (["filepath": "/ssl/a.pem", "subject_CN": "a"], now + 100 * 86_400),
                (["filepath": "/ssl/b.pem", "subject_CN": "b"], now + 20 * 86_400),
                (["filepath": "/ssl/c.pem", "subject_CN": "c"], now + 5 * 86_400),
                (["filepath": "/ssl/d.pem", "subject_CN": "d"], now - 2 * 86_400),
            ]),
            family("probe_ssl_earliest_cert_expiry", [(["target": "localhost:443"], now + 3 * 86_400)]),
        ]
        let findings = evaluate(families, now: now)
        #expect(findings.map(\.severity) == [.ok, .warning, .critical, .critical, .critical])
        #expect(findings[3].value == "expired 2 days ago")
        #expect(findings[4].subject == "localhost:443")
    }

    @Test func postgresConnectionsLongQueriesAndCacheHits() {
        let server = ["server": "db:5432"]
        let families = [
            family("pg_up", [(server, 1), (["server": "down:5432"], 0)]),
            family("pg_settings_max_connections", [(server, 100)]),
            family("pg_stat_activity_count", [(server.merging(["state": "active"]) { a, _ in a }, 70), (server.merging(["state": "idle"]) { a, _ in a }, 15)]),
            family("pg_stat_activity_max_tx_duration", [(server.merging(["state": "active"]) { a, _ in a }, 400)]),
            family("pg_stat_database_blks_hit", [(server.merging(["datname": "app"]) { a, _ in a }, 90_000)]),
            family("pg_stat_database_blks_read", [(server.merging(["datname": "app"]) { a, _ in a }, 10_000)]),
        ]
        let findings = evaluate(families)
        func severity(_ signal: String, _ subject: String) -> RunbookCheck.Severity? {
            findings.first { $0.signal == signal && $0.subject == subject }?.severity
        }
        #expect(severity("database reachable", "down:5432") == .critical)
        #expect(severity("connections / max_connections", "db:5432") == .warning)
        #expect(severity("longest active transaction", "db:5432") == .critical)
        #expect(severity("cache hit rate", "db:5432/app") == .warning)
    }

    @Test func containersRestartingExitedOrUnhealthy() {
        let families = [
            family("container_state", [
                (["name": "web", "state": "running"], 1), (["name": "worker", "state": "restarting"], 1),
                (["name": "job", "state": "exited"], 1), (["name": "crashed", "state": "exited"], 1),
                (["name": "oom", "state": "exited"], 1),
            ]),
            family("container_exit_code", [(["name": "job"], 0), (["name": "crashed"], 3), (["name": "oom"], 137)]),
            family("container_oom_killed", [(["name": "oom"], 1)]),
            family("container_health_state", [(["name": "web"], 0)]),
        ]
        let bySubject = Dictionary(evaluate(families).map { ($0.subject, ($0.severity, $0.value)) }, uniquingKeysWith: { a, _ in a })
        #expect(bySubject["worker"]?.0 == .warning)
        #expect(bySubject["crashed"]?.0 == .critical && bySubject["crashed"]?.1 == "exited with code 3")
        #expect(bySubject["oom"]?.1 == "OOM-killed")
        #expect(bySubject["job"] == nil)  // exited 0: finished, not a breach
        #expect(bySubject["web"]?.1 == "unhealthy")
    }

    /// Metric values come from daemons, databases and certificates: a value far out of Int's range
    /// is printed as the double it is, not converted with a trapping Int(_:) (issue #12).
    @Test func valuesOutOfIntRangeAreReportedNotTrapped() {
        let server = ["server": "db:5432"]
        let families = [
            family("container_state", [(["name": "odd", "state": "exited"], 1)]),
            family("container_exit_code", [(["name": "odd"], 1e300)]),
            family("x509_cert_not_after", [(["filepath": "/ssl/far.pem", "subject_CN": "far"], 1e300),
                                           (["filepath": "/ssl/old.pem", "subject_CN": "old"], -1e300)]),
            family("pg_up", [(server, 1)]),
            family("pg_settings_max_connections", [(server, 1e300)]),
            family("pg_stat_activity_count", [(server, 1e300)]),
            family("pg_stat_activity_max_tx_duration", [(server.merging(["state": "active"]) { a, _ in a }, -1e19)]),
        ]
        let byKey = Dictionary(evaluate(families, now: 0).map { ($0.signal + " " + $0.subject, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byKey["container odd"]?.value == "exited with code 1e+300")
        #expect(byKey["certificate /ssl/far.pem (far)"]?.value == "1.1574074074074075e+295 days left")
        #expect(byKey["certificate /ssl/old.pem (old)"]?.value == "expired 1.1574074074074075e+295 days ago")
        #expect(byKey["connections / max_connections db:5432"]?.value == "1e+300 / 1e+300 (100.0 %)")
        #expect(byKey["longest active transaction db:5432"]?.value == "-1e+19 s")
    }

    @Test func textfileErrorIsAWarningRow() {
        let broken = evaluate([family("node_textfile_scrape_error", [([:], 1)])]).first { $0.signal == "textfile" }
        #expect(broken?.severity == .warning)
        let fine = evaluate([family("node_textfile_scrape_error", [([:], 0)])]).first { $0.signal == "textfile" }
        #expect(fine?.severity == .ok)
        #expect(!evaluate([]).contains { $0.signal == "textfile" }, "no row without the collector's data")
    }

    @Test func reportPutsTheWorstFirstAndCounts() {
        let findings = evaluate(memory(usedPercent: 95) + [family("stack_exporter_scrape_collector_success", [(["collector": "tls"], 0)])])
        let report = RunbookCheck.report(findings)
        #expect(report.hasPrefix("CRIT    memory used"))
        #expect(report.contains("\nUNKNOWN collector · tls"))
        #expect(report.contains("docs/runbook.md#hostmemorycritical\n"))
        #expect(report.hasSuffix("runbook breached: 1 CRIT, 0 WARN, 1 UNKNOWN, 0 OK\n"))
        #expect(!report.contains("\u{1B}["), "no colour unless asked")
        #expect(RunbookCheck.report(findings, colour: true).hasPrefix("\u{1B}[31mCRIT"))
    }

    @Test func backupsByAgeMissingAndValidity() {
        let now = 1_000_000.0
        func of(_ name: String) -> [String: String] { ["name": name, "pattern": "/srv/\(name)/*.gz"] }
        let families = [
            family("stack_exporter_files_count", [(of("fresh"), 3), (of("stale"), 2), (of("old"), 1), (of("gone"), 0), (of("cut"), 1)]),
            family("stack_exporter_files_newest_mtime_seconds", [
                (of("fresh"), now - 3_600), (of("stale"), now - 27 * 3_600), (of("old"), now - 51 * 3_600), (of("gone"), 0), (of("cut"), now - 60),
            ]),
            family("stack_exporter_files_newest_valid", [(of("fresh").merging(["reason": ""]) { a, _ in a }, 1),
                                                         (of("cut").merging(["reason": "truncated"]) { a, _ in a }, 0)]),
            family("stack_exporter_files_error", [(of("fresh").merging(["reason": "permission_denied"]) { a, _ in a }, 1)]),
        ]
        let findings = evaluate(families, now: now)
        let backups = Dictionary(uniqueKeysWithValues: findings.filter { $0.signal == "backup" }.map { ($0.subject, $0.severity) })
        #expect(backups == ["fresh": .ok, "stale": .warning, "old": .critical, "gone": .critical, "cut": .ok])
        let gzip = findings.first { $0.signal == "backup gzip" }
        #expect(gzip?.subject == "cut" && gzip?.severity == .critical && gzip?.value == "not a complete gzip file (truncated)")
        #expect(findings.first { $0.signal == "backup files" }?.subject == "fresh")
        #expect(!evaluate([]).contains { $0.signal == "backup" }, "no row without the collector's data")
    }
}
