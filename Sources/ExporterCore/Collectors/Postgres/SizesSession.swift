/// A second session to the DSN's database and the last `pg_database_size` measurement: the sizes
/// (pg_database_size walks every file of every database, the slowest statement by far) and, when
/// the session is open already, the DSN database's table groups run on it alongside the main
/// pipeline, so two backends work on two cores. Not thread-safe: its server's lock serialises it.
final class SizesSession: PipelineConsumer {
    private let server: String
    private var connection: PostgresConnection? = nil
    /// The last `pg_database_size` measurement and its stamp (see `DatabaseSizes`).
    private var sizes = DatabaseSizes()
    /// This scrape's groups (tables, then `database`), their statements, and their outcomes.
    private(set) var tables: [QueryGroup] = []
    private var groups: [QueryGroup] = []
    private var request = PipelineRequest(statements: [])
    private var rows: [QueryRows?] = []
    private var errors: [String?] = []
    private var durations: [Double] = []

    init(server: String) { self.server = server }

    var isOpen: Bool { connection != nil }

    func close() {
        connection?.close()
        connection = nil
    }

    /// This scrape's pipeline as a task (the session is the task's until `finish`), or nil before
    /// the first plan, when the group does not apply, or when the server is near its limit (the
    /// main pipeline then runs everything).
    func task(plan: ScrapePlan?, freeSlots: Int?, settings: PostgresSettings, target: SessionTarget) -> PipelineTask? {
        guard let plan, plan.sizes != nil else { return nil }
        guard SessionBudget.allowsSecondSession(freeSlots: freeSlots) else {
            // The server is near its limit: the main session measures the sizes itself.
            close()
            return nil
        }
        let stamp = sizes.parameter(now: .now(), maxAge: settings.databaseSizeMaxAgeSeconds)
        // The tables ride along only on a session that is open and worked last scrape: one that
        // cannot connect (a role's CONNECTION LIMIT, max_connections reached) costs the sizes
        // alone, and the main pipeline keeps the tables. They go before the sizes, so a slow
        // pg_database_size cannot push them past the deadline.
        let second = plan.second(tables: connection?.isUsable == true, stamp: stamp)
        groups = second.groups
        tables = Array(groups.dropLast())
        request = second.request
        (rows, errors, durations) = ([], [], [])
        defer { connection = nil }
        return PipelineTask(connection: connection, target: target, consumer: self)
    }

    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest {
        (rows, errors, durations) = ([], [], [])
        return request
    }

    func received(_ index: Int, _ result: StatementResult, seconds: Double) {
        durations.append(seconds)
        switch result {
        case .success(let value):
            rows.append(value)
            errors.append(nil)
        case .failure(let error):
            rows.append(nil)
            errors.append(error.message)
        }
    }

    /// Takes the session back (kept while usable); the main pipeline failed: it is dropped.
    func finish(_ end: PipelineEnd, mainFailed: Bool) {
        connection = end.connection?.isUsable == true && !mainFailed ? end.connection : nil
        if connection == nil { end.connection?.close() }
        if let failure = end.failure { errors = groups.map { _ in failure.message } }
    }

    /// The DSN database's table groups that ran here (with the groups of the plan the session was
    /// given, even if the main pipeline re-planned).
    func tableResults() -> [GroupResult] {
        tables.enumerated().map { index, group in
            guard let found = rows(index) else { return GroupResult(group: group, error: error(index), duration: duration(index)) }
            return GroupResult(group: group, families: group.map(found, server), duration: duration(index))
        }
    }

    /// The sizes, filled in from the last measurement where it was skipped; on failure the
    /// measurement is forgotten and the session closed.
    func sizesResult(now: MonotonicTime = .now()) -> GroupResult {
        let index = tables.count
        guard let found = rows(index) else {
            sizes.reset()
            close()
            return GroupResult(group: PostgresQueries.database, error: error(index), duration: duration(index))
        }
        let filled = sizes.absorb(found, now: now)
        if filled == nil { sizes.reset() }
        let families = ScrapeMapper.sizes(filled ?? found, age: sizes.age(now: now), server: server)
        return GroupResult(group: PostgresQueries.database, families: families, duration: duration(index))
    }

    private func rows(_ index: Int) -> QueryRows? { index < rows.count && index < errors.count && errors[index] == nil ? rows[index] : nil }
    private func error(_ index: Int) -> String { (index < errors.count ? errors[index] : nil) ?? "no result" }
    private func duration(_ index: Int) -> Double { index < durations.count ? durations[index] : 0 }
}
