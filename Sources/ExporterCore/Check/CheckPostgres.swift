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
}
