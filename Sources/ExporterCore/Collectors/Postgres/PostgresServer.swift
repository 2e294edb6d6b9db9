import Synchronization

/// What every server's scrape shares: options, timeouts and the database filter.
struct PostgresSettings: Sendable {
    var options = PostgresOptions()
    var statementTimeoutSeconds = 10.0
    var connectTimeoutSeconds = 5.0
    var allDatabases = true
    /// Sessions at most to other databases than the DSN's (table statistics), pooled or not;
    /// fewer when the server's free slots are few (`SessionBudget`).
    var databaseConnections = 3
    /// Databases whose tables are fetched at the same time (connects included).
    var databaseConcurrency = 8
    /// Longest reuse of a `pg_database_size` measurement while nothing changed (0: measure every scrape).
    var databaseSizeMaxAgeSeconds = 300.0
    var databasesInclude: NamePattern? = nil
    var databasesExclude: NamePattern? = nil

    func wantsDatabase(_ name: String) -> Bool {
        if let include = databasesInclude, !include.pattern.isEmpty, !include.matches(name) { return false }
        if let exclude = databasesExclude, exclude.matches(name) { return false }
        return true
    }
}

/// One monitored server: its persistent connection (plus a pool to other databases), reused across
/// scrapes and re-established after failure. A lock serialises its scrapes (the runner never
/// overlaps runs of one collector, so it is uncontended) and owns the non-Sendable connections.
///
/// A scrape is one pipeline on the DSN's connection (every server group, the database list and the
/// DSN database's tables: one round trip), then the other databases' table groups on their own
/// connections, driven concurrently. What does not change while a connection lives (version,
/// postmaster start, database name) and what rarely does (`pg_settings`) is fetched on connect
/// and then every `staticRefreshScrapes` scrapes only.
final class PostgresServer: Sendable {
    let dsn: DataSourceName
    let server: String
    private let redactor: Redactor
    private let state = Mutex<State>(State())

    /// Scrapes between refreshes of the identity and settings (also refreshed on every reconnect).
    static let staticRefreshScrapes = 10

    private struct State {
        var main: PostgresConnection? = nil
        /// The main connection has not run its session setup yet.
        var mainFresh = false
        var mainDatabase = ""
        /// Connections to other databases, at most `databaseConnections`.
        var pool: [String: PostgresConnection] = [:]
        /// Connection slots free for ordinary roles, measured by the last main pipeline.
        var freeSlots: Int? = nil
        /// Where the next scrape starts visiting other databases (the first one the last could not finish).
        var databaseCursor = 0
        /// A second connection to the DSN's database for `database` (pg_database_size walks every
        /// file of every database, the slowest statement by far), run alongside the main pipeline.
        var sizes: PostgresConnection? = nil
        var connectError: String? = nil
        var groupErrors: [String: String] = [:]
        /// Cached families of the identity and settings queries, and scrapes since they were fetched.
        var identity: [MetricFamily]? = nil
        var settings: [MetricFamily]? = nil
        /// The last rows of the settings query and their families.
        var settingsRows: QueryRows? = nil
        var settingsFromRows: [MetricFamily]? = nil
        var staticAge = 0
        /// The groups' SQL for the connected server's version, built once per version.
        var plan: ScrapePlan? = nil
        /// The last `pg_database_size` measurement and its stamp (see `DatabaseSizes`).
        var databaseSizes = DatabaseSizes()
    }

    /// Each group's SQL for one server version and set of options: built once, not per scrape.
    private struct ScrapePlan {
        let version: Int
        let server: [(group: QueryGroup, sql: String)]
        let database: [(group: QueryGroup, sql: String)]
    }

    /// What a statement of the main pipeline is for.
    private enum Purpose {
        case setup, identity, slots, group(QueryGroup), databases, tables(QueryGroup)
    }

    init(dsn: DataSourceName) {
        self.dsn = dsn
        self.server = dsn.server
        self.redactor = dsn.redactor
    }

    /// Connections currently open (tests and the bench check it stays bounded).
    var openConnections: Int { state.withLock { Self.sessions($0) } }

    /// Sessions held open between scrapes: `pg_exporter_sessions`.
    private static func sessions(_ state: State) -> Int { (state.main == nil ? 0 : 1) + (state.sizes == nil ? 0 : 1) + state.pool.count }

    func close() {
        state.withLock { state in
            state.main?.close()
            state.main = nil
            state.sizes?.close()
            state.sizes = nil
            for connection in state.pool.values { connection.close() }
            state.pool = [:]
        }
    }

    func scrape(deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        state.withLock { state in scrape(&state, deadline: deadline, settings: settings, logger: logger) }
    }

    /// `SET` for a new session, as one statement (a pipeline takes one statement per query), so a
    /// query abandoned at the deadline also ends on the server.
    static func setupStatement(_ settings: PostgresSettings) -> String {
        // PostgreSQL takes at most INT_MAX ms; a flag such as 1e300s must not trap in Int(_:).
        let statement = Int(min(max(1, settings.statementTimeoutSeconds * 1000), Double(Int32.max)))
        return "SELECT set_config('statement_timeout', '\(statement)', false), set_config('lock_timeout', '\(min(statement, 1000))', false)"
    }

    // MARK: private

    private func scrape(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings, logger: Logger) -> [MetricFamily] {
        var report = ScrapeReport(server: server)
        // The second session's statements go out first, so the server works on them while it runs
        // the main pipeline on another backend (from the second scrape on: the plan needs the version).
        let second = startSizes(&state, deadline: deadline, settings: settings)
        let sizes = second?.task
        let outcome: [MainResult]
        do {
            outcome = try runMain(
                &state, deadline: deadline, settings: settings, skipSizes: second != nil, skipTables: !(second?.tables.isEmpty ?? true))
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
            sizes?.expire()
            state.sizes = nil
            report.sessions = Self.sessions(state)
            return report.families()
        }
        if let second, let sizes {
            PostgresDriver.run([sizes], concurrency: 1)
            state.sizes = sizes.connection?.isUsable == true ? sizes.connection : nil
            if let rows = second.rows(second.sizesIndex) {
                let now = MonotonicTime.now()
                let filled = state.databaseSizes.absorb(rows, now: now)
                if filled == nil { state.databaseSizes.reset() }
                var families = PostgresQueries.database.map(filled ?? rows, server)
                if let age = state.databaseSizes.age(now: now) {
                    families.append(MetricFamily(PostgresMetrics.databaseSizeAge, samples: [Sample(PostgresMetrics.databaseSizeAge, [server], value: age)]))
                }
                report.add(families, group: PostgresQueries.database.name, duration: second.duration(second.sizesIndex))
                note(&state, group: PostgresQueries.database.name, error: nil, logger: logger)
            } else {
                state.databaseSizes.reset()
                sizes.connection?.close()
                state.sizes = nil
                report.fail(PostgresQueries.database.name, duration: second.duration(second.sizesIndex))
                note(&state, group: PostgresQueries.database.name, error: sizes.errors[PostgresQueries.database.name] ?? "no result", logger: logger)
            }
        }
        report.up = true
        state.staticAge += 1
        if let identity = state.identity { report.append(identity) }

        var databases = [state.mainDatabase]
        var listError: String? = nil
        var mainTables: [MainResult] = []
        if let second {
            // The DSN database's table groups that ran on the second session (with the groups
            // of the plan that session was given, even if the main pipeline re-planned).
            for (index, group) in second.tables.enumerated() {
                var item = MainResult(purpose: .tables(group))
                item.duration = second.duration(index)
                if let rows = second.rows(index) {
                    item.families = group.map(rows, server)
                } else {
                    item.error = PostgresError(kind: .query, message: second.task.errors[group.name] ?? "no result")
                }
                mainTables.append(item)
            }
        }
        var ranSettings = false
        for item in outcome {
            switch item.purpose {
            case .setup, .identity, .slots:
                continue
            case .group(let group):
                ranSettings = ranSettings || group.name == PostgresQueries.settings.name
                if let families = item.families {
                    if group.name == PostgresQueries.settings.name { state.settings = families }
                    report.add(families, group: group.name, duration: item.duration)
                    note(&state, group: group.name, error: nil, logger: logger)
                } else {
                    report.fail(group.name, duration: item.duration)
                    note(&state, group: group.name, error: item.error?.message, logger: logger)
                }
            case .databases:
                if let names = item.databases {
                    databases = names.filter(settings.wantsDatabase)
                } else {
                    listError = "listing databases: \(item.error?.message ?? "")"
                }
            case .tables:
                mainTables.append(item)
            }
        }
        // Settings served from the cache count as a success of their group.
        if !ranSettings, let cached = state.settings {
            report.add(cached, group: PostgresQueries.settings.name, duration: 0)
        }
        scrapeDatabases(
            &state, databases: databases, listError: listError, mainTables: mainTables, deadline: deadline, settings: settings,
            logger: logger, report: &report)
        report.sessions = Self.sessions(state)
        return report.families()
    }

    /// One statement of the main pipeline, mapped as soon as it arrived.
    private struct MainResult {
        let purpose: Purpose
        var families: [MetricFamily]? = nil
        var databases: [String]? = nil
        var error: PostgresError? = nil
        var duration: Double = 0
    }

    /// Runs the main pipeline, reconnecting once if a reused connection turns out dead (the server
    /// restarted between scrapes). Throws when the server cannot be reached or identified: `pg_up 0`.
    private func runMain(
        _ state: inout State, deadline: MonotonicTime, settings: PostgresSettings, skipSizes: Bool, skipTables: Bool
    ) throws(PostgresError) -> [MainResult] {
        let reused = state.main?.isUsable == true
        if !reused { try reconnect(&state, deadline: deadline, settings: settings) }
        do {
            return try runMainPipeline(&state, deadline: deadline, settings: settings, skipSizes: skipSizes, skipTables: skipTables)
        } catch where reused && error.kind == .connection {
            try reconnect(&state, deadline: deadline, settings: settings)
            return try runMainPipeline(&state, deadline: deadline, settings: settings, skipSizes: skipSizes, skipTables: skipTables)
        }
    }

    /// Sends the `database` group and the DSN database's table groups on the second connection
    /// (connecting it if needed) without waiting: a second backend works on them while the first
    /// runs the server groups, on another core. Nil before the first plan or when the group does
    /// not apply (the main pipeline then runs everything).
    private func startSizes(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings) -> SecondRun? {
        guard let plan = state.plan, let entry = plan.server.first(where: { $0.group.name == PostgresQueries.database.name }) else { return nil }
        guard SessionBudget.allowsSecondSession(freeSlots: state.freeSlots) else {
            // The server is near its limit: the main session measures the sizes itself.
            state.sizes?.close()
            state.sizes = nil
            return nil
        }
        let parameters = parameters(database: nil)
        let redactor = redactor
        let connectTimeout = settings.connectTimeoutSeconds
        let stamp = state.databaseSizes.parameter(now: .now(), maxAge: settings.databaseSizeMaxAgeSeconds)
        // The tables ride along only on a session that is open and worked last scrape: one that
        // cannot connect (a role's CONNECTION LIMIT, max_connections reached) costs the sizes
        // alone, and the main pipeline keeps the tables. They go before the sizes, so a slow
        // pg_database_size cannot push them past the deadline.
        let tables = state.sizes?.isUsable == true ? plan.database : []
        let task = DatabaseTask(
            database: state.mainDatabase, connection: state.sizes, keep: true,
            statements: tables.map(\.sql) + [DatabaseSizes.sql], parameters: [tables.count: [stamp]], mapsRows: false,
            groups: tables.map(\.group) + [entry.group], server: server, setup: Self.setupStatement(settings), deadline: deadline
        ) { () throws(PostgresError) -> (PostgresConnection, MonotonicTime) in
            let connection = try PostgresConnection.start(parameters: parameters, redactor: redactor)
            return (connection, min(deadline, MonotonicTime.now().adding(seconds: connectTimeout)))
        }
        state.sizes = nil
        _ = task.proceed()
        return SecondRun(task: task, tables: tables.map(\.group))
    }

    /// What the second session runs in a scrape: the DSN database's table groups (when it was
    /// open already), then the sizes statement.
    private struct SecondRun {
        let task: DatabaseTask
        let tables: [QueryGroup]
        var sizesIndex: Int { tables.count }

        func rows(_ index: Int) -> QueryRows? { index < task.rows.count ? task.rows[index] : nil }
        func duration(_ index: Int) -> Double { index < task.durations.count ? task.durations[index] : 0 }
    }

    private func runMainPipeline(
        _ state: inout State, deadline: MonotonicTime, settings: PostgresSettings, skipSizes: Bool, skipTables: Bool
    ) throws(PostgresError) -> [MainResult] {
        guard let main = state.main else { throw PostgresError(kind: .connection, message: "connection closed") }
        let version = main.serverVersion
        if state.plan?.version != version { state.plan = makePlan(version: version, options: settings.options) }
        guard let plan = state.plan else { throw PostgresError(kind: .connection, message: "no plan") }
        if state.staticAge >= Self.staticRefreshScrapes {
            state.identity = nil
            state.settings = nil
        }
        var items: [MainResult] = []
        var statements: [String] = []
        if state.mainFresh {
            items.append(MainResult(purpose: .setup))
            statements.append(Self.setupStatement(settings))
        }
        if state.identity == nil {
            items.append(MainResult(purpose: .identity))
            statements.append(PostgresQueries.identity)
        }
        items.append(MainResult(purpose: .slots))
        statements.append(SessionBudget.freeSlotsSQL)
        state.freeSlots = nil
        // The database list and the DSN database's tables first, the server groups after (`database`,
        // the slowest, last): the exporter maps each result while the server runs the next ones.
        if settings.allDatabases {
            items.append(MainResult(purpose: .databases))
            statements.append(PostgresQueries.databases)
        }
        for (group, sql) in plan.database where !skipTables {
            items.append(MainResult(purpose: .tables(group)))
            statements.append(sql)
        }
        let skipping = skipSizes ? PostgresQueries.database.name : nil
        for (group, sql) in plan.server where group.name != skipping && (group.name != PostgresQueries.settings.name || state.settings == nil) {
            items.append(MainResult(purpose: .group(group)))
            statements.append(sql)
        }
        var identity: QueryRows? = nil
        var setupError: PostgresError? = nil
        do {
            try main.run(statements, deadline: deadline) { index, result, duration in
                items[index].duration = duration
                let rows: QueryRows
                switch result {
                case .success(let value): rows = value
                case .failure(let error):
                    items[index].error = error
                    if case .setup = items[index].purpose { setupError = error }
                    if case .identity = items[index].purpose { setupError = error }
                    return
                }
                switch items[index].purpose {
                case .setup: break
                case .identity: identity = rows
                case .slots: state.freeSlots = rows.rows.first?.first.flatMap { $0.flatMap { Int($0) } }
                case .databases: items[index].databases = rows.rows.compactMap { $0.first ?? nil }
                case .group(let group) where group.name == PostgresQueries.settings.name:
                    // ~300 settings, the same rows nearly every time: their ~300 descriptors are
                    // built again only when a value changed (a reload).
                    if rows == state.settingsRows, let cached = state.settingsFromRows {
                        items[index].families = cached
                    } else {
                        let families = group.map(rows, server)
                        items[index].families = families
                        state.settingsRows = rows
                        state.settingsFromRows = families
                    }
                case .group(let group), .tables(let group): items[index].families = group.map(rows, server)
                }
            }
        } catch {
            state.main = nil
            throw error
        }
        state.mainFresh = false
        if let setupError {
            main.close()
            state.main = nil
            throw setupError
        }
        if let identity {
            state.identity = identityFamilies(identity)
            state.mainDatabase = identity.rows.first.flatMap { $0.count > 4 ? $0[4] : nil } ?? dsn.database
            state.staticAge = 0
        }
        return items
    }

    private func makePlan(version: Int, options: PostgresOptions) -> ScrapePlan {
        ScrapePlan(
            version: version,
            server: PostgresQueries.serverGroups.compactMap { group in group.sql(version, options).map { (group, $0) } },
            database: PostgresQueries.databaseGroups.compactMap { group in group.sql(version, options).map { (group, $0) } })
    }

    private func identityFamilies(_ rows: QueryRows) -> [MetricFamily] {
        var report = ScrapeReport(server: server)
        report.identity(rows)
        return report.collectedFamilies
    }

    private func reconnect(_ state: inout State, deadline: MonotonicTime, settings: PostgresSettings) throws(PostgresError) {
        state.main?.close()
        state.main = nil
        state.identity = nil
        state.settings = nil
        let connectDeadline = min(deadline, MonotonicTime.now().adding(seconds: settings.connectTimeoutSeconds))
        state.main = try PostgresConnection.open(parameters: parameters(database: nil), deadline: connectDeadline, redactor: redactor)
        state.mainFresh = true
    }

    private func parameters(database: String?) -> [(String, String)] {
        var parameters = [("application_name", "stack_exporter"), ("dbname", dsn.connectionString)]
        if let database { parameters.append(("dbname", database)) }
        return parameters
    }

    /// Table groups of every other database, on pooled or temporary connections driven
    /// concurrently (at most `databaseConcurrency` at once); the DSN database's came with the main
    /// pipeline. Families are added in database order (the list is sorted), so each family's
    /// samples arrive sorted.
    private func scrapeDatabases(
        _ state: inout State, databases: [String], listError: String?, mainTables: [MainResult],
        deadline: MonotonicTime, settings: PostgresSettings, logger: Logger, report: inout ScrapeReport
    ) {
        guard let plan = state.plan, !plan.database.isEmpty else { return }
        let groups = plan.database.map(\.group)
        var failures: [String: String] = [:]
        var durations: [String: Double] = [:]
        var byDatabase: [String: [[MetricFamily]]] = [:]
        if let listError {
            for group in groups { failures[group.name] = listError }
        }
        var mainFamilies: [[MetricFamily]] = []
        for item in mainTables {
            guard case .tables(let group) = item.purpose else { continue }
            durations[group.name, default: 0] += item.duration
            if let families = item.families {
                mainFamilies.append(families)
            } else {
                failures[group.name] = "database \(state.mainDatabase): \(item.error?.message ?? "")"
            }
        }
        byDatabase[state.mainDatabase] = mainFamilies
        let others = listError == nil ? databases.filter { $0 != state.mainDatabase } : []
        let budget = SessionBudget.otherDatabases(limit: settings.databaseConnections, freeSlots: state.freeSlots, held: state.pool.count)
        // When every other database fits the budget each keeps its session; otherwise none does
        // (a pooled session waiting for its turn would count against it) and each connects for
        // its turn, the scrape starting where the last one could not finish (round-robin).
        let keep = others.count <= budget
        for name in state.pool.keys where !keep || !others.contains(name) {
            state.pool.removeValue(forKey: name)?.close()
        }
        if budget == 0, !others.isEmpty {
            for group in groups { failures[group.name] = "\(others.count) other databases skipped: the server is near max_connections" }
        }
        let visiting = budget == 0 ? [] : Self.rotated(others, from: state.databaseCursor)
        let tasks = visiting.map { database in
            tableTask(database, connection: state.pool.removeValue(forKey: database), keep: keep, plan: plan, deadline: deadline, settings: settings)
        }
        PostgresDriver.run(tasks, concurrency: min(settings.databaseConcurrency, budget))
        if let unfinished = tasks.first(where: { !$0.errors.isEmpty }), let index = others.firstIndex(of: unfinished.database) {
            state.databaseCursor = index
        }
        for task in tasks {
            if task.keep, let connection = task.connection, connection.isUsable {
                state.pool[task.database] = connection
            } else {
                task.connection?.close()
            }
            for (index, group) in groups.enumerated() {
                durations[group.name, default: 0] += index < task.durations.count ? task.durations[index] : 0
                if let error = task.errors[group.name] { failures[group.name] = "database \(task.database): \(error)" }
            }
            byDatabase[task.database] = task.families
        }
        for database in databases {
            for families in byDatabase[database] ?? [] { report.append(families) }
        }
        for group in groups {
            report.record(group.name, success: failures[group.name] == nil, duration: durations[group.name] ?? 0)
            note(&state, group: group.name, error: failures[group.name], logger: logger)
        }
    }

    /// The table groups of one other database, on its pooled connection or a new one.
    private func tableTask(
        _ database: String, connection: PostgresConnection?, keep: Bool, plan: ScrapePlan, deadline: MonotonicTime, settings: PostgresSettings
    ) -> DatabaseTask {
        let parameters = parameters(database: database)
        let redactor = redactor
        let connectTimeout = settings.connectTimeoutSeconds
        return DatabaseTask(
            database: database, connection: connection, keep: keep, statements: plan.database.map(\.sql),
            groups: plan.database.map(\.group), server: server, setup: Self.setupStatement(settings), deadline: deadline
        ) { () throws(PostgresError) -> (PostgresConnection, MonotonicTime) in
            let connection = try PostgresConnection.start(parameters: parameters, redactor: redactor)
            return (connection, min(deadline, MonotonicTime.now().adding(seconds: connectTimeout)))
        }
    }

    /// `names` starting at `start` (modulo their count), then wrapping around.
    static func rotated(_ names: [String], from start: Int) -> [String] {
        guard !names.isEmpty else { return [] }
        let first = start % names.count
        return Array(names[first...] + names[..<first])
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

/// The table groups of one database on its own connection: connect if needed (with the session
/// setup in the same pipeline), run the pipeline, map the rows as soon as they are in (while the
/// other databases' statements still run), and on a pooled connection found dead (server
/// restarted between scrapes) connect once more.
private final class DatabaseTask: PostgresTask {
    let database: String
    let keep: Bool
    private(set) var connection: PostgresConnection?
    private(set) var deadline: MonotonicTime
    /// Per group: its families (in group order), failures by group name, seconds per statement.
    private(set) var families: [[MetricFamily]] = []
    private(set) var errors: [String: String] = [:]
    private(set) var durations: [Double] = []
    /// Without `mapsRows`, per group the rows as they came (nil for a failed statement).
    private(set) var rows: [QueryRows?] = []
    private let statements: [String]
    private let parameters: [Int: [String]]
    /// Whether results become families here (false: the caller maps `rows` itself).
    private let mapsRows: Bool
    private let groups: [QueryGroup]
    private let server: String
    private let setup: String
    private let scrapeDeadline: MonotonicTime
    private let connect: () throws(PostgresError) -> (PostgresConnection, MonotonicTime)
    private enum Step { case start, connecting, querying, done }
    private var step = Step.start
    private var fresh = false
    private var retried = false
    private var sent = MonotonicTime.now()

    init(
        database: String, connection: PostgresConnection?, keep: Bool, statements: [String], parameters: [Int: [String]] = [:],
        mapsRows: Bool = true, groups: [QueryGroup], server: String, setup: String, deadline: MonotonicTime,
        connect: @escaping () throws(PostgresError) -> (PostgresConnection, MonotonicTime)
    ) {
        self.database = database
        self.connection = connection
        self.keep = keep
        self.statements = statements
        self.parameters = parameters
        self.mapsRows = mapsRows
        self.groups = groups
        self.server = server
        self.setup = setup
        self.deadline = deadline
        scrapeDeadline = deadline
        self.connect = connect
    }

    func proceed() -> Bool {
        do throws(PostgresError) {
            while true {
                switch step {
                case .start:
                    if let connection, connection.isUsable {
                        try send(connection)
                    } else {
                        connection?.close()
                        let (started, connectDeadline) = try connect()
                        connection = started
                        deadline = connectDeadline
                        fresh = true
                        step = .connecting
                    }
                case .connecting:
                    guard let connection, try connection.advance() else { return true }
                    deadline = scrapeDeadline
                    try send(connection)
                case .querying:
                    guard let connection, try connection.advance() else { return true }
                    let skip = fresh ? 1 : 0
                    let results = connection.takeResults().dropFirst(skip)
                    durations = Array(connection.lastArrivals(since: sent).dropFirst(skip))
                    for (group, result) in zip(groups, results) {
                        switch result {
                        case .success(let rows):
                            if mapsRows { families.append(group.map(rows, server)) } else { self.rows.append(rows) }
                        case .failure(let error):
                            errors[group.name] = error.message
                            if !mapsRows { self.rows.append(nil) }
                        }
                    }
                    step = .done
                    // A session not kept is closed now, not after every database: it would still
                    // hold its slot while the next ones connect.
                    if !keep {
                        connection.close()
                        self.connection = nil
                    }
                    return false
                case .done:
                    return false
                }
            }
        } catch {
            if step == .querying, !fresh, !retried, error.kind == .connection {
                retried = true
                connection?.close()
                connection = nil
                step = .start
                return proceed()
            }
            fail(error.message)
            return false
        }
    }

    func expire() {
        guard step != .done else { return }
        let connecting = step != .querying
        connection?.abandon()
        fail(connecting ? "connect timed out before the scrape deadline" : "query cancelled at the scrape deadline")
    }

    private func fail(_ message: String) {
        connection?.close()
        connection = nil
        for group in groups { errors[group.name] = message }
        step = .done
    }

    private func send(_ connection: PostgresConnection) throws(PostgresError) {
        sent = MonotonicTime.now()
        // The setup statement goes first on a fresh connection: the parameters' indices move by one.
        let shifted = fresh ? Dictionary(uniqueKeysWithValues: parameters.map { ($0.key + 1, $0.value) }) : parameters
        try connection.send(fresh ? [setup] + statements : statements, parameters: shifted)
        step = .querying
    }
}

/// The families of one server's scrape, with per-group success.
struct ScrapeReport {
    let server: String
    var up = false
    /// Sessions the exporter holds to the server (`pg_exporter_sessions`).
    var sessions: Int? = nil
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
