import Dispatch

/// PostgreSQL servers with postgres_exporter's metric names; each server's series carry `server`.
struct PostgresCollector: Collector {
    let servers: [PostgresServer]
    let settings: PostgresSettings

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !servers.isEmpty else { return [] }
        // Leave a margin so the families reach the scrape before it stops waiting.
        let left = context.secondsLeft
        let deadline = context.deadline.adding(seconds: -min(0.25, max(0, left) * 0.1))
        let results = ResultSlots(count: servers.count)
        if servers.count == 1 {
            results.set(0, servers[0].scrape(deadline: deadline, settings: settings, logger: context.logger))
            return Self.merge(results.all())
        }
        // Every server at once, each on a thread of its own: a scrape waits on the network, and
        // concurrentPerform would run only one server per core, so a hung server would hold back
        // the next ones until the deadline. (A serial queue runs on libdispatch's overcommit pool.)
        let group = DispatchGroup()
        for index in servers.indices {
            DispatchQueue(label: "stack_exporter.postgres.server").async(group: group) {
                results.set(index, servers[index].scrape(deadline: deadline, settings: settings, logger: context.logger))
            }
        }
        group.wait()
        return Self.merge(results.all())
    }

    /// Every server's families in server order. Families of the same name from several servers
    /// are merged later by the normalizer (one HELP/TYPE per name), which every scrape runs anyway:
    /// merging here by a dictionary of names cost a seventh of a PostgreSQL scrape's instructions.
    static func merge(_ perServer: [[MetricFamily]]) -> [MetricFamily] {
        perServer.count == 1 ? perServer[0] : Array(perServer.joined())
    }
}

import Synchronization

private final class ResultSlots: Sendable {
    private let slots: Mutex<[[MetricFamily]]>
    init(count: Int) { slots = Mutex(Array(repeating: [], count: count)) }
    func set(_ index: Int, _ value: [MetricFamily]) { slots.withLock { $0[index] = value } }
    func all() -> [[MetricFamily]] { slots.withLock { $0 } }
}

/// The `postgres` module and its flags (`--help` group "PostgreSQL").
public enum PostgresCollectors {
    static let group = "PostgreSQL"

    static let flags: [FlagSpec] = [
        FlagSpec("postgres.dsn", kind: .list, help: "PostgreSQL server to monitor, as a libpq URI or key=value string. The command line is readable by every local user (/proc/PID/cmdline): give a password in --postgres.dsn-file or DATA_SOURCE_NAME instead.", group: group, placeholder: "DSN"),
        FlagSpec("postgres.dsn-file", kind: .list, help: "File with DSNs, one a line; keeps passwords off the command line.", group: group, placeholder: "PATH"),
        FlagSpec("postgres.statement-timeout", kind: .duration, default: "10s", help: "statement_timeout set on the exporter's sessions.", group: group),
        FlagSpec("postgres.connect-timeout", kind: .duration, default: "5s", help: "Longest wait for a connection (never past the scrape deadline).", group: group),
        FlagSpec("postgres.all-databases", kind: .bool, default: "true", help: "Table statistics from every database, not only the DSN's.", group: group),
        FlagSpec("postgres.databases-include", kind: .string, help: "Regular expression of databases whose tables are scraped (empty: all).", group: group, placeholder: "REGEX"),
        FlagSpec("postgres.databases-exclude", kind: .string, help: "Regular expression of databases whose tables are not scraped.", group: group, placeholder: "REGEX"),
        FlagSpec("postgres.database-connections", kind: .int, default: "3", help: "Sessions at most per server to databases other than the DSN's (table statistics), fewer when the server has few free slots; kept open when every database fits, else each connects for its turn.", group: group),
        FlagSpec("postgres.database-concurrency", kind: .int, default: "8", help: "Databases per server whose table statistics are fetched at the same time.", group: group),
        FlagSpec("collector.postgres.database-size-max-age", kind: .duration, default: "5m", help: "pg_database_size is measured again when WAL or row counts moved since the last measurement, and at least this often (0s: every scrape).", group: group),
        FlagSpec("collector.postgres.stat-statements", kind: .bool, default: "false", help: "Top statements from pg_stat_statements.", group: group),
        FlagSpec("collector.postgres.stat-statements.limit", kind: .int, default: "100", help: "Statements reported, by total execution time.", group: group),
        FlagSpec("collector.postgres.stat-statements.include-query", kind: .bool, default: "false", help: "Adds pg_stat_statements_query_id{query} with the normalized query text.", group: group),
        FlagSpec("collector.postgres.stat-statements.query-length", kind: .int, default: "120", help: "Characters of query text kept.", group: group),
        FlagSpec("collector.postgres.long-running-threshold", kind: .duration, default: "5m", help: "Age from which a transaction or statement counts as long-running.", group: group),
    ]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "postgres", enabledByDefault: true,
            summary: "PostgreSQL servers from --postgres.dsn, --postgres.dsn-file, DATA_SOURCE_NAME or DATA_SOURCE_URI/_USER/_PASS (postgres_exporter names).",
            flags: flags, make: make),
    ]

    static func make(_ settings: CollectorSettings) throws -> any Collector {
        let flags = settings.flags
        var files: [String] = []
        for path in flags.list("postgres.dsn-file") {
            do {
                files.append(try FileReader.readText(path, limit: 64 * 1024))
            } catch {
                throw CollectorError("--postgres.dsn-file \(path): \(error)")
            }
        }
        let fromEnvironment = try PostgresEnvironment.dataSourceNames(settings.environment) { path in
            try FileReader.readText(path, limit: 64 * 1024)
        }
        let dsns = try DataSourceName.collect(flags: flags.list("postgres.dsn"), files: files, environment: fromEnvironment)
        var options = PostgresOptions()
        options.statStatements = flags.bool("collector.postgres.stat-statements")
        options.statStatementsLimit = max(1, flags.int("collector.postgres.stat-statements.limit"))
        options.statStatementsIncludeQuery = flags.bool("collector.postgres.stat-statements.include-query")
        options.statStatementsQueryLength = max(1, flags.int("collector.postgres.stat-statements.query-length"))
        options.longRunningThresholdSeconds = flags.seconds("collector.postgres.long-running-threshold")
        var config = PostgresSettings(options: options)
        config.statementTimeoutSeconds = max(0.001, flags.seconds("postgres.statement-timeout"))
        config.connectTimeoutSeconds = max(0.001, flags.seconds("postgres.connect-timeout"))
        config.allDatabases = flags.bool("postgres.all-databases")
        config.databaseConnections = max(0, flags.int("postgres.database-connections"))
        config.databaseConcurrency = max(1, flags.int("postgres.database-concurrency"))
        config.databaseSizeMaxAgeSeconds = max(0, flags.seconds("collector.postgres.database-size-max-age"))
        config.databasesInclude = try NamePattern(flags.string("postgres.databases-include"), flag: "postgres.databases-include")
        config.databasesExclude = try NamePattern(flags.string("postgres.databases-exclude"), flag: "postgres.databases-exclude")
        if !dsns.isEmpty {
            // Load libpq now, so a missing library is a start-up error rather than a scrape error.
            do { _ = try LibPQ.load() } catch { throw CollectorError("postgres: \(error.message)") }
        }
        return PostgresCollector(servers: dsns.map { PostgresServer(dsn: $0) }, settings: config)
    }
}
