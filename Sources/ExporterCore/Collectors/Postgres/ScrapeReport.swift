/// The families of one server's scrape, with per-group success.
struct ScrapeReport {
    let server: String
    var up = false
    /// Sessions the exporter holds to the server (`pg_exporter_sessions`).
    var sessions: Int? = nil
    private var collected: [MetricFamily] = []
    private var groups: [(name: String, success: Bool, duration: Double)] = []

    init(server: String) { self.server = server }

    mutating func append(_ more: [MetricFamily]) { collected += more }

    /// The families added so far (without `pg_up` and the per-group ones).
    var collectedFamilies: [MetricFamily] { collected }

    mutating func add(_ more: [MetricFamily], group: String, duration: Double) {
        collected += more
        record(group, success: true, duration: duration)
    }

    mutating func fail(_ group: String, duration: Double) { record(group, success: false, duration: duration) }

    mutating func record(_ group: String, success: Bool, duration: Double) {
        groups.append((group, success, duration))
    }

    func families() -> [MetricFamily] {
        var out: [MetricFamily] = []
        var upFamily = MetricFamily(PostgresMetrics.up)
        upFamily.add([server], up ? 1 : 0)
        out.append(upFamily)
        out += collected
        var success = MetricFamily(PostgresMetrics.collectorSuccess)
        var duration = MetricFamily(PostgresMetrics.collectorDuration)
        for group in groups {
            success.add([group.name, server], group.success ? 1 : 0)
            duration.add([group.name, server], group.duration)
        }
        var lastError = MetricFamily(PostgresMetrics.lastScrapeError)
        lastError.add([server], up && groups.allSatisfy(\.success) ? 0 : 1)
        out += [success, duration, lastError]
        if let sessions {
            var held = MetricFamily(PostgresMetrics.sessions)
            held.add([server], Double(sessions))
            out.append(held)
        }
        return out
    }
}

/// Families not tied to one query group.
enum PostgresMetrics {
    static let up = FamilyDescriptor(name: "pg_up", type: .gauge, help: "Whether the last scrape could connect to and query the server (1) or not (0).", labels: ["server"])
    static let staticInfo = FamilyDescriptor(name: "pg_static", type: .untyped, help: "Version string as reported by postgres.", labels: ["version", "short_version", "server"])
    static let postmasterStart = FamilyDescriptor(
        name: "pg_postmaster_start_time_seconds", type: .gauge, help: "Time at which postmaster started (Unix seconds).", unit: "seconds", labels: ["server"])
    static let collectorSuccess = FamilyDescriptor(
        name: "pg_scrape_collector_success", type: .gauge, help: "Whether a PostgreSQL metric group succeeded (1) or failed (0) for this server.", labels: ["collector", "server"])
    static let collectorDuration = FamilyDescriptor(
        name: "pg_scrape_collector_duration_seconds", type: .gauge, help: "Time a PostgreSQL metric group's queries took for this server.", unit: "seconds", labels: ["collector", "server"])
    static let databaseSizeAge = FamilyDescriptor(
        name: "pg_database_size_age_seconds", type: .gauge,
        help: "stack_exporter: seconds since pg_database_size_bytes was measured; it is measured again when WAL or row counts moved.",
        unit: "seconds", labels: ["server"])
    static let sessions = FamilyDescriptor(
        name: "pg_exporter_sessions", type: .gauge,
        help: "stack_exporter: sessions the exporter holds open to this server between scrapes.", labels: ["server"])
    static let lastScrapeError = FamilyDescriptor(
        name: "pg_exporter_last_scrape_error", type: .gauge, help: "Whether the last scrape of this server had an error (1) or not (0).", labels: ["server"])
}
