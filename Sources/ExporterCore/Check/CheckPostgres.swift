/// The PostgreSQL rows of `check`: reachable, connections, long queries, cache hits, lock waits.
extension RunbookCheck {
    /// Below this many block reads a cumulative hit ratio says nothing (a fresh database).
    static let cacheHitMinimumBlocks = 10_000.0

    static func postgres(_ c: Context) -> [Finding] {
        var findings: [Finding] = []
        for up in c.after.samples("pg_up") {
            let server = up.label("server").isEmpty ? "postgres" : up.label("server")
            findings.append(c.finding("postgres_down", c.table["postgres_down"]?.grade(up.value) ?? .unknown, subject: server,
                                      value: up.value == 1 ? "up" : "down (pg_isready; the log has the error)"))
            guard up.value == 1 else { continue }
            let ofServer = { (sample: MetricIndex.Entry) in sample.label("server") == up.label("server") }
            if let max = c.after.samples("pg_settings_max_connections").first(where: ofServer)?.value, max > 0 {
                let used = c.after.samples("pg_stat_activity_count").filter(ofServer).reduce(0) { $0 + $1.value }
                findings.append(c.graded("postgres_connections", used / max, subject: server,
                                         text: "\(whole(used)) / \(whole(max)) (\(percent(used / max)))"))
            }
            let active = c.after.samples("pg_stat_activity_max_tx_duration").filter { ofServer($0) && $0.label("state") == "active" }
            let longest = active.map(\.value).max() ?? 0
            findings.append(c.graded("postgres_long_query", longest, subject: server, text: "\(whole(longest)) s"))
            findings += cacheHits(c, ofServer: ofServer, server: server)
            findings += queryDurations(c, ofServer: ofServer, server: server)
            for wait in c.after.samples("pg_lock_waits_max_wait_seconds").filter(ofServer) {
                findings.append(c.graded("postgres_lock_wait", wait.value, subject: server, text: "\(whole(wait.value * 1000)) ms"))
            }
        }
        return findings
    }

    /// The rule's ratio of rates, over the second between the scrapes; a second without block
    /// reads says nothing, so then the ratio since the statistics were reset, once it has
    /// `cacheHitMinimumBlocks`.
    static func cacheHits(_ c: Context, ofServer: (MetricIndex.Entry) -> Bool, server: String) -> [Finding] {
        var findings: [Finding] = []
        for hits in c.after.samples("pg_stat_database_blks_hit").filter(ofServer) {
            let same = { (sample: MetricIndex.Entry) in sample.matches(hits) }
            guard let reads = c.after.samples("pg_stat_database_blks_read").first(where: same)?.value else { continue }
            let hitsBefore = c.before.samples("pg_stat_database_blks_hit").first(where: same)?.value ?? hits.value
            let readsBefore = c.before.samples("pg_stat_database_blks_read").first(where: same)?.value ?? reads
            let deltaHits = hits.value - hitsBefore, deltaTotal = deltaHits + reads - readsBefore
            let subject = "\(server)/\(hits.label("datname"))"
            if deltaTotal > 0 {
                let ratio = deltaHits / deltaTotal
                findings.append(c.graded("postgres_cache_hit", ratio, subject: subject, text: percent(ratio)))
            } else if hits.value + reads >= cacheHitMinimumBlocks {
                let ratio = hits.value / (hits.value + reads)
                findings.append(c.graded("postgres_cache_hit", ratio, subject: subject, text: percent(ratio) + " since reset"))
            }
        }
        return findings
    }

    /// The rule's ratio of rates per database: statement time over calls between the scrapes; a
    /// sample without calls is OK, "no queries".
    static func queryDurations(_ c: Context, ofServer: (MetricIndex.Entry) -> Bool, server: String) -> [Finding] {
        var totals: [String: (seconds: Double, calls: Double)] = [:]
        for (name, isCalls) in [("pg_stat_statements_seconds_total", false), ("pg_stat_statements_calls_total", true)] {
            for sample in c.after.samples(name).filter(ofServer) {
                let before = c.before.samples(name).first { $0.labels == sample.labels }?.value ?? sample.value
                let delta = max(0, sample.value - before)
                if isCalls { totals[sample.label("datname"), default: (0, 0)].calls += delta } else { totals[sample.label("datname"), default: (0, 0)].seconds += delta }
            }
        }
        return totals.sorted { $0.key < $1.key }.map { datname, total in
            let subject = "\(server)/\(datname)"
            guard total.calls > 0 else { return c.finding("postgres_query_duration", .ok, subject: subject, value: "no queries in the sample") }
            let mean = total.seconds / total.calls
            return c.graded("postgres_query_duration", mean, subject: subject, text: "\(whole((mean * 1000).rounded())) ms mean over \(whole(total.calls)) calls")
        }
    }
}
