/// Table statistics of a server's other databases (not the DSN's), on sessions of their own,
/// driven concurrently from the scrape's thread and bounded by `SessionBudget`. When every other
/// database fits the budget each keeps its session across scrapes; otherwise none does (a pooled
/// session waiting for its turn would count against the budget) and each connects for its turn,
/// the scrape starting with the first database the last one could not finish (round-robin).
struct OtherDatabases {
    /// Sessions kept across scrapes, by database, at most `databaseConnections`.
    private var pool: [String: PostgresConnection] = [:]
    /// Where the next scrape starts visiting (the first database the last could not finish).
    private var cursor = 0

    /// What one scrape's table groups came to: families in database order, and per group its
    /// failure (nil: success) and seconds summed over the databases.
    struct Outcome {
        var families: [[MetricFamily]] = []
        var groups: [(name: String, error: String?, duration: Double)] = []
    }

    /// What the scrape knows when the other databases' turn comes.
    struct Scrape {
        let server: String
        let plan: ScrapePlan
        /// Databases to visit (sorted; the DSN's included) or why they could not be listed.
        let databases: [String]
        let listError: String?
        /// The DSN's database and its table groups, from the main or the second session.
        let mainDatabase: String
        let mainTables: [GroupResult]
        let freeSlots: Int?
        let deadline: MonotonicTime
        /// How to open a session to a database.
        let target: (String) -> SessionTarget
    }

    var count: Int { pool.count }

    mutating func close() {
        for connection in pool.values { connection.close() }
        pool = [:]
    }

    mutating func scrape(_ scrape: Scrape, settings: PostgresSettings) -> Outcome {
        let groups = scrape.plan.database.map(\.group)
        var failures: [String: String] = [:]
        var durations: [String: Double] = [:]
        if let listError = scrape.listError {
            for group in groups { failures[group.name] = listError }
        }
        var byDatabase: [String: [[MetricFamily]]] = [:]
        byDatabase[scrape.mainDatabase] = scrape.mainTables.compactMap(\.families)
        for result in scrape.mainTables {
            durations[result.group.name, default: 0] += result.duration
            if let error = result.error { failures[result.group.name] = "database \(scrape.mainDatabase): \(error)" }
        }
        let others = scrape.listError == nil ? scrape.databases.filter { $0 != scrape.mainDatabase } : []
        let budget = SessionBudget.otherDatabases(limit: settings.databaseConnections, freeSlots: scrape.freeSlots, held: pool.count)
        if budget == 0, !others.isEmpty {
            for group in groups { failures[group.name] = "\(others.count) other databases skipped: the server is near max_connections" }
        }
        for visited in visit(others, budget: budget, scrape: scrape, settings: settings) {
            for (index, group) in groups.enumerated() {
                durations[group.name, default: 0] += index < visited.durations.count ? visited.durations[index] : 0
                if let error = visited.errors[group.name] { failures[group.name] = "database \(visited.database): \(error)" }
            }
            byDatabase[visited.database] = visited.families
        }
        var outcome = Outcome()
        for database in scrape.databases { outcome.families += byDatabase[database] ?? [] }
        outcome.groups = groups.map { ($0.name, failures[$0.name], durations[$0.name] ?? 0) }
        return outcome
    }

    /// Runs the table groups of `others` (rotated, at most `budget` sessions at a time), keeping
    /// the sessions when they all fit the budget; returns each database's tables.
    private mutating func visit(_ others: [String], budget: Int, scrape: Scrape, settings: PostgresSettings) -> [DatabaseTables] {
        let keep = others.count <= budget
        for name in pool.keys where !keep || !others.contains(name) {
            pool.removeValue(forKey: name)?.close()
        }
        let visiting = budget == 0 ? [] : ScrapePlan.rotated(others, from: cursor)
        let tables = visiting.map { DatabaseTables(database: $0, server: scrape.server, groups: scrape.plan.database.map(\.group), request: scrape.plan.tables) }
        let tasks = tables.map { tables in
            PipelineTask(connection: pool.removeValue(forKey: tables.database), target: scrape.target(tables.database), keep: keep, consumer: tables)
        }
        let ends = PollLoop.run(tasks, concurrency: min(settings.databaseConcurrency, budget), deadline: scrape.deadline)
        for (tables, end) in zip(tables, ends) {
            if let failure = end.failure { tables.fail(failure.message) }
            if let connection = end.connection {
                if keep, connection.isUsable { pool[tables.database] = connection } else { connection.close() }
            }
        }
        if let unfinished = tables.first(where: { !$0.errors.isEmpty }), let index = others.firstIndex(of: unfinished.database) {
            cursor = index
        }
        return tables
    }
}

/// The table groups of one database, mapped as each result arrives (while the other databases'
/// statements still run).
final class DatabaseTables: PipelineConsumer {
    let database: String
    private let server: String
    private let groups: [QueryGroup]
    private let request: PipelineRequest
    /// Per group: its families (in group order), failures by group name, seconds per statement.
    private(set) var families: [[MetricFamily]] = []
    private(set) var errors: [String: String] = [:]
    private(set) var durations: [Double] = []

    init(database: String, server: String, groups: [QueryGroup], request: PipelineRequest) {
        self.database = database
        self.server = server
        self.groups = groups
        self.request = request
    }

    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest {
        (families, errors, durations) = ([], [:], [])
        return request
    }

    func received(_ index: Int, _ result: StatementResult, seconds: Double) {
        guard index < groups.count else { return }
        durations.append(seconds)
        switch result {
        case .success(let rows): families.append(groups[index].map(rows, server))
        case .failure(let error): errors[groups[index].name] = error.message
        }
    }

    /// The pipeline did not complete: every group of this database failed.
    func fail(_ message: String) {
        families = []
        durations = []
        for group in groups { errors[group.name] = message }
    }
}
