/// `stack_exporter check`: the operators' runbook as one command. Every collector runs once and
/// the results are held against the runbook thresholds (memory, CPU, disk, certificates, database
/// connections, long queries, cache hit rate, containers, failing collectors).
public enum RunbookCheck {
    public enum Severity: Int, Comparable, Sendable {
        case ok = 0, warning = 1, critical = 2

        public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

        var word: String {
            switch self {
            case .ok: "OK"
            case .warning: "WARN"
            case .critical: "CRIT"
            }
        }
    }

    public struct Finding: Sendable, Equatable {
        public let severity: Severity
        public let signal: String
        public let subject: String
        public let value: String
        public let rule: String
    }

    /// Thresholds from the runbooks (warning, critical).
    enum Threshold {
        static let memory = (warning: 0.80, critical: 0.90)
        static let cpu = (warning: 0.70, critical: 0.80)
        static let disk = (warning: 0.85, critical: 0.90)
        static let certificateDays = (warning: 30.0, critical: 7.0)
        static let connections = 0.80
        static let longQuerySeconds = 300.0
        static let cacheHit = 0.95
        /// Below this many block reads a hit ratio says nothing (a fresh database).
        static let cacheHitMinimumBlocks = 10_000.0
        static let redisMemory = 0.90
        static let backupAgeHours = (warning: 26.0, critical: 50.0)
    }

    /// Evaluates two scrapes taken `interval` seconds apart (CPU needs a rate).
    public static func evaluate(first: [MetricFamily], second: [MetricFamily], interval: Double, now: Double) -> [Finding] {
        let metrics = MetricIndex(second)
        var findings: [Finding] = []
        findings += memory(metrics)
        findings += cpu(MetricIndex(first), metrics)
        findings += disks(metrics)
        findings += certificates(metrics, now: now)
        findings += postgres(metrics)
        findings += containers(metrics)
        findings += redis(metrics)
        findings += nginx(metrics)
        findings += backups(metrics, now: now)
        findings += collectors(metrics)
        return findings
    }

    static func memory(_ m: MetricIndex) -> [Finding] {
        guard let total = m.value("node_memory_MemTotal_bytes"), total > 0,
              let available = m.value("node_memory_MemAvailable_bytes") else { return [] }
        let used = 1 - available / total
        return [grade(used, Threshold.memory, signal: "memory used", subject: "host", value: percent(used), rule: "> 80 % warn, > 90 % crit")]
    }

    static func cpu(_ before: MetricIndex, _ after: MetricIndex) -> [Finding] {
        func totals(_ m: MetricIndex) -> (idle: Double, all: Double) {
            var idle = 0.0, all = 0.0
            for sample in m.samples("node_cpu_seconds_total") {
                all += sample.value
                if sample.label("mode") == "idle" || sample.label("mode") == "iowait" { idle += sample.value }
            }
            return (idle, all)
        }
        let a = totals(before), b = totals(after)
        let elapsed = b.all - a.all
        guard elapsed > 0 else { return [] }
        let busy = max(0, min(1, 1 - (b.idle - a.idle) / elapsed))
        return [grade(busy, Threshold.cpu, signal: "CPU busy", subject: "host", value: percent(busy), rule: "> 70 % warn, > 80 % crit (1 s sample)")]
    }

    static func disks(_ m: MetricIndex) -> [Finding] {
        var findings: [Finding] = []
        for size in m.samples("node_filesystem_size_bytes") where size.value > 0 {
            let mountpoint = size.label("mountpoint")
            guard let avail = m.samples("node_filesystem_avail_bytes").first(where: { $0.label("mountpoint") == mountpoint })?.value
            else { continue }
            let used = 1 - avail / size.value
            findings.append(grade(used, Threshold.disk, signal: "disk used", subject: mountpoint, value: percent(used), rule: "> 85 % warn, > 90 % crit"))
        }
        return findings
    }

    static func certificates(_ m: MetricIndex, now: Double) -> [Finding] {
        var findings: [Finding] = []
        func days(_ notAfter: Double, _ subject: String) {
            let left = (notAfter - now) / 86_400
            let severity: Severity = left < Threshold.certificateDays.critical ? .critical : left < Threshold.certificateDays.warning ? .warning : .ok
            let value = left < 0 ? "expired \(whole((-left).rounded(.up))) days ago" : "\(whole(left.rounded(.down))) days left"
            findings.append(Finding(severity: severity, signal: "certificate", subject: subject, value: value, rule: "< 30 days warn, < 7 days or expired crit"))
        }
        for sample in m.samples("x509_cert_not_after") {
            days(sample.value, "\(sample.label("filepath")) (\(sample.label("subject_CN")))")
        }
        for sample in m.samples("probe_ssl_earliest_cert_expiry") {
            days(sample.value, sample.label("target").isEmpty ? "endpoint" : sample.label("target"))
        }
        return findings
    }

    static func postgres(_ m: MetricIndex) -> [Finding] {
        var findings: [Finding] = []
        for up in m.samples("pg_up") {
            let server = up.label("server").isEmpty ? "postgres" : up.label("server")
            guard up.value == 1 else {
                findings.append(Finding(severity: .critical, signal: "database reachable", subject: server, value: "down", rule: "unreachable crit"))
                continue
            }
            findings.append(Finding(severity: .ok, signal: "database reachable", subject: server, value: "up", rule: "unreachable crit"))
            let ofServer = { (sample: MetricIndex.Entry) in sample.label("server") == up.label("server") }
            if let max = m.samples("pg_settings_max_connections").first(where: ofServer)?.value, max > 0 {
                let used = m.samples("pg_stat_activity_count").filter(ofServer).reduce(0) { $0 + $1.value }
                let ratio = used / max
                findings.append(Finding(
                    severity: ratio > Threshold.connections ? .warning : .ok, signal: "connections / max_connections", subject: server,
                    value: "\(whole(used)) / \(whole(max)) (\(percent(ratio)))", rule: "> 80 % warn"))
            }
            let longest = m.samples("pg_stat_activity_max_tx_duration").filter(ofServer).map(\.value).max() ?? 0
            findings.append(Finding(
                severity: longest > Threshold.longQuerySeconds ? .critical : .ok, signal: "longest transaction", subject: server,
                value: "\(whole(longest)) s", rule: "> 5 min crit"))
            for hits in m.samples("pg_stat_database_blks_hit").filter(ofServer) {
                let datname = hits.label("datname")
                guard let reads = m.samples("pg_stat_database_blks_read").first(where: { ofServer($0) && $0.label("datname") == datname })?.value
                else { continue }
                let total = hits.value + reads
                guard total >= Threshold.cacheHitMinimumBlocks else { continue }
                let ratio = hits.value / total
                findings.append(Finding(
                    severity: ratio < Threshold.cacheHit ? .warning : .ok, signal: "cache hit rate", subject: "\(server)/\(datname)",
                    value: percent(ratio), rule: "< 95 % warn"))
            }
        }
        return findings
    }

    static func containers(_ m: MetricIndex) -> [Finding] {
        var findings: [Finding] = []
        // The runbook: restarting → warn; exited unexpectedly (non-zero code, or OOM-killed) → crit.
        for state in m.samples("container_state") where state.value == 1 {
            let name = state.label("name")
            switch state.label("state") {
            case "restarting":
                findings.append(Finding(severity: .warning, signal: "container", subject: name, value: "restarting", rule: "restarting warn"))
            case "exited", "dead":
                let code = m.samples("container_exit_code").first { $0.label("name") == name }?.value ?? 0
                let oom = m.samples("container_oom_killed").first { $0.label("name") == name }?.value ?? 0
                if code != 0 || oom == 1 {
                    let why = oom == 1 ? "OOM-killed" : "exited with code \(whole(code))"
                    findings.append(Finding(severity: .critical, signal: "container", subject: name, value: why, rule: "exited unexpectedly crit"))
                }
            default:
                break
            }
        }
        for health in m.samples("container_health_state") where health.value == 0 {
            findings.append(Finding(severity: .warning, signal: "container health", subject: health.label("name"), value: "unhealthy", rule: "unhealthy warn"))
        }
        for usage in m.samples("container_memory_usage_bytes") {
            let name = usage.label("name")
            guard let limit = m.samples("container_spec_memory_limit_bytes").first(where: { $0.label("name") == name })?.value,
                  limit > 0, limit < 1e18 else { continue }
            let ratio = usage.value / limit
            if ratio > Threshold.memory.warning {
                findings.append(Finding(severity: .warning, signal: "container memory / limit", subject: name, value: percent(ratio), rule: "> 80 % warn"))
            }
        }
        return findings
    }

    /// The runbook's Redis rows: down or last background save failed → crit; memory above 90 %
    /// of maxmemory → crit; rejected connections (maxclients reached) → warn.
    static func redis(_ m: MetricIndex) -> [Finding] {
        var findings: [Finding] = []
        for up in m.samples("redis_up") {
            let addr = up.label("addr")
            guard up.value == 1 else {
                let why = m.samples("redis_exporter_last_scrape_error").first { $0.label("addr") == addr && $0.value == 1 }?.label("err") ?? ""
                findings.append(Finding(severity: .critical, signal: "redis reachable", subject: addr, value: why.isEmpty ? "down" : "down (\(why))", rule: "down crit"))
                continue
            }
            findings.append(Finding(severity: .ok, signal: "redis reachable", subject: addr, value: "up", rule: "down crit"))
            let ofServer = { (sample: MetricIndex.Entry) in sample.label("addr") == addr }
            if let max = m.samples("redis_memory_max_bytes").first(where: ofServer)?.value, max > 0,
               let used = m.samples("redis_memory_used_bytes").first(where: ofServer)?.value {
                let ratio = used / max
                findings.append(Finding(
                    severity: ratio > Threshold.redisMemory ? .critical : .ok, signal: "redis memory / maxmemory", subject: addr,
                    value: percent(ratio), rule: "> 90 % crit"))
            }
            if let rejected = m.samples("redis_rejected_connections_total").first(where: ofServer)?.value {
                findings.append(Finding(
                    severity: rejected > 0 ? .warning : .ok, signal: "redis rejected connections", subject: addr,
                    value: "\(whole(rejected)) since start", rule: "> 0 warn"))
            }
            if let status = m.samples("redis_rdb_last_bgsave_status").first(where: ofServer)?.value {
                findings.append(Finding(
                    severity: status == 0 ? .critical : .ok, signal: "redis last background save", subject: addr,
                    value: status == 0 ? "failed" : "ok", rule: "failed crit"))
            }
        }
        return findings
    }

    /// The runbook's backups: the newest file of each `--files.glob` pattern older than 26 h warns,
    /// older than 50 h, missing, or not a complete gzip file is critical; unreadable paths warn.
    static func backups(_ m: MetricIndex, now: Double) -> [Finding] {
        let rule = "> 26 h warn, > 50 h, none or invalid crit"
        var findings: [Finding] = []
        for count in m.samples("stack_exporter_files_count") {
            let name = count.label("name")
            let ofPattern = { (sample: MetricIndex.Entry) in sample.label("name") == name }
            guard count.value > 0, let newest = m.samples("stack_exporter_files_newest_mtime_seconds").first(where: ofPattern)?.value else {
                findings.append(Finding(severity: .critical, signal: "backup", subject: name, value: "no file matches", rule: rule))
                continue
            }
            let hours = (now - newest) / 3600
            let limits = Threshold.backupAgeHours
            var severity: Severity = hours > limits.critical ? .critical : hours > limits.warning ? .warning : .ok
            var value = "newest \(whole(hours.rounded(.down))) h old"
            if let invalid = m.samples("stack_exporter_files_newest_valid").first(where: { ofPattern($0) && $0.value == 0 }) {
                severity = .critical
                value += ", not a complete gzip file (\(invalid.label("reason")))"
            }
            findings.append(Finding(severity: severity, signal: "backup", subject: name, value: value, rule: rule))
            let unreadable = m.samples("stack_exporter_files_error").filter(ofPattern).reduce(0) { $0 + $1.value }
            if unreadable > 0 {
                findings.append(Finding(
                    severity: .warning, signal: "backup files", subject: name, value: "\(whole(unreadable)) path(s) unreadable",
                    rule: "unreadable warn"))
            }
        }
        return findings
    }

    static func nginx(_ m: MetricIndex) -> [Finding] {
        m.samples("nginx_up").map {
            Finding(severity: $0.value == 1 ? .ok : .critical, signal: "nginx status page", subject: $0.label("addr"),
                    value: $0.value == 1 ? "up" : "down", rule: "down crit")
        }
    }

    static func collectors(_ m: MetricIndex) -> [Finding] {
        var findings = m.samples("stack_exporter_scrape_collector_success").filter { $0.value == 0 }.map {
            Finding(severity: .warning, signal: "collector", subject: $0.label("collector"), value: "failed", rule: "failed warn")
        }
        if let error = m.value("node_textfile_scrape_error") {
            findings.append(Finding(
                severity: error == 1 ? .warning : .ok, signal: "textfile", subject: "*.prom files",
                value: error == 1 ? "a file unreadable" : "all read", rule: "unreadable or invalid file warn"))
        }
        return findings
    }

    static func grade(_ value: Double, _ limits: (warning: Double, critical: Double), signal: String, subject: String, value text: String, rule: String) -> Finding {
        let severity: Severity = value > limits.critical ? .critical : value > limits.warning ? .warning : .ok
        return Finding(severity: severity, signal: signal, subject: subject, value: text, rule: rule)
    }

    /// A value as a whole number, truncated; one out of Int's range as the double it is. Values
    /// come from daemons, databases and certificates, and Int(_:) traps on those (issue #12).
    static func whole(_ value: Double) -> String {
        Int(exactly: value.rounded(.towardZero)).map { "\($0)" } ?? "\(value)"
    }

    static func percent(_ ratio: Double) -> String {
        let tenths = (ratio * 1000).rounded() / 10
        return "\(tenths) %"
    }

    /// The report: one line per finding, worst first, then a verdict line.
    public static func report(_ findings: [Finding]) -> String {
        let sorted = findings.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
        let width = min(40, sorted.map { $0.signal.count + $0.subject.count + 3 }.max() ?? 0)
        var text = ""
        for finding in sorted {
            let what = "\(finding.signal) · \(finding.subject)"
            let pad = what.count < width ? String(repeating: " ", count: width - what.count) : ""
            text += "\(finding.severity.word.padding(4))  \(what)\(pad)  \(finding.value)   [\(finding.rule)]\n"
        }
        let worst = findings.map(\.severity).max() ?? .ok
        let counts = [Severity.critical, .warning, .ok].map { s in "\(findings.filter { $0.severity == s }.count) \(s.word)" }
        text += "\(worst == .ok ? "all within the runbook" : "runbook breached"): \(counts.joined(separator: ", "))\n"
        return text
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// Families by name, for looking values up by label.
struct MetricIndex {
    struct Entry {
        let labels: [Label]
        let value: Double

        func label(_ name: String) -> String { labels.first { $0.name == name }?.value ?? "" }
    }

    private var byName: [String: [Entry]] = [:]

    init(_ families: [MetricFamily]) {
        for family in families {
            byName[family.name, default: []] += family.samples.filter { $0.suffix.isEmpty }.map { Entry(labels: $0.labels, value: $0.value) }
        }
    }

    func samples(_ name: String) -> [Entry] { byName[name] ?? [] }
    func value(_ name: String) -> Double? { byName[name]?.first?.value }
}
