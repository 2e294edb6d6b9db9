import Synchronization

/// One monitored server: its sessions (the main one, the sizes one, and those to other
/// databases), reused across scrapes and re-established after failure. A lock serialises its
/// scrapes (the runner never overlaps runs of one collector, so it is uncontended) and owns the
/// non-Sendable connections.
///
/// A scrape is the main pipeline (`MainSession`) and, from the second scrape on, the sizes
/// pipeline (`SizesSession`) on a second backend, both driven by one `PollLoop`; then the other
/// databases' table groups (`OtherDatabases`) on their own sessions, driven concurrently.
final class PostgresServer: Sendable {
    let dsn: DataSourceName
    let server: String
    private let redactor: Redactor
    private let state: Mutex<State>

    private struct State {
        let main: MainSession
        let sizes: SizesSession
        var others = OtherDatabases()
        var log: FailureLog

        /// Sessions held open between scrapes: `pg_exporter_sessions`.
        var sessions: Int { (main.isOpen ? 1 : 0) + (sizes.isOpen ? 1 : 0) + others.count }
    }

    init(dsn: DataSourceName) {
        self.dsn = dsn
        self.server = dsn.server
        self.redactor = dsn.redactor
        state = Mutex(State(main: MainSession(server: dsn.server, database: dsn.database), sizes: SizesSession(server: dsn.server), log: FailureLog(server: dsn.server)))
    }

    /// Connections currently open (tests and the bench check it stays bounded).
    var openConnections: Int { state.withLock { $0.sessions } }

    func close() {
        state.withLock { state in
            state.main.close()
            state.sizes.close()
            state.others.close()
        }
    }

    /// Everything bounded by `deadline` (the collector's item deadline, `ItemDeadline.cutoff`).
    func scrape(deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        state.withLock { state in scrape(&state, deadline: deadline, settings: settings, logger: logger) }
    }

    // MARK: private

    private func scrape(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        var report = ScrapeReport(server: server)
        let dsnTarget = target(database: nil, settings: settings)
        // The second session's statements go out first, so the server works on them while it runs
        // the main pipeline on another backend (from the second scrape on: the plan needs the version).
        let second = state.sizes.task(plan: state.main.plan, freeSlots: state.main.freeSlots, settings: settings, target: dsnTarget)
        let main = state.main.task(
            settings: settings, target: dsnTarget, withSizes: second == nil, withTables: second == nil || state.sizes.tables.isEmpty)
        let ends = PollLoop.run([second, main].compactMap { $0 }, concurrency: 2, deadline: deadline)
        let items: [ScrapeMapper.MainResult]
        do throws(PostgresError) {
            items = try state.main.finish(ends[ends.count - 1])
            state.log.connection(error: nil, database: dsn.database, logger: logger)
        } catch {
            state.log.connection(error: error.message, database: dsn.database, logger: logger)
            if second != nil { state.sizes.finish(ends[0], mainFailed: true) }
            report.sessions = state.sessions
            return report.families()
        }
        var mainTables: [GroupResult] = []
        if second != nil {
            state.sizes.finish(ends[0], mainFailed: false)
            mainTables = state.sizes.tableResults()
            record(state.sizes.sizesResult(), in: &report, log: &state.log, logger: logger)
        }
        report.up = true
        if let identity = state.main.identity { report.append(identity) }
        let listed = record(items, in: &report, state: &state, mainTables: &mainTables, settings: settings, logger: logger)
        if let plan = state.main.plan, !plan.database.isEmpty {
            let scrape = OtherDatabases.Scrape(
                server: server, plan: plan, databases: listed.databases, listError: listed.error, mainDatabase: state.main.database,
                mainTables: mainTables, freeSlots: state.main.freeSlots, deadline: deadline
            ) { [self] in target(database: $0, settings: settings) }
            let outcome = state.others.scrape(scrape, settings: settings)
            for families in outcome.families { report.append(families) }
            for group in outcome.groups {
                report.record(group.name, success: group.error == nil, duration: group.duration)
                state.log.group(group.name, error: group.error, logger: logger)
            }
        }
        report.sessions = state.sessions
        return report.families()
    }

    /// The main pipeline's server groups into `report`, its table groups into `mainTables`;
    /// returns the databases to visit (the DSN's alone without the list) or why they are unknown.
    private func record(
        _ items: [ScrapeMapper.MainResult], in report: inout ScrapeReport, state: inout State, mainTables: inout [GroupResult],
        settings: PostgresSettings, logger: Logger
    ) -> (databases: [String], error: String?) {
        var listed: (databases: [String], error: String?) = ([state.main.database], nil)
        var ranSettings = false
        for item in items {
            switch item.purpose {
            case .identity, .slots:
                continue
            case .group(let group):
                ranSettings = ranSettings || group.name == PostgresQueries.settings.name
                let result = GroupResult(group: group, families: item.families, error: item.error?.message, duration: item.duration)
                record(result, in: &report, log: &state.log, logger: logger)
            case .databases:
                if let names = item.databases {
                    listed.databases = names.filter(settings.wantsDatabase)
                } else {
                    listed.error = "listing databases: \(item.error?.message ?? "")"
                }
            case .tables(let group):
                let error = item.families == nil ? item.error?.message ?? "" : nil
                mainTables.append(GroupResult(group: group, families: item.families, error: error, duration: item.duration))
            }
        }
        // Settings served from the cache count as a success of their group.
        if !ranSettings, let cached = state.main.settings {
            report.add(cached, group: PostgresQueries.settings.name, duration: 0)
        }
        return listed
    }

    /// One server group's families, or its failure, logged on change.
    private func record(_ result: GroupResult, in report: inout ScrapeReport, log: inout FailureLog, logger: Logger) {
        if let families = result.families {
            report.add(families, group: result.group.name, duration: result.duration)
            log.group(result.group.name, error: nil, logger: logger)
        } else {
            report.fail(result.group.name, duration: result.duration)
            log.group(result.group.name, error: result.error, logger: logger)
        }
    }

    /// How to open a session to the DSN's database (nil) or another one.
    private func target(database: String?, settings: PostgresSettings) -> SessionTarget {
        var parameters = [("application_name", "stack_exporter"), ("dbname", dsn.connectionString)]
        if let database { parameters.append(("dbname", database)) }
        return SessionTarget(
            parameters: parameters, redactor: redactor, connectTimeout: settings.connectTimeoutSeconds,
            setup: ScrapePlan.setupStatement(settings))
    }
}
