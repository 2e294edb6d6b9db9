import Foundation
import Testing
import TestSupport
@testable import ExporterCore

/// Issue #17's groups against the real PostgreSQL 15: archiver, conflicts, session statistics,
/// vacuum progress, roles, WAL size, transaction IDs and SSL.
extension PostgresTests {
    /// On a scrape of the `monitor` role (pg_monitor) with activity (PostgresTests).
    func expectServerStatusNames(_ body: String, _ pg: PostgresCluster) throws {
        let server = ["server": pg.server]
        for group in ["stat_archiver", "stat_database_conflicts", "stat_progress_vacuum", "roles", "wal", "txid", "stat_ssl"] {
            #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": group]) == 1, "\(group)")
        }
        // The exporter's own session and the test's psql sessions count (PostgreSQL 14+).
        #expect((sampleValue(body, "pg_stat_database_sessions", ["datname": "postgres"]) ?? 0) >= 1)
        #expect((sampleValue(body, "pg_stat_database_sessions", ["datname": "shop"]) ?? 0) >= 4)
        #expect((sampleValue(body, "pg_stat_database_session_time", ["datname": "shop"]) ?? 0) > 0)
        // An idle-in-transaction session has been open for more than a second.
        #expect((sampleValue(body, "pg_stat_database_idle_in_transaction_time", ["datname": "shop"]) ?? -1) >= 0)
        #expect(sampleValue(body, "pg_stat_database_sessions_killed", ["datname": "shop"]) != nil)
        // initdb without --data-checksums: the column is NULL and the series absent.
        #expect(!body.contains("pg_stat_database_checksum_failures{"))
        #expect(sampleValue(body, "pg_stat_database_conflicts_confl_snapshot", ["datname": "shop"]) == 0)
        #expect(sampleValue(body, "pg_stat_archiver_archived_count", server) == 0)
        #expect(sampleValue(body, "pg_stat_archiver_failed_count", server) == 0)
        #expect(sampleValue(body, "pg_roles_connection_limit", ["rolname": "monitor"]) == -1)
        #expect((sampleValue(body, "pg_wal_segments", server) ?? 0) >= 1)
        let segments = sampleValue(body, "pg_wal_segments", server) ?? 0
        #expect(sampleValue(body, "pg_wal_size_bytes", server) == segments * 16_777_216)
        #expect((sampleValue(body, "pg_txid_current", server) ?? 0) > 0)
        // Two sessions hold transactions open (idle in transaction, the lock): xmin lags behind.
        #expect((sampleValue(body, "pg_txid_xmin", server) ?? .infinity) <= (sampleValue(body, "pg_txid_current", server) ?? 0))
        #expect((sampleValue(body, "pg_txid_xmin_age", server) ?? -1) >= 0)
        // The test connects over the socket or loopback without SSL.
        #expect(sampleValue(body, "pg_stat_ssl_active", server) == 0)
        #expect(sampleValue(body, "pg_stat_ssl_compression", server) == 0)
    }

    /// A VACUUM slowed down by cost delays is seen with its phase and its table's blocks; the
    /// transaction counter moves with writing transactions.
    @Test func vacuumProgressAndTransactionIDs() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP TABLE IF EXISTS slow_vacuum; CREATE TABLE slow_vacuum AS SELECT g AS id, repeat('v', 400) AS pad FROM generate_series(1, 20000) g; DELETE FROM slow_vacuum WHERE id % 2 = 0")
        try pg.session("SET vacuum_cost_delay = 100; SET vacuum_cost_limit = 1; VACUUM slow_vacuum;")
        // Ending psql does not end a sleeping VACUUM: it is cancelled.
        defer {
            _ = try? pg.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_progress_vacuum")
            pg.endSessions()
        }
        let running = "SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = 'slow_vacuum'::regclass"
        #expect(Wait.until(timeout: 10, interval: 0.05) { (try? pg.psql(running))?.hasPrefix("1") == true })
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn(database: "postgres"))"])
        let first = try exporter.metrics().body
        let table = ["datname": "postgres", "relname": "slow_vacuum"]
        var phases: [String: Double] = [:]
        for phase in PostgresQueries.vacuumPhases {
            phases[phase] = sampleValue(first, "pg_stat_progress_vacuum_phase", table.merging(["phase": phase]) { $1 })
        }
        #expect(phases.count == 7 && phases.values.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(phases.values.reduce(0, +) == 1)
        #expect((sampleValue(first, "pg_stat_progress_vacuum_heap_blks", table) ?? 0) > 1000)
        #expect(sampleValue(first, "pg_stat_progress_vacuum_max_dead_tuples", table) != nil)
        let before = sampleValue(first, "pg_txid_current") ?? 0
        // Three writing transactions (psql -c runs its statements as one) take three IDs.
        try pg.psql("CREATE TABLE IF NOT EXISTS xids (id int)")
        try pg.psql("INSERT INTO xids VALUES (1)")
        try pg.psql("INSERT INTO xids VALUES (2)")
        let after = sampleValue(try exporter.metrics().body, "pg_txid_current") ?? 0
        #expect(after >= before + 3)
    }
}
