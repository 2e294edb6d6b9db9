import Foundation
import Testing
import TestSupport

/// Runs scripts/postgres-compat: Debian's postgres_exporter and stack_exporter on one real
/// PostgreSQL 15; the pg_* names the community alert files and the postgres mixin dashboard use
/// must be served, and every dashboard expression answered by postgres_exporter must be answered here.
@Suite(.timeLimit(.minutes(10))) struct PostgresCompatibilityTests {
    @Test func postgresMetricsMatchPostgresExporter() throws {
        let binary = try Package.binary()
        // Not a skip: without postgres_exporter there is nothing to compare against.
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus-postgres-exporter"),
                     "postgres_exporter is not installed (apt-get install prometheus-postgres-exporter)")
        let result = try runCommand(["/bin/bash", Package.root + "/scripts/postgres-compat", binary], timeout: 170)
        let text = result.stdout + result.stderr
        #expect(result.status == 0, "scripts/postgres-compat failed:\n\(text)")
        #expect(text.contains("promql-coverage: OK") || text.contains("SKIPPED"), "\(text)")
    }
}
