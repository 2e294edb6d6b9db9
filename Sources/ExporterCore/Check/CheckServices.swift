/// The container, Redis, nginx and HTTP probe rows of `check`.
extension RunbookCheck {
    static func containers(_ c: Context) -> [Finding] {
        var findings: [Finding] = []
        // The runbook: restarting → warn; exited unexpectedly (non-zero code, or OOM-killed) → crit.
        for state in c.after.samples("container_state") where state.value == 1 {
            let name = state.label("name")
            let same = { (sample: MetricIndex.Entry) in sample.label("name") == name }
            switch state.label("state") {
            case "restarting":
                findings.append(c.finding("container_restarting", .warning, subject: name, value: "restarting"))
            case "exited", "dead":
                let code = c.after.samples("container_exit_code").first(where: same)?.value ?? 0
                let oom = c.after.samples("container_oom_killed").first(where: same)?.value ?? 0
                if code != 0 || oom == 1 {
                    let why = oom == 1 ? "OOM-killed" : "exited with code \(whole(code))"
                    findings.append(c.finding("container_exited", .critical, subject: name, value: why))
                }
            default:
                break
            }
        }
        for health in c.after.samples("container_health_state") where health.value == 0 {
            findings.append(c.finding("container_unhealthy", .warning, subject: health.label("name"), value: "unhealthy"))
        }
        for usage in c.after.samples("container_memory_working_set_bytes") {
            guard let limit = c.after.samples("container_spec_memory_limit_bytes").first(where: { $0.label("name") == usage.label("name") })?.value,
                  limit > 0, limit < 1e18 else { continue }
            let ratio = usage.value / limit
            findings.append(c.graded("container_memory", ratio, subject: usage.label("name"), text: percent(ratio)))
        }
        return findings
    }

    /// The runbook's Redis rows: down or last background save failed → crit; memory above 90 %
    /// of maxmemory → crit; connections rejected (maxclients reached) between the scrapes → warn.
    static func redis(_ c: Context) -> [Finding] {
        var findings: [Finding] = []
        for up in c.after.samples("redis_up") {
            let addr = up.label("addr")
            let ofServer = { (sample: MetricIndex.Entry) in sample.label("addr") == addr }
            guard up.value == 1 else {
                let why = c.after.samples("redis_exporter_last_scrape_error").first { ofServer($0) && $0.value == 1 }?.label("err") ?? ""
                findings.append(c.finding("redis_down", .critical, subject: addr, value: why.isEmpty ? "down" : "down (\(why))"))
                continue
            }
            findings.append(c.finding("redis_down", .ok, subject: addr, value: "up"))
            if let max = c.after.samples("redis_memory_max_bytes").first(where: ofServer)?.value, max > 0,
               let used = c.after.samples("redis_memory_used_bytes").first(where: ofServer)?.value {
                findings.append(c.graded("redis_memory", used / max, subject: addr, text: percent(used / max)))
            }
            if let rejected = c.after.samples("redis_rejected_connections_total").first(where: ofServer)?.value {
                let before = c.before.samples("redis_rejected_connections_total").first(where: ofServer)?.value ?? rejected
                findings.append(c.graded("redis_rejected", max(0, rejected - before), subject: addr,
                                         text: "\(whole(max(0, rejected - before))) in the sample, \(whole(rejected)) since start"))
            }
            if let status = c.after.samples("redis_rdb_last_bgsave_status").first(where: ofServer)?.value {
                findings.append(c.graded("redis_bgsave", status, subject: addr, text: status == 0 ? "failed" : "ok"))
            }
        }
        return findings
    }

    static func nginx(_ c: Context) -> [Finding] {
        c.after.samples("nginx_up").map {
            c.graded("nginx_down", $0.value, subject: $0.label("addr"), text: $0.value == 1 ? "up" : "down")
        } + errorRatios(c)
    }

    /// The 5xx share of the responses counted between the scrapes, per label set without
    /// `status_class` (the rule's `sum without`); no request in the sample is OK, "no requests".
    static func errorRatios(_ c: Context) -> [Finding] {
        var groups: [[Label]: (all: Double, errors: Double)] = [:]
        for sample in c.after.samples("nginx_http_responses_total") {
            let before = c.before.samples("nginx_http_responses_total").first { $0.labels == sample.labels }?.value ?? sample.value
            let key = sample.labels.filter { $0.name != "status_class" }
            let delta = max(0, sample.value - before)
            groups[key, default: (0, 0)].all += delta
            if sample.label("status_class") == "5xx" { groups[key, default: (0, 0)].errors += delta }
        }
        return groups.sorted { "\($0.key)" < "\($1.key)" }.map { key, counts in
            let subject = key.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            guard counts.all > 0 else { return c.finding("nginx_5xx", .ok, subject: subject.isEmpty ? "access log" : subject, value: "no requests") }
            let ratio = counts.errors / counts.all
            return c.graded("nginx_5xx", ratio, subject: subject.isEmpty ? "access log" : subject,
                            text: "\(percent(ratio)) of \(whole(counts.all)) responses")
        }
    }

    /// The HTTP probe's endpoints: failing → crit, slower than the threshold → warn.
    static func http(_ c: Context) -> [Finding] {
        func subject(_ e: MetricIndex.Entry) -> String { e.label("name").isEmpty ? e.label("target") : "\(e.label("name")) (\(e.label("target")))" }
        let probes = c.after.samples("probe_success").filter { !$0.label("name").isEmpty }
        return probes.map { c.graded("http_probe", $0.value, subject: subject($0), text: $0.value == 1 ? "answers" : "failing") }
            + c.after.samples("probe_duration_seconds").filter { !$0.label("name").isEmpty }.map {
                c.graded("http_duration", $0.value, subject: subject($0), text: "\(whole(($0.value * 1000).rounded())) ms")
            }
    }
}
