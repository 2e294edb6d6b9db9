/// The host and certificate rows of `check`.
extension RunbookCheck {
    /// A signal whose collector ran and succeeded but produced nothing is UNKNOWN, not silent.
    static func noData(_ c: Context, _ id: String, collector: String, subject: String) -> [Finding] {
        c.succeeded(collector) ? [c.finding(id, .unknown, subject: subject, value: "no data")] : []
    }

    /// The recording rule instance:node_memory_used:ratio.
    static func memory(_ c: Context) -> [Finding] {
        guard let total = c.after.value("node_memory_MemTotal_bytes"), total > 0,
              let available = c.after.value("node_memory_MemAvailable_bytes") else {
            return noData(c, "memory", collector: "meminfo", subject: "host")
        }
        let used = 1 - available / total
        return [c.graded("memory", used, subject: "host", text: percent(used))]
    }

    /// instance:node_cpu_busy:ratio_rate5m over the second between the scrapes: 1 − idle share.
    static func cpu(_ c: Context) -> [Finding] {
        func totals(_ m: MetricIndex) -> (idle: Double, all: Double) {
            var idle = 0.0, all = 0.0
            for sample in m.samples("node_cpu_seconds_total") {
                all += sample.value
                if sample.label("mode") == "idle" { idle += sample.value }
            }
            return (idle, all)
        }
        let a = totals(c.before), b = totals(c.after)
        let elapsed = b.all - a.all
        guard elapsed > 0 else { return noData(c, "cpu", collector: "cpu", subject: "host") }
        let busy = max(0, min(1, 1 - (b.idle - a.idle) / elapsed))
        return [c.graded("cpu", busy, subject: "host", text: percent(busy) + " (1 s sample)")]
    }

    /// instance:node_filesystem_used:ratio: the same tmpfs/ramfs exclusion as the recording rule.
    static func disks(_ c: Context) -> [Finding] {
        var findings: [Finding] = []
        for size in c.after.samples("node_filesystem_size_bytes") where size.value > 0 && !["tmpfs", "ramfs"].contains(size.label("fstype")) {
            guard let avail = c.after.samples("node_filesystem_avail_bytes").first(where: { $0.matches(size) })?.value else { continue }
            let used = 1 - avail / size.value
            findings.append(c.graded("disk", used, subject: size.label("mountpoint"), text: percent(used)))
        }
        return findings.isEmpty ? noData(c, "disk", collector: "filesystem", subject: "file systems") : findings
    }

    static func certificates(_ c: Context) -> [Finding] {
        func days(_ id: String, _ notAfter: Double, _ subject: String) -> Finding {
            let left = (notAfter - c.now) / 86_400
            let value = left < 0 ? "expired \(whole((-left).rounded(.up))) days ago" : "\(whole(left.rounded(.down))) days left"
            return c.graded(id, left, subject: subject, text: value)
        }
        return c.after.samples("x509_cert_not_after").map { days("certificate", $0.value, "\($0.label("filepath")) (\($0.label("subject_CN")))") }
            + c.after.samples("probe_ssl_earliest_cert_expiry").map {
                days("endpoint_certificate", $0.value, $0.label("target").isEmpty ? "endpoint" : $0.label("target"))
            }
    }

    /// A file the tls collector could not read or parse, a pattern that matched nothing: UNKNOWN
    /// rows with the collector's reason (x509_cert_error, x509_source_up).
    static func certificateProblems(_ c: Context) -> [Finding] {
        c.after.samples("x509_cert_error").filter { $0.value == 1 }.map {
            c.finding("certificate_unreadable", .unknown, subject: $0.label("filepath"), value: "cannot be read: \($0.label("reason"))")
        } + c.after.samples("x509_source_up").filter { $0.value == 0 }.map {
            c.finding("certificate_source", .unknown, subject: $0.label("source"), value: "cannot be listed or matches no file")
        }
    }
}
