import Foundation
import Testing

/// Runs scripts/postgres-compat: Debian's postgres_exporter and stack_exporter on one real
/// PostgreSQL 15; the pg_* names the community alert files and the postgres mixin dashboard use
/// must be served, and every dashboard expression answered by postgres_exporter must be answered here.
@Suite(.timeLimit(.minutes(3))) struct PostgresCompatibilityTests {
    @Test func postgresMetricsMatchPostgresExporter() throws {
        let binary = try Package.binary()
        // Not a skip: without postgres_exporter there is nothing to compare against.
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus-postgres-exporter"),
                     "postgres_exporter is not installed (apt-get install prometheus-postgres-exporter)")
        // Output goes to a file, not a pipe: the PostgreSQL server the script starts must not hold
        // the test's pipe open.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("postgres-compat-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Package.root + "/scripts/postgres-compat", binary]
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "scripts/postgres-compat failed:\n\(text)")
        #expect(text.contains("promql-coverage: OK") || text.contains("SKIPPED"), "\(text)")
    }
}
