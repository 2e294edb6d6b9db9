import Synchronization

/// What every server's scrape shares: options, timeouts and the database filter.
struct PostgresSettings: Sendable {
    var options = PostgresOptions()
    var statementTimeoutSeconds = 10.0
    var connectTimeoutSeconds = 5.0
    var allDatabases = true
    /// Connections kept open to other databases than the DSN's, for table statistics.
    var databaseConnections = 2
    var databasesInclude: NamePattern? = nil
    var databasesExclude: NamePattern? = nil

    func wantsDatabase(_ name: String) -> Bool {
        if let include = databasesInclude, !include.pattern.isEmpty, !include.matches(name) { return false }
        if let exclude = databasesExclude, exclude.matches(name) { return false }
        return true
    }
}

/// One monitored server: its persistent connection (plus a few to other databases), reused across
/// scrapes and re-established after failure. A lock serialises its scrapes (the runner never
/// overlaps runs of one collector, so it is uncontended) and owns the non-Sendable connections.
final class PostgresServer: Sendable {
    let dsn: DataSourceName
    let server: String
    private let redactor: Redactor
    private let state = Mutex<State>(State())

    private struct State {
        var main: PostgresConnection? = nil
        var mainDatabase = ""
        /// Connections to other databases, at most `databaseConnections`.
        var pool: [String: PostgresConnection] = [:]
        var connectError: String? = nil
        var groupErrors: [String: String] = [:]
    }

    init(dsn: DataSourceName) {
        self.dsn = dsn
        self.server = dsn.server
        self.redactor = dsn.redactor
    }

    /// Connections currently open (tests and the bench check it stays bounded).
    var openConnections: Int { state.withLock { ($0.main == nil ? 0 : 1) + $0.pool.count } }

    func close() {
        state.withLock { state in
            state.main?.close()
            state.main = nil
            for connection in state.pool.values { connection.close() }
            state.pool = [:]
        }
    }

    func scrape(deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        state.withLock { state in scrape(&state, deadline: deadline, settings: settings, logger: logger) }
    }

    // MARK: private

    private func scrape(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        var report = ScrapeReport(server: server)
        let identity: QueryRows
        do {
            identity = try identify(&state, deadline: deadline, settings: settings)
            if let previous = state.connectError {
                logger.info("postgres connection recovered", ["server": server, "previous_err": previous])
                state.connectError = nil
            }
        } catch {
            if state.connectError != error.message {
                logger.error("postgres connection failed", ["server": server, "database": dsn.database, "err": error.message])
            }
            state.connectError = error.message
            report.up = false
            return report.families()
        }
        report.up = true
        report.identity(identity)
        guard let main = state.main else { return report.families() }
        let version = main.serverVersion

        for group in PostgresQueries.serverGroups {
            guard let sql = group.sql(version, settings.options) else { continue }
            guard state.main != nil else {
                // The connection died or timed out earlier in this scrape: already logged once.
                report.fail(group.name, duration: 0)
                continue
            }
            let started = MonotonicTime.now()
            do {
                let rows = try run(sql, on: &state, deadline: deadline)
                report.add(group.map(rows, server), group: group.name, duration: started.secondsElapsed())
            } catch {
                report.fail(group.name, duration: started.secondsElapsed())
                note(&state, group: group.name, error: error.message, logger: logger)
                continue
            }
            note(&state, group: group.name, error: nil, logger: logger)
        }
        scrapeDatabases(&state, version: version, deadline: deadline, settings: settings, logger: logger, report: &report)
        return report.families()
    }

    /// Runs the identity query on the main connection, reconnecting once if a reused connection
    /// turns out dead (the server restarted between scrapes).
    private func identify(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings) throws(PostgresError) -> QueryRows {
        let reused = state.main?.isUsable == true
        if !reused { try reconnect(&state, deadline: deadline, settings: settings) }
        do {
            return try run(PostgresQueries.identity, on: &state, deadline: deadline)
        } catch where reused && error.kind == .connection {
            try reconnect(&state, deadline: deadline, settings: settings)
            return try run(PostgresQueries.identity, on: &state, deadline: deadline)
        }
    }

    private func reconnect(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings) throws(PostgresError) {
        state.main?.close()
        state.main = nil
        let connection = try open(database: nil, deadline: deadline, settings: settings)
        let rows = try connection.query("SELECT current_database()", deadline: deadline)
        state.mainDatabase = rows.rows.first?.first.flatMap { $0 } ?? dsn.database
        state.main = connection
    }

    private func run(_ sql: String, on state: inout State, deadline: MonotonicTime) throws(PostgresError) -> QueryRows {
        guard let main = state.main, main.isUsable else {
            state.main = nil
            throw PostgresError(kind: .connection, message: "connection lost earlier in this scrape")
        }
        do {
            return try main.query(sql, deadline: deadline)
        } catch {
            if error.kind != .query { state.main = nil }
            throw error
        }
    }

    /// Opens a connection (to `database`, or the DSN's) and sets the session timeouts, so that a
    /// query abandoned at the deadline also ends on the server.
    private func open(database: String?, deadline: MonotonicTime, settings: PostgresSettings) throws(PostgresError) -> PostgresConnection {
        var parameters = [("application_name", "stack_exporter"), ("dbname", dsn.raw)]
        if let database { parameters.append(("dbname", database)) }
        let connectDeadline = min(deadline, MonotonicTime.now().adding(seconds: settings.connectTimeoutSeconds))
        let connection = try PostgresConnection.open(parameters: parameters, deadline: connectDeadline, redactor: redactor)
        let statement = Int(max(1, settings.statementTimeoutSeconds * 1000))
        _ = try connection.query(
            "SET statement_timeout = \(statement); SET lock_timeout = \(min(statement, 1000))", deadline: deadline)
        return connection
    }

    private func scrapeDatabases(
        _ state: inout State, version: Int, deadline: MonotonicTime, settings: PostgresSettings, logger: Logger,
        report: inout ScrapeReport
    ) {
        let groups = PostgresQueries.databaseGroups.compactMap { group in group.sql(version, settings.options).map { (group, $0) } }
        guard !groups.isEmpty else { return }
        guard state.main != nil else {
            for (group, _) in groups { report.fail(group.name, duration: 0) }
            return
        }
        var databases = [state.mainDatabase]
        if settings.allDatabases {
            do {
                let rows = try run(PostgresQueries.databases, on: &state, deadline: deadline)
                databases = rows.rows.compactMap { $0.first ?? nil }.filter(settings.wantsDatabase)
            } catch {
                for (group, _) in groups {
                    report.fail(group.name, duration: 0)
                    note(&state, group: group.name, error: "listing databases: \(error.message)", logger: logger)
                }
                return
            }
        }
        // Forget pooled connections to databases that went away or were filtered out.
        for name in state.pool.keys where !databases.contains(name) {
            state.pool.removeValue(forKey: name)?.close()
        }
        var failures: [String: String] = [:]
        var durations: [String: Double] = [:]
        for database in databases {
            let isMain = database == state.mainDatabase
            var connection: PostgresConnection
            var temporary = false
            do {
                if isMain, let main = state.main {
                    connection = main
                } else if let pooled = state.pool[database], pooled.isUsable {
                    connection = pooled
                } else {
                    state.pool.removeValue(forKey: database)?.close()
                    connection = try open(database: database, deadline: deadline, settings: settings)
                    if state.pool.count < settings.databaseConnections { state.pool[database] = connection } else { temporary = true }
                }
            } catch {
                for (group, _) in groups { failures[group.name] = "database \(database): \(error.message)" }
                continue
            }
            for (group, sql) in groups {
                let started = MonotonicTime.now()
                do {
                    let rows: QueryRows
                    do {
                        rows = try connection.query(sql, deadline: deadline)
                    } catch where error.kind == .connection && !isMain {
                        // A pooled connection that died between scrapes (server restart): once more, fresh.
                        connection.close()
                        connection = try open(database: database, deadline: deadline, settings: settings)
                        if !temporary { state.pool[database] = connection }
                        rows = try connection.query(sql, deadline: deadline)
                    }
                    report.append(group.map(rows, server))
                } catch {
                    failures[group.name] = "database \(database): \(error.message)"
                    if error.kind != .query {
                        if isMain { state.main = nil } else { state.pool.removeValue(forKey: database) }
                        break
                    }
                }
                durations[group.name, default: 0] += started.secondsElapsed()
            }
            if temporary { connection.close() }
        }
        for (group, _) in groups {
            report.record(group.name, success: failures[group.name] == nil, duration: durations[group.name] ?? 0)
            note(&state, group: group.name, error: failures[group.name], logger: logger)
        }
    }

    /// Logs a group's failure when it starts or changes, and its recovery, not every scrape.
    private func note(_ state: inout State, group: String, error: String?, logger: Logger) {
        let previous = state.groupErrors[group]
        if let error, error != previous {
            logger.error("postgres metric group failed", ["server": server, "collector": group, "err": error])
        } else if error == nil, let previous {
            logger.info("postgres metric group recovered", ["server": server, "collector": group, "previous_err": previous])
        }
        state.groupErrors[group] = error
    }
}

/// The families of one server's scrape, with per-group success.
struct ScrapeReport {
    let server: String
    var up = false
    private var collected: [MetricFamily] = []
    private var groups: [(name: String, success: Bool, duration: Double)] = []

    init(server: String) { self.server = server }

    mutating func identity(_ rows: QueryRows) {
        guard let row = rows.rows.first, row.count >= 4 else { return }
        var staticInfo = MetricFamily(PostgresMetrics.staticInfo)
        staticInfo.add([row[1] ?? "", RowMapping.shortVersion(row[2] ?? ""), server], 1)
        collected.append(staticInfo)
        if let text = row[3], let start = Double(text) {
            var family = MetricFamily(PostgresMetrics.postmasterStart)
            family.add([server], start)
            collected.append(family)
        }
    }

    mutating func append(_ more: [MetricFamily]) { collected += more }

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
    static let lastScrapeError = FamilyDescriptor(
        name: "pg_exporter_last_scrape_error", type: .gauge, help: "Whether the last scrape of this server had an error (1) or not (0).", labels: ["server"])
}
