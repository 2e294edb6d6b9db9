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
