import Foundation
import Testing
import TestSupport
@testable import ExporterCore

/// The postgres collector against a real PostgreSQL 15 (see PostgresFixture.swift).
@Suite(.serialized, .timeLimit(.minutes(10))) struct PostgresTests {
    @Test func exposesPostgresExporterNamesWithRealActivity() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP DATABASE IF EXISTS shop")
        try pg.psql("DROP DATABASE IF EXISTS other")
        try pg.psql("CREATE DATABASE shop")
        try pg.psql("CREATE DATABASE other")
        try pg.psql("""
            CREATE TABLE orders (id int PRIMARY KEY, note text);
            INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
            DELETE FROM orders WHERE id % 2 = 0;
            CREATE TABLE locked (id int);
            """, database: "shop")
        try pg.psql("CREATE TABLE audit (id int); INSERT INTO audit VALUES (1);", database: "other")
        // Sessions in each state, a statement past the threshold, and a lock wait.
        try pg.session("SELECT 1;", database: "shop")
        try pg.session("BEGIN; SELECT 1;", database: "shop")
        try pg.session("SELECT pg_sleep(60);", database: "shop")
        try pg.session("BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE;", database: "shop")
        defer { pg.endSessions() }
        // The lock is held, then a second session waits for it and the sleep passes the 1 s threshold.
        let lockHeld = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'locked' AND l.mode = 'AccessExclusiveLock' AND l.granted"
        #expect(Wait.until(timeout: 10, interval: 0.05) { (try? pg.psql(lockHeld, database: "shop"))?.hasPrefix("1") == true })
        try pg.session("SELECT count(*) FROM locked;", database: "shop")
        let settled = """
            SELECT (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT count(*) FROM locked%') \
            || ',' || (SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND now() - query_start > interval '1.2 seconds')
            """
        #expect(Wait.until(timeout: 15, interval: 0.05) { (try? pg.psql(settled, database: "shop"))?.hasPrefix("1,1") == true })

        let exporter = try LoggedExporter([
            "--postgres.dsn=\(pg.dsn(database: "postgres"))", "--collector.postgres.long-running-threshold=1s",
            "--collector.postgres.stat-statements", "--collector.postgres.stat-statements.include-query",
        ])
        let (body, seconds) = try exporter.metrics()
        let server = ["server": pg.server]
        #expect(seconds < 3)
        #expect(sampleValue(body, "pg_up", server) == 1)
        let staticLine = body.split(separator: "\n").first { $0.hasPrefix("pg_static{") } ?? ""
        #expect(staticLine.contains(",version=\"PostgreSQL 15.") || staticLine.contains("{version=\"PostgreSQL 15."))
        #expect(staticLine.contains("short_version=\"15."))
        #expect((sampleValue(body, "pg_postmaster_start_time_seconds", server) ?? 0) > 1_600_000_000)
        #expect((sampleValue(body, "pg_stat_activity_count", ["datname": "shop", "state": "idle"]) ?? 0) >= 1)
        #expect((sampleValue(body, "pg_stat_activity_count", ["datname": "shop", "state": "idle in transaction"]) ?? 0) >= 2)
        #expect((sampleValue(body, "pg_stat_activity_count", ["datname": "shop", "state": "active"]) ?? 0) >= 2)
        #expect((sampleValue(body, "pg_stat_activity_max_tx_duration", ["datname": "shop", "state": "active"]) ?? 0) > 1)
        #expect(sampleValue(body, "pg_settings_max_connections", server) == 60)
        #expect(sampleValue(body, "pg_settings_superuser_reserved_connections", server) == 3)
        #expect(sampleValue(body, "pg_settings_shared_buffers_bytes", server) == 134_217_728)
        #expect((sampleValue(body, "pg_database_size_bytes", ["datname": "shop"]) ?? 0) > 4_000_000)
        #expect((sampleValue(body, "pg_locks_count", ["datname": "shop", "mode": "accessexclusivelock"]) ?? 0) >= 1)
        #expect((sampleValue(body, "pg_stat_database_xact_commit", ["datname": "shop"]) ?? 0) > 0)
        #expect(sampleValue(body, "pg_stat_database_numbackends", ["datname": "shop"]) != nil)
        #expect(sampleValue(body, "pg_stat_bgwriter_buffers_alloc_total", server) != nil)
        #expect(sampleValue(body, "pg_replication_is_replica", server) == 0)
        #expect((sampleValue(body, "pg_long_running_transactions", server) ?? 0) >= 2)
        #expect((sampleValue(body, "pg_long_running_queries", server) ?? 0) >= 1)
        #expect((sampleValue(body, "pg_lock_waits_sessions", server) ?? 0) >= 1)
        #expect((sampleValue(body, "pg_lock_waits_max_wait_seconds", server) ?? 0) > 1)
        // Tables of every database, not only the DSN's.
        #expect((sampleValue(body, "pg_stat_user_tables_n_dead_tup", ["datname": "shop", "relname": "orders"]) ?? 0) >= 10_000)
        #expect((sampleValue(body, "pg_stat_user_tables_n_live_tup", ["datname": "shop", "relname": "orders"]) ?? 0) >= 10_000)
        #expect(sampleValue(body, "pg_stat_user_tables_n_tup_ins", ["datname": "other", "relname": "audit"]) == 1)
        #expect(sampleValue(body, "pg_statio_user_tables_heap_blocks_hit", ["datname": "shop", "schemaname": "public", "relname": "orders"]) != nil)
        #expect(sampleValue(body, "pg_stat_statements_calls_total", ["user": "postgres"]) != nil)
        #expect(body.contains("pg_stat_statements_query_id{"))
        #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_statements"]) == 1)
        #expect(sampleValue(body, "pg_exporter_last_scrape_error", server) == 0)
        #expect(!body.contains("mon:it"))
        try expectServerStatusNames(body, pg)

        // Database size growth shows on the next scrape over the same connection.
        let before = sampleValue(body, "pg_database_size_bytes", ["datname": "shop"]) ?? 0
        try pg.psql("CREATE TABLE big AS SELECT g, repeat('y', 500) AS pad FROM generate_series(1, 20000) g", database: "shop")
        let after = sampleValue(try exporter.metrics().body, "pg_database_size_bytes", ["datname": "shop"]) ?? 0
        #expect(after > before + 5_000_000)
    }

    /// pg_database_size runs only when WAL or row counts moved: an idle cluster is served the last
    /// sizes (their age grows), and growth is measured on the next scrape.
    @Test func databaseSizesAreReusedWhileNothingChanges() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP DATABASE IF EXISTS sizes")
        try pg.psql("CREATE DATABASE sizes")
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn(database: "sizes"))", "--collector.disable-defaults", "--collector.postgres"])
        var reused = false
        var previousAge = -1.0
        // Other suites may write to the shared cluster meanwhile: one scrape served from the last
        // measurement is enough, and every scrape must report the size.
        _ = Wait.until(timeout: 10, interval: 0.05) {
            guard let body = try? exporter.metrics().body else { return false }
            #expect((sampleValue(body, "pg_database_size_bytes", ["datname": "sizes"]) ?? 0) > 1_000_000)
            #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "database"]) == 1)
            if let age = sampleValue(body, "pg_database_size_age_seconds") {
                reused = age > 0 && age > previousAge && previousAge >= 0
                previousAge = age
            }
            return reused
        }
        #expect(reused, "the last sizes were never reused on an idle cluster")
        let before = try #require(sampleValue(try exporter.metrics().body, "pg_database_size_bytes", ["datname": "sizes"]))
        try pg.psql("CREATE UNLOGGED TABLE grow AS SELECT g, repeat('z', 500) AS pad FROM generate_series(1, 20000) g", database: "sizes")
        let body = try exporter.metrics().body
        #expect(sampleValue(body, "pg_database_size_age_seconds") == 0)
        #expect((sampleValue(body, "pg_database_size_bytes", ["datname": "sizes"]) ?? 0) > before + 5_000_000)
    }

    /// A role allowed one connection: the second session never opens, so only the sizes are
    /// lost; the DSN database's table statistics stay on the main pipeline, every scrape.
    @Test func oneConnectionRoleKeepsTableStatistics() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP DATABASE IF EXISTS onlyone")
        try pg.psql("DROP ROLE IF EXISTS onlyone")
        try pg.psql("CREATE ROLE onlyone LOGIN PASSWORD 'onlyone' CONNECTION LIMIT 1; GRANT pg_monitor TO onlyone")
        try pg.psql("CREATE DATABASE onlyone")
        try pg.psql("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2);", database: "onlyone")
        let exporter = try LoggedExporter([
            "--postgres.dsn=\(pg.dsn(user: "onlyone", password: "onlyone", database: "onlyone"))",
            "--collector.disable-defaults", "--collector.postgres", "--no-postgres.all-databases",
        ])
        for scrape in 0..<4 {
            let body = try exporter.metrics().body
            #expect(sampleValue(body, "pg_up") == 1, "scrape \(scrape)")
            #expect(sampleValue(body, "pg_stat_user_tables_n_tup_ins", ["datname": "onlyone", "relname": "kept"]) == 2, "scrape \(scrape)")
            #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_user_tables"]) == 1, "scrape \(scrape)")
            if scrape > 0 {  // the first scrape measures sizes on the main session
                #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "database"]) == 0, "scrape \(scrape)")
            }
        }
    }

    @Test func missingExtensionAndPermissionSkipOnlyTheirGroups() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP DATABASE IF EXISTS noext")
        try pg.psql("CREATE DATABASE noext")
        // System views live in each database's catalog: revoke where the exporter connects.
        try pg.psql("REVOKE SELECT ON pg_stat_bgwriter FROM PUBLIC", database: "noext")
        let exporter = try LoggedExporter([
            "--postgres.dsn=\(pg.dsn(user: "limited", password: "limited", database: "noext"))", "--collector.postgres.stat-statements",
        ])
        let body = try exporter.metrics().body
        #expect(sampleValue(body, "pg_up") == 1)
        #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_statements"]) == 0)
        #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_bgwriter"]) == 0)
        #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_database"]) == 1)
        #expect(sampleValue(body, "pg_exporter_last_scrape_error") == 1)
        #expect(sampleValue(body, "pg_stat_database_xact_commit", ["datname": "noext"]) != nil)
        #expect(!body.contains("pg_stat_bgwriter_buffers_alloc_total{"))
        #expect(exporter.log.contains("collector=stat_bgwriter"))
    }

    /// One pipeline per scrape, a sync after each statement: permission denied in the middle of
    /// it fails those groups only, on every scrape over the same connection (prepared statements,
    /// cached settings past their refresh), and a GRANT heals them without a reconnect.
    @Test func pipelineFailsDeniedGroupsAloneAcrossScrapes() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP DATABASE IF EXISTS pipefail")
        try pg.psql("CREATE DATABASE pipefail")
        try pg.psql("REVOKE SELECT ON pg_stat_bgwriter FROM PUBLIC; REVOKE SELECT ON pg_locks FROM PUBLIC", database: "pipefail")
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn(user: "limited", password: "limited", database: "pipefail"))"])
        for _ in 0..<(MainSession.staticRefreshScrapes + 2) {
            let body = try exporter.metrics().body
            #expect(sampleValue(body, "pg_up") == 1)
            // pg_ls_waldir() is granted to pg_monitor, which `limited` lacks.
            for denied in ["stat_bgwriter", "locks", "wal"] {
                #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": denied]) == 0, "\(denied)")
            }
            for fine in ["stat_database", "stat_activity", "settings", "database", "replication", "long_running_transactions", "stat_user_tables",
                         "stat_archiver", "stat_database_conflicts", "stat_progress_vacuum", "roles", "txid", "stat_ssl"] {
                #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": fine]) == 1, "\(fine)")
            }
            #expect(sampleValue(body, "pg_settings_max_connections") == 60)
            #expect(body.contains("pg_static{"))
            #expect(sampleValue(body, "pg_stat_database_xact_commit", ["datname": "pipefail"]) != nil)
            #expect(!body.contains("pg_locks_count{"))
            #expect(sampleValue(body, "pg_exporter_last_scrape_error") == 1)
        }
        // Logged when the failure starts, not every scrape.
        #expect(exporter.log.components(separatedBy: "collector=stat_bgwriter").count == 2)
        try pg.psql("GRANT SELECT ON pg_stat_bgwriter TO PUBLIC; GRANT SELECT ON pg_locks TO PUBLIC; GRANT EXECUTE ON FUNCTION pg_ls_waldir() TO limited", database: "pipefail")
        let healed = try exporter.metrics().body
        #expect(sampleValue(healed, "pg_scrape_collector_success", ["collector": "wal"]) == 1)
        #expect((sampleValue(healed, "pg_wal_segments") ?? 0) >= 1)
        #expect(sampleValue(healed, "pg_scrape_collector_success", ["collector": "stat_bgwriter"]) == 1)
        #expect(sampleValue(healed, "pg_scrape_collector_success", ["collector": "locks"]) == 1)
        #expect(sampleValue(healed, "pg_exporter_last_scrape_error") == 0)
        #expect(exporter.log.contains("postgres metric group recovered"))
    }

    /// Table statistics of many databases, fetched concurrently, with a bounded budget: 12
    /// databases do not fit 4 sessions, so each connects for its turn, and no more than
    /// 1 + budget (+ the size connection) sessions are ever held.
    @Test func manyDatabasesConcurrentlyWithABoundedPool() throws {
        let pg = try PostgresCluster.get()
        let names = (1...12).map { "multi\($0)" }
        for name in names {
            try pg.psql("DROP DATABASE IF EXISTS \(name)")
            try pg.psql("CREATE DATABASE \(name)")
            try pg.psql("CREATE TABLE t_\(name) (id int); INSERT INTO t_\(name) VALUES (1), (2)", database: name)
        }
        let exporter = try LoggedExporter([
            "--postgres.dsn=\(pg.dsn())", "--postgres.database-connections=4", "--postgres.database-concurrency=3",
            "--postgres.databases-include=^(postgres|multi[0-9]+)$",
        ])
        for _ in 0..<3 {
            let (body, seconds) = try exporter.metrics()
            #expect(seconds < 3)
            for name in names {
                #expect(sampleValue(body, "pg_stat_user_tables_n_tup_ins", ["datname": name, "relname": "t_\(name)"]) == 2, "\(name)")
                #expect(sampleValue(body, "pg_statio_user_tables_heap_blocks_hit", ["datname": name]) != nil, "\(name)")
            }
            #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_user_tables"]) == 1)
            let held = try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stack_exporter'")
            #expect((Int(held.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) <= 1 + 4 + 1)
        }
        for name in names { try pg.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    @Test(arguments: ["uri", "query", "keyvalue", "environment"])
    func wrongPasswordIsUpZeroAndNeverShown(_ form: String) throws {
        let pg = try PostgresCluster.get()
        let secret = "Wr0ng-S3cret"
        var arguments: [String] = []
        var environment: [String: String] = [:]
        switch form {
        case "uri": arguments = ["--postgres.dsn=postgresql://monitor:\(secret)@127.0.0.1:\(pg.port)/postgres"]
        case "query": arguments = ["--postgres.dsn=postgresql://monitor@127.0.0.1:\(pg.port)/postgres?password=\(secret)"]
        case "keyvalue": arguments = ["--postgres.dsn=host=127.0.0.1 port=\(pg.port) user=monitor password='\(secret)' dbname=postgres"]
        default: environment = ["DATA_SOURCE_NAME": "postgresql://monitor:\(secret)@127.0.0.1:\(pg.port)/postgres"]
        }
        let exporter = try LoggedExporter(arguments, environment: environment)
        let first = try exporter.metrics()
        _ = try exporter.metrics()
        #expect(sampleValue(first.body, "pg_up", ["server": pg.server]) == 0)
        #expect(first.seconds < 2)
        let log = exporter.log
        #expect(log.components(separatedBy: "postgres connection failed").count == 2, "one line, not one per scrape")
        #expect(log.contains("password authentication failed"))
        #expect(!log.contains(secret))
        #expect(!first.body.contains(secret))
        let help = try run(try Package.binary(), ["--help"] + arguments)
        #expect(!(help.stdout + help.stderr).contains(secret))
    }

    @Test func serverDownThenBackWithoutRestart() throws {
        let pg = try PostgresCluster.get()
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn())"])
        #expect(sampleValue(try exporter.metrics().body, "pg_up") == 1)
        try pg.stop()
        let down = try exporter.metrics()
        #expect(sampleValue(down.body, "pg_up") == 0)
        #expect(down.seconds < 1.5)
        try pg.start()
        let back = try exporter.metrics()
        #expect(sampleValue(back.body, "pg_up") == 1)
        #expect(sampleValue(back.body, "pg_exporter_last_scrape_error") == 0)
    }

    @Test func pausedServerCannotStallTheScrape() throws {
        let pg = try PostgresCluster.get()
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn())"])
        #expect(sampleValue(try exporter.metrics().body, "pg_up") == 1)
        let pids = try pg.serverProcesses()
        for pid in pids { kill(pid, SIGSTOP) }
        defer { for pid in pids { kill(pid, SIGCONT) } }
        // Reused connection: the query is cancelled at the deadline.
        let stalled = try exporter.metrics(timeout: 2)
        #expect(stalled.seconds < 2.5)
        #expect(sampleValue(stalled.body, "pg_up") != 1)
        // New connection: the connect is abandoned at the deadline.
        let again = try exporter.metrics(timeout: 2)
        #expect(again.seconds < 2.5)
        #expect(sampleValue(again.body, "pg_up") != 1)
        for pid in pids { kill(pid, SIGCONT) }
        #expect(Wait.until(timeout: 10, interval: 0.1) { (try? exporter.metrics().body).flatMap { sampleValue($0, "pg_up") } == 1 })
    }
}
