/// The `postgres` module and its flags (`--help` group "PostgreSQL").
public enum PostgresCollectors {
    static let group = "PostgreSQL"

    static let dsn = Flag.list(
        "postgres.dsn",
        help: "PostgreSQL server to monitor, as a libpq URI or key=value string. The command line is readable by every local user (/proc/PID/cmdline): give a password in --postgres.dsn-file or DATA_SOURCE_NAME instead.",
        group: group, placeholder: "DSN")
    static let dsnFile = Flag.list(
        "postgres.dsn-file", help: "File with DSNs, one a line; keeps passwords off the command line.", group: group, placeholder: "PATH")
    static let statementTimeout = Flag.duration(
        "postgres.statement-timeout", default: "10s", help: "statement_timeout set on the exporter's sessions.", group: group)
    static let connectTimeout = Flag.duration(
        "postgres.connect-timeout", default: "5s", help: "Longest wait for a connection (never past the scrape deadline).", group: group)
    static let allDatabases = Flag.bool(
        "postgres.all-databases", default: true, help: "Table statistics from every database, not only the DSN's.", group: group)
    static let databasesInclude = Flag.string(
        "postgres.databases-include", help: "Regular expression of databases whose tables are scraped (empty: all).", group: group,
        placeholder: "REGEX")
    static let databasesExclude = Flag.string(
        "postgres.databases-exclude", help: "Regular expression of databases whose tables are not scraped.", group: group, placeholder: "REGEX")
    static let databaseConnections = Flag.int(
        "postgres.database-connections", default: 8,
        help: "Sessions at most per server to databases other than the DSN's (table statistics), fewer when the server has few free slots; kept open when every database fits, else each connects for its turn.",
        group: group)
    static let databaseConcurrency = Flag.int(
        "postgres.database-concurrency", default: 8, help: "Databases per server whose table statistics are fetched at the same time.",
        group: group)
    static let databaseSizeMaxAge = Flag.duration(
        "collector.postgres.database-size-max-age", default: "5m",
        help: "pg_database_size is measured again when WAL or row counts moved since the last measurement, and at least this often (0s: every scrape).",
        group: group)
    static let statStatements = Flag.bool("collector.postgres.stat-statements", help: "Top statements from pg_stat_statements.", group: group)
    static let statStatementsLimit = Flag.int(
        "collector.postgres.stat-statements.limit", default: 100, help: "Statements reported, by total execution time.", group: group)
    static let statStatementsIncludeQuery = Flag.bool(
        "collector.postgres.stat-statements.include-query", help: "Adds pg_stat_statements_query_id{query} with the normalized query text.",
        group: group)
    static let statStatementsQueryLength = Flag.int(
        "collector.postgres.stat-statements.query-length", default: 120, help: "Characters of query text kept.", group: group)
    static let longRunningThreshold = Flag.duration(
        "collector.postgres.long-running-threshold", default: "5m", help: "Age from which a transaction or statement counts as long-running.",
        group: group)

    static let flags: [FlagSpec] = [
        dsn.spec, dsnFile.spec, statementTimeout.spec, connectTimeout.spec, allDatabases.spec, databasesInclude.spec,
        databasesExclude.spec, databaseConnections.spec, databaseConcurrency.spec, databaseSizeMaxAge.spec, statStatements.spec,
        statStatementsLimit.spec, statStatementsIncludeQuery.spec, statStatementsQueryLength.spec, longRunningThreshold.spec,
    ]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "postgres", enabledByDefault: true,
            summary: "PostgreSQL servers from --postgres.dsn, --postgres.dsn-file, DATA_SOURCE_NAME or DATA_SOURCE_URI/_USER/_PASS (postgres_exporter names).",
            flags: flags, make: make),
    ]

    static func make(_ settings: CollectorSettings) throws -> any Collector {
        let flags = settings.flags
        let dsns = try DataSourceName.collect(
            flags: flags[dsn], files: try dsnFiles(flags),
            environment: try PostgresEnvironment.dataSourceNames(settings.environment) { path in try FileReader.readText(path, limit: 64 * 1024) })
        if !dsns.isEmpty {
            // Load libpq now, so a missing library is a start-up error rather than a scrape error.
            do { _ = try LibPQ.load() } catch { throw CollectorError("postgres: \(error.message)") }
        }
        return PostgresCollector(servers: dsns.map { PostgresServer(dsn: $0) }, settings: try postgresSettings(flags))
    }

    private static func dsnFiles(_ flags: ParsedFlags) throws -> [String] {
        var files: [String] = []
        for path in flags[dsnFile] {
            do {
                files.append(try FileReader.readText(path, limit: 64 * 1024))
            } catch {
                throw CollectorError("--postgres.dsn-file \(path): \(error)")
            }
        }
        return files
    }

    private static func postgresSettings(_ flags: ParsedFlags) throws -> PostgresSettings {
        var options = PostgresOptions()
        options.statStatements = flags[statStatements]
        options.statStatementsLimit = max(1, flags[statStatementsLimit])
        options.statStatementsIncludeQuery = flags[statStatementsIncludeQuery]
        options.statStatementsQueryLength = max(1, flags[statStatementsQueryLength])
        options.longRunningThresholdSeconds = flags[longRunningThreshold]
        var config = PostgresSettings(options: options)
        config.statementTimeoutSeconds = max(0.001, flags[statementTimeout])
        config.connectTimeoutSeconds = max(0.001, flags[connectTimeout])
        config.allDatabases = flags[allDatabases]
        config.databaseConnections = max(0, flags[databaseConnections])
        config.databaseConcurrency = max(1, flags[databaseConcurrency])
        config.databaseSizeMaxAgeSeconds = max(0, flags[databaseSizeMaxAge])
        config.databasesInclude = try NamePattern(databasesInclude, in: flags)
        config.databasesExclude = try NamePattern(databasesExclude, in: flags)
        return config
    }
}
