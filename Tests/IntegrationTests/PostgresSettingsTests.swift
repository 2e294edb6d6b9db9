import Foundation
import Testing
@testable import ExporterCore

/// `pg_settings_*` are the server's values: the exporter's own session settings
/// (statement_timeout, lock_timeout) must not leak into them (issue #17).
@Suite(.serialized, .timeLimit(.minutes(10))) struct PostgresSettingsTests {
    @Test func sessionSettingsOfTheExporterDoNotShow() throws {
        let pg = try PostgresCluster.get()
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn(database: "postgres"))", "--postgres.statement-timeout=10s"])
        let (body, _) = try exporter.metrics()
        let server = ["server": pg.server]
        #expect(sampleValue(body, "pg_up", server) == 1)
        // The test cluster configures neither: the server says 0 (as postgres_exporter reports).
        #expect(sampleValue(body, "pg_settings_statement_timeout_seconds", server) == 0)
        #expect(sampleValue(body, "pg_settings_lock_timeout_seconds", server) == 0)
        #expect(sampleValue(body, "pg_settings_max_connections", server) == 60)
    }

    /// A value configured for the role the exporter logs in as is the server's configuration for
    /// that session, and is what reset_val reports.
    @Test func aConfiguredValueIsReported() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("ALTER ROLE monitor SET idle_in_transaction_session_timeout = '90s'")
        defer { _ = try? pg.psql("ALTER ROLE monitor RESET idle_in_transaction_session_timeout") }
        let exporter = try LoggedExporter(["--postgres.dsn=\(pg.dsn(database: "postgres"))"])
        let (body, _) = try exporter.metrics()
        #expect(sampleValue(body, "pg_settings_idle_in_transaction_session_timeout_seconds", ["server": pg.server]) == 90)
    }
}
