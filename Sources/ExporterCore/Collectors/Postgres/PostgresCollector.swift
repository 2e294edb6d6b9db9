/// PostgreSQL servers with postgres_exporter's metric names; each server's series carry `server`.
struct PostgresCollector: Collector {
    let servers: [PostgresServer]
    let settings: PostgresSettings
    /// Threads for the servers: every server at once up to its size (a scrape waits on the network,
    /// so one hung server must not hold back the next), and held by a server stuck past its
    /// deadline where no deadline reaches (a host name lookup), never one per scrape.
    private let pool: WorkerPool

    init(servers: [PostgresServer], settings: PostgresSettings) {
        self.servers = servers
        self.settings = settings
        pool = WorkerPool(name: "se-postgres", maxThreads: min(max(1, servers.count), 16))
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !servers.isEmpty else { return [] }
        // Each server ends by the cutoff, leaving the collector time to report every server; one
        // still running at `abandon` is reported down alone (pg_up 0).
        let deadlines = ItemDeadline(collector: context.deadline)
        let settings = settings
        let logger = context.logger
        // A lone server runs on the collector's thread: no hand-off for the common case. Its
        // every wait is a poll(2) bounded by the cutoff (only a host name lookup is not, as before).
        if servers.count == 1 { return servers[0].scrape(deadline: deadlines.cutoff, settings: settings, logger: logger) }
        let results = runItems(servers, on: pool, deadlines: deadlines) { server in
            server.scrape(deadline: deadlines.cutoff, settings: settings, logger: logger)
        }
        return Self.merge(zip(servers, results).map { server, families in
            families ?? ScrapeReport(server: server.server).families()
        })
    }

    /// Every server's families in server order. Families of the same name from several servers
    /// are merged later by the normalizer (one HELP/TYPE per name), which every scrape runs anyway:
    /// merging here by a dictionary of names cost a seventh of a PostgreSQL scrape's instructions.
    static func merge(_ perServer: [[MetricFamily]]) -> [MetricFamily] {
        perServer.count == 1 ? perServer[0] : Array(perServer.joined())
    }
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
