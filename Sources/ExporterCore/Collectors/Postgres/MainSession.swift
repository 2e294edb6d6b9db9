/// The session to the DSN's database and what it caches: the plan for the server's version, the
/// identity and settings families, the free slots it measured. A scrape's main pipeline (every
/// server group, the database list and the DSN database's tables: one round trip) runs on it.
///
/// What does not change while a connection lives (version, postmaster start, database name) and
/// what rarely does (`pg_settings`) is fetched on connect and then every `staticRefreshScrapes`
/// scrapes only. Not thread-safe: its server's lock serialises its use.
final class MainSession: PipelineConsumer {
    /// Scrapes between refreshes of the identity and settings (also refreshed on every reconnect).
    static let staticRefreshScrapes = 10

    private let server: String
    private var connection: PostgresConnection? = nil
    /// The database the session is connected to (`current_database()`), else the DSN's.
    private(set) var database: String
    /// The groups' SQL for the connected server's version, built once per version.
    private(set) var plan: ScrapePlan? = nil
    /// Connection slots free for ordinary roles, measured by the last main pipeline.
    private(set) var freeSlots: Int? = nil
    /// Cached families of the identity and settings statements, and scrapes since they were fetched.
    private(set) var identity: [MetricFamily]? = nil
    private(set) var settings: [MetricFamily]? = nil
    private var staticAge = 0
    /// The last rows of the settings statement and their families: ~300 settings, the same rows
    /// nearly every time, so their ~300 descriptors are built again only when a value changed.
    private var settingsRows: QueryRows? = nil
    private var settingsFromRows: [MetricFamily]? = nil

    /// This scrape's options, and its statements' outcomes as they arrive.
    private var options = PostgresOptions()
    private var included = ScrapePlan.MainOptions()
    private var items: [ScrapeMapper.MainResult] = []

    init(server: String, database: String) {
        self.server = server
        self.database = database
    }

    var isOpen: Bool { connection != nil }

    func close() {
        connection?.close()
        connection = nil
    }

    /// This scrape's pipeline as a task; the session is the task's until `finish`. `withSizes` and
    /// `withTables`: false when the second session runs them.
    func task(settings: PostgresSettings, target: SessionTarget, withSizes: Bool, withTables: Bool) -> PipelineTask {
        options = settings.options
        included = ScrapePlan.MainOptions(databaseList: settings.allDatabases, tables: withTables, sizes: withSizes)
        items = []
        defer { connection = nil }
        return PipelineTask(connection: connection, target: target, consumer: self)
    }

    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest {
        let version = connection.serverVersion
        if plan?.version != version { plan = ScrapePlan(version: version, options: options) }
        if fresh || staticAge >= Self.staticRefreshScrapes {
            identity = nil
            settings = nil
        }
        freeSlots = nil
        var chosen = included
        chosen.identity = identity == nil
        chosen.settings = settings == nil
        let statements = plan?.main(chosen) ?? []
        items = statements.map { ScrapeMapper.MainResult(purpose: $0.purpose) }
        return PipelineRequest(statements: statements.map(\.sql))
    }

    func received(_ index: Int, _ result: StatementResult, seconds: Double) {
        guard index < items.count else { return }
        let purpose = items[index].purpose
        if case .group(let group) = purpose, group.name == PostgresQueries.settings.name, case .success(let rows) = result {
            if rows != settingsRows || settingsFromRows == nil {
                settingsRows = rows
                settingsFromRows = group.map(rows, server)
            }
            items[index] = ScrapeMapper.MainResult(purpose: purpose, families: settingsFromRows, duration: seconds)
            return
        }
        items[index] = ScrapeMapper.main(purpose, result, seconds: seconds, server: server)
        if let slots = items[index].freeSlots { freeSlots = slots }
    }

    /// Takes the session back and hands over the statements' outcomes; throws when the server
    /// could not be reached or identified (`pg_up 0`), the session then closed.
    func finish(_ end: PipelineEnd) throws(PostgresError) -> [ScrapeMapper.MainResult] {
        if let failure = end.failure { throw failure }
        connection = end.connection
        let identityItem = items.first { if case .identity = $0.purpose { true } else { false } }
        if let failure = end.setupFailure ?? identityItem?.error {
            close()
            throw failure
        }
        if let found = identityItem?.identity {
            identity = found.families
            database = found.database ?? database
            staticAge = 0
        }
        for item in items {
            if case .group(let group) = item.purpose, group.name == PostgresQueries.settings.name, let families = item.families { settings = families }
        }
        staticAge += 1
        return items
    }
}
