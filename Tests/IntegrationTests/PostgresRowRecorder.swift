import Foundation
import Testing
import TestSupport
@testable import ExporterCore

/// Collects a pipeline's rows (the recorder's consumer).
private final class RecordedRows: PipelineConsumer {
    let request: PipelineRequest
    var results: [StatementResult] = []

    init(_ request: PipelineRequest) { self.request = request }

    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest { request }
    func received(_ index: Int, _ result: StatementResult, seconds: Double) { results.append(result) }
}

extension PostgresTests {
    /// Records what every statement of a scrape returns from the test cluster (with activity: a
    /// table with inserts, updates and deletes, an idle-in-transaction session) into
    /// Tests/ExporterCoreTests/Fixtures/postgres/<statement>.json, for `ScrapeMapperTests`.
    /// Runs only with RECORD_POSTGRES_FIXTURES=1; review the diff like code.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RECORD_POSTGRES_FIXTURES"] == "1"))
    func recordRowsForTheMapperTests() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP TABLE IF EXISTS recorded; CREATE TABLE recorded (id int PRIMARY KEY); INSERT INTO recorded SELECT generate_series(1, 10); UPDATE recorded SET id = id + 100 WHERE id < 4; DELETE FROM recorded WHERE id > 8; ANALYZE recorded")
        try pg.session("BEGIN; SELECT 1;")
        defer { pg.endSessions() }
        // A vacuum kept running by cost delays, so stat_progress_vacuum records a real row.
        try pg.psql("DROP TABLE IF EXISTS vacuumed; CREATE TABLE vacuumed AS SELECT g AS id, repeat('v', 400) AS pad FROM generate_series(1, 20000) g; DELETE FROM vacuumed WHERE id % 2 = 0")
        try pg.session("SET vacuum_cost_delay = 100; SET vacuum_cost_limit = 1; VACUUM vacuumed;")
        // Ending psql does not end a sleeping VACUUM: it is cancelled.
        defer { _ = try? pg.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_progress_vacuum") }
        #expect(Wait.until(timeout: 10, interval: 0.05) { (try? pg.psql("SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = 'vacuumed'::regclass"))?.hasPrefix("1") == true })
        var options = PostgresOptions()
        options.statStatements = true
        let target = SessionTarget(parameters: [("dbname", pg.dsn())], redactor: Redactor(secrets: []), connectTimeout: 5)
        // The version first: the plan's SQL depends on it.
        let probe = RecordedRows(PipelineRequest(statements: ["SELECT current_setting('server_version_num')"]))
        _ = PollLoop.run([PipelineTask(connection: nil, target: target, keep: false, consumer: probe)], concurrency: 1, deadline: .now().adding(seconds: 10))
        let versionText = try probe.results.first?.get().rows.first?.first ?? nil
        let version = try #require(versionText.flatMap { Int($0) })
        let plan = ScrapePlan(version: version, options: options)
        var named: [(String, String, [String])] = [
            ("identity", PostgresQueries.identity, []), ("free_slots", SessionBudget.freeSlotsSQL, []),
            ("databases", PostgresQueries.databases, []), ("database_sizes", DatabaseSizes.sql, [""]),
        ]
        named += (plan.server + plan.database).filter { $0.group.name != PostgresQueries.database.name }.map { ($0.group.name, $0.sql, []) }
        let rows = RecordedRows(PipelineRequest(
            statements: named.map(\.1), parameters: Dictionary(uniqueKeysWithValues: named.enumerated().compactMap { $1.2.isEmpty ? nil : ($0, $1.2) })))
        _ = PollLoop.run([PipelineTask(connection: nil, target: target, keep: false, consumer: rows)], concurrency: 1, deadline: .now().adding(seconds: 10))
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ExporterCoreTests/Fixtures/postgres")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #expect(rows.results.count == named.count)
        for ((name, _, _), result) in zip(named, rows.results) {
            let recorded = try result.get()
            let json: [String: Any] = [
                "source": "PostgreSQL \(version), the integration test cluster, Tests/IntegrationTests/PostgresRowRecorder.swift",
                "columns": recorded.columns, "rows": recorded.rows.map { $0.map { $0 ?? NSNull() } as [Any] },
            ]
            let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: directory.appendingPathComponent("\(name).json"))
        }
    }
}
