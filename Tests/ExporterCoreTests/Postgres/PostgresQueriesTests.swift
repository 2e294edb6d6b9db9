import Testing
@testable import ExporterCore

@Suite struct PostgresQueriesTests {
    static let all = PostgresQueries.serverGroups + PostgresQueries.databaseGroups

    static func sql(_ name: String, _ version: Int, _ options: PostgresOptions = PostgresOptions()) -> String? {
        all.first { $0.name == name }?.sql(version, options)
    }

    @Test(arguments: [120_000, 130_000, 140_000, 150_000, 160_000, 170_000])
    func everyVersionGetsItsQueries(_ version: Int) {
        for group in Self.all where group.name != "stat_statements" && group.name != "stat_checkpointer" {
            #expect(group.sql(version, PostgresOptions()) != nil, "\(group.name) on \(version)")
        }
    }

    @Test func bgwriterAndCheckpointerSplitAt17() throws {
        let v16 = try #require(Self.sql("stat_bgwriter", 160_004))
        #expect(v16.contains("buffers_backend_fsync"))
        #expect(!v16.contains("pg_stat_checkpointer"))
        #expect(Self.sql("stat_checkpointer", 160_004) == nil)
        let v17 = try #require(Self.sql("stat_bgwriter", 170_000))
        #expect(v17.contains("pg_stat_checkpointer"))
        #expect(v17.contains("num_timed AS checkpoints_timed"))
        #expect(!v17.contains("buffers_backend"))
        #expect(Self.sql("stat_checkpointer", 170_002)?.contains("restartpoints_done") == true)
    }

    @Test func versionSpecificColumns() {
        #expect(Self.sql("stat_database", 130_000)?.contains("active_time") == false)
        #expect(Self.sql("stat_database", 140_000)?.contains("active_time") == true)
        #expect(Self.sql("replication_slots", 120_000)?.contains("wal_status") == false)
        #expect(Self.sql("replication_slots", 130_000)?.contains("safe_wal_size") == true)
        #expect(Self.sql("lock_waits", 130_000)?.contains("pg_stat_activity") == true)
        #expect(Self.sql("lock_waits", 140_000)?.contains("waitstart") == true)
    }

    /// Issue #17's columns and groups per version (PostgreSQL docs of each release).
    @Test func serverStatusGroupsPerVersion() throws {
        let v13 = try #require(Self.sql("stat_database", 130_000))
        #expect(v13.contains("checksum_failures") && !v13.contains("sessions_abandoned"))
        let v14 = try #require(Self.sql("stat_database", 140_000))
        #expect(v14.contains("session_time, idle_in_transaction_time, sessions, sessions_abandoned, sessions_fatal, sessions_killed"))
        #expect(Self.sql("stat_database_conflicts", 150_000)?.contains("confl_active_logicalslot") == false)
        #expect(Self.sql("stat_database_conflicts", 160_000)?.contains("confl_active_logicalslot") == true)
        let vacuum16 = try #require(Self.sql("stat_progress_vacuum", 160_000))
        #expect(vacuum16.contains("v.max_dead_tuples, v.num_dead_tuples"))
        let vacuum17 = try #require(Self.sql("stat_progress_vacuum", 170_000))
        #expect(vacuum17.contains("v.num_dead_item_ids AS num_dead_tuples") && !vacuum17.contains("max_dead_tuples"))
        #expect(vacuum17.hasSuffix("ORDER BY datname COLLATE \"C\", phase COLLATE \"C\", relname COLLATE \"C\""))
        #expect(Self.sql("txid", 120_000)?.contains("txid_current_snapshot()") == true)
        #expect(Self.sql("txid", 130_000)?.contains("pg_current_snapshot()") == true)
        // Never txid_current(): it would assign an XID (and fail on a standby) every scrape.
        for version in [120_000, 130_000, 170_000] { #expect(Self.sql("txid", version)?.contains("txid_current()") == false) }
        #expect(Self.sql("stat_ssl", 130_000)?.contains("ssl AND compression") == true)
        #expect(Self.sql("stat_ssl", 140_000)?.contains("compression)") == false)
        #expect(Self.sql("wal", 150_000)?.contains("pg_ls_waldir()") == true)
        #expect(Self.sql("roles", 150_000)?.hasSuffix("ORDER BY rolname") == true)
    }

    @Test func statStatementsIsOptInAndVersionAware() throws {
        #expect(Self.sql("stat_statements", 150_000) == nil)
        var options = PostgresOptions()
        options.statStatements = true
        options.statStatementsLimit = 7
        #expect(try #require(Self.sql("stat_statements", 120_000, options)).contains("sum(s.total_time)"))
        let v15 = try #require(Self.sql("stat_statements", 150_000, options))
        #expect(v15.contains("total_exec_time"))
        #expect(v15.contains("LIMIT 7"))
        #expect(v15.contains("blk_read_time"))
        #expect(!v15.contains("END AS query"))
        #expect(try #require(Self.sql("stat_statements", 170_000, options)).contains("shared_blk_read_time"))
        options.statStatementsIncludeQuery = true
        #expect(try #require(Self.sql("stat_statements", 150_000, options)).contains("END AS query"))
    }

    @Test func longRunningThresholdIsInTheSQL() {
        var options = PostgresOptions()
        options.longRunningThresholdSeconds = 2.5
        #expect(Self.sql("long_running_transactions", 150_000, options)?.contains("secs => 2.5") == true)
    }

    /// pg_database_size is the slowest statement: last in the pipeline, so earlier results are
    /// mapped while it runs. Rows come in exposition order, so the normalizer does not sort.
    @Test func pipelineOrderAndRowOrder() throws {
        #expect(PostgresQueries.serverGroups.last?.name == "database")
        #expect(try #require(Self.sql("stat_user_tables", 150_000)).hasSuffix("ORDER BY relname, schemaname"))
        #expect(try #require(Self.sql("statio_user_tables", 150_000)).hasSuffix("ORDER BY r.relname, r.schemaname"))
        #expect(try #require(Self.sql("stat_activity", 150_000)).contains("ORDER BY d.datname, s.state COLLATE \"C\""))
        #expect(PostgresQueries.identity.contains("current_database() AS datname"))
    }

    /// The session timeouts travel as one statement: a pipeline takes one statement per query.
    @Test func setupIsOneStatement() {
        var settings = PostgresSettings()
        settings.statementTimeoutSeconds = 2.5
        let sql = ScrapePlan.setupStatement(settings)
        #expect(sql == "SELECT set_config('statement_timeout', '2500', false), set_config('lock_timeout', '1000', false)")
        #expect(!sql.contains(";"))
    }

    /// A flag can say `--postgres.statement-timeout=1e300s`: PostgreSQL takes at most INT_MAX
    /// milliseconds, and Int(1e303) trapped (issue #12).
    @Test(arguments: [1e300, 1e12, Double(Int.max)])
    func hugeStatementTimeoutIsCappedAtPostgresMaximum(_ seconds: Double) {
        var settings = PostgresSettings()
        settings.statementTimeoutSeconds = seconds
        #expect(ScrapePlan.setupStatement(settings).contains("'statement_timeout', '2147483647'"))
    }
}
