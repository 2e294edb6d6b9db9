/// The statements of a scrape: each group's SQL for one server version and set of options, built
/// once per version (not per scrape), and the order the main pipeline sends them in.
struct ScrapePlan {
    struct Entry {
        let group: QueryGroup
        let sql: String
    }

    /// What a statement of the main pipeline is for.
    enum Purpose {
        case identity, slots, group(QueryGroup), databases, tables(QueryGroup)
    }

    /// What the main pipeline carries this scrape: not what is cached or on the second session.
    struct MainOptions {
        var identity = true
        var settings = true
        var databaseList = true
        var tables = true
        var sizes = true
    }

    let version: Int
    /// Groups run once per server, and in every database (table statistics).
    let server: [Entry]
    let database: [Entry]

    init(version: Int, options: PostgresOptions) {
        self.version = version
        server = PostgresQueries.serverGroups.compactMap { group in group.sql(version, options).map { Entry(group: group, sql: $0) } }
        database = PostgresQueries.databaseGroups.compactMap { group in group.sql(version, options).map { Entry(group: group, sql: $0) } }
    }

    /// The `database` group (sizes), when it applies to this version.
    var sizes: Entry? { server.first { $0.group.name == PostgresQueries.database.name } }

    /// `SET` for a new session, as one statement (a pipeline takes one statement per query), so a
    /// query abandoned at the deadline also ends on the server.
    static func setupStatement(_ settings: PostgresSettings) -> String {
        // PostgreSQL takes at most INT_MAX ms; a flag such as 1e300s must not trap in Int(_:).
        let statement = Int(min(max(1, settings.statementTimeoutSeconds * 1000), Double(Int32.max)))
        return "SELECT set_config('statement_timeout', '\(statement)', false), set_config('lock_timeout', '\(min(statement, 1000))', false)"
    }

    /// The main pipeline: the identity when not cached, the free slots, then the database list and
    /// the DSN database's tables, the server groups after (`database`, the slowest, last): the
    /// exporter maps each result while the server runs the next ones.
    func main(_ options: MainOptions) -> [(purpose: Purpose, sql: String)] {
        var statements: [(purpose: Purpose, sql: String)] = []
        if options.identity { statements.append((.identity, PostgresQueries.identity)) }
        statements.append((.slots, SessionBudget.freeSlotsSQL))
        if options.databaseList { statements.append((.databases, PostgresQueries.databases)) }
        if options.tables { statements += database.map { (.tables($0.group), $0.sql) } }
        for entry in server {
            if entry.group.name == PostgresQueries.database.name, !options.sizes { continue }
            if entry.group.name == PostgresQueries.settings.name, !options.settings { continue }
            statements.append((.group(entry.group), entry.sql))
        }
        return statements
    }

    /// The second session's pipeline: the DSN database's table groups when it carries them, then
    /// the sizes statement, whose `$1` is the last measurement's stamp (see `DatabaseSizes`).
    func second(tables: Bool, stamp: String) -> (groups: [QueryGroup], request: PipelineRequest) {
        let carried = tables ? database : []
        let groups = carried.map(\.group) + [PostgresQueries.database]
        return (groups, PipelineRequest(statements: carried.map(\.sql) + [DatabaseSizes.sql], parameters: [carried.count: [stamp]]))
    }

    /// The table groups of one database.
    var tables: PipelineRequest { PipelineRequest(statements: database.map(\.sql)) }

    /// `names` starting at `start` (modulo their count), then wrapping around: the order in which
    /// a scrape visits the other databases.
    static func rotated(_ names: [String], from start: Int) -> [String] {
        guard !names.isEmpty else { return [] }
        let first = start % names.count
        return Array(names[first...] + names[..<first])
    }
}
