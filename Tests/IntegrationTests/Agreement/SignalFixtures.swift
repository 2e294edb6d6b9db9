@testable import ExporterCore

/// One input series of an agreement case. `perSecond`: a counter growing at that rate;
/// `sinceNow`: the value is an offset from the evaluation time (`time()` in promtool, `now` in check).
struct FixtureSeries: Sendable {
    var name: String
    var labels: [String: String]
    var value: Double
    var perSecond = 0.0
    var sinceNow = false
}

/// How one signal's value becomes metric families: `series(v)` for a value in the table's unit,
/// `labels` those the alert carries besides instance, job and severity, `good` the healthy value
/// of a state.
struct SignalFixture: Sendable {
    let id: String
    let labels: [String: String]
    var good: Double = 1
    let series: @Sendable (Double) -> [FixtureSeries]
}

enum SignalFixtures {
    static func gauge(_ name: String, _ labels: [String: String], _ value: Double) -> FixtureSeries {
        FixtureSeries(name: name, labels: labels, value: value)
    }

    static func counter(_ name: String, _ labels: [String: String], perSecond: Double) -> FixtureSeries {
        FixtureSeries(name: name, labels: labels, value: 1_000_000, perSecond: perSecond)
    }

    static func sinceNow(_ name: String, _ labels: [String: String], _ offset: Double) -> FixtureSeries {
        FixtureSeries(name: name, labels: labels, value: offset, sinceNow: true)
    }

    /// A state signal: the metric's value is the graded value.
    static func state(_ id: String, _ name: String, _ labels: [String: String], good: Double, extra: [FixtureSeries] = []) -> SignalFixture {
        SignalFixture(id: id, labels: labels, good: good) { [gauge(name, labels, $0)] + extra }
    }

    static let pg = ["server": "db:5432"]
    static let pgUp = gauge("pg_up", pg, 1)
    static let redis = ["addr": "redis://127.0.0.1:6379"]
    static let redisUp = gauge("redis_up", redis, 1)
    static let container = ["id": "/docker/a", "name": "api", "image": "api"]
    static let probe = ["target": "http://127.0.0.1:8080/health", "name": "shop"]
    static let backup = ["name": "pg", "pattern": "/srv/backups/*.sql.gz"]
    static let fresh = sinceNow("stack_exporter_files_newest_mtime_seconds", backup, -3600)

    static let all: [SignalFixture] = host + tls + backups + services

    static let host: [SignalFixture] = [
        SignalFixture(id: "memory", labels: [:]) {
            [gauge("node_memory_MemTotal_bytes", [:], 1000), gauge("node_memory_MemAvailable_bytes", [:], 1000 * (1 - $0))]
        },
        SignalFixture(id: "cpu", labels: [:]) {
            [counter("node_cpu_seconds_total", ["cpu": "0", "mode": "idle"], perSecond: 1 - $0),
             counter("node_cpu_seconds_total", ["cpu": "0", "mode": "user"], perSecond: $0)]
        },
        SignalFixture(id: "disk", labels: ["device": "/dev/vda", "fstype": "ext4", "mountpoint": "/"]) { v in
            let labels = ["device": "/dev/vda", "fstype": "ext4", "mountpoint": "/"]
            return [gauge("node_filesystem_size_bytes", labels, 1000), gauge("node_filesystem_avail_bytes", labels, 1000 * (1 - v))]
        },
        state("exporter_up", "up", [:], good: 1),
        state("collector", "stack_exporter_scrape_collector_success", ["collector": "containers"], good: 1),
        state("textfile", "node_textfile_scrape_error", [:], good: 0),
    ]

    static let tls: [SignalFixture] = [
        SignalFixture(id: "certificate", labels: ["filepath": "/ssl/a.pem", "subject_CN": "a"]) {
            [sinceNow("x509_cert_not_after", ["filepath": "/ssl/a.pem", "subject_CN": "a"], $0 * 86_400)]
        },
        SignalFixture(id: "endpoint_certificate", labels: ["target": "127.0.0.1:443"]) {
            [sinceNow("probe_ssl_earliest_cert_expiry", ["target": "127.0.0.1:443"], $0 * 86_400)]
        },
        state("certificate_unreadable", "x509_cert_error", ["filename": "b.pem", "filepath": "/ssl/b.pem", "reason": "parse"], good: 0),
        state("certificate_source", "x509_source_up", ["source": "/ssl/*.pem"], good: 1),
    ]

    static let backups: [SignalFixture] = [
        SignalFixture(id: "backup_age", labels: backup) {
            [sinceNow("stack_exporter_files_newest_mtime_seconds", backup, -$0 * 3600), gauge("stack_exporter_files_count", backup, 3)]
        },
        state("backup_missing", "stack_exporter_files_count", backup, good: 2, extra: [fresh]),
        state("backup_invalid", "stack_exporter_files_newest_valid", backup.merging(["reason": "truncated"]) { a, _ in a }, good: 1,
              extra: [fresh, gauge("stack_exporter_files_count", backup, 1)]),
        SignalFixture(id: "backup_unreadable", labels: backup.merging(["reason": "permission_denied"]) { a, _ in a }) {
            [gauge("stack_exporter_files_error", backup.merging(["reason": "permission_denied"]) { a, _ in a }, $0),
             gauge("stack_exporter_files_count", backup, 1), fresh]
        },
    ]
}
