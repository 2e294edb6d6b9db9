import Foundation
import Testing
@testable import ExporterCore
import TestSupport

extension PostgresTests {
    /// #12.6: 20 databases on a cluster of 20 slots (17 for ordinary roles). The exporter holds at
    /// most main + sizes + the budget (the default 8, cut to half the free slots: 7), an application's login (an ordinary role over
    /// TCP) succeeds while it scrapes, every database is still visited, and `pg_exporter_sessions`
    /// is what pg_stat_activity shows for the exporter.
    @Test func otherDatabasesNeverCrowdOutAnApplication() throws {
        let pg = try PostgresCluster(maxConnections: 20)
        defer { pg.destroy() }
        try pg.psql("CREATE ROLE app LOGIN PASSWORD 'app'; GRANT pg_read_all_stats TO app")
        let names = (1...20).map { "crowd\($0)" }
        for name in names {
            try pg.psql("CREATE DATABASE \(name)")
            try pg.psql("CREATE TABLE t (id int); INSERT INTO t VALUES (1)", database: name)
        }
        let exporter = try LoggedExporter(["--collector.disable-defaults", "--collector.postgres", "--postgres.dsn=\(pg.dsn())"])
        // 17 slots for ordinary roles, 2 taken by the main and sizes sessions: 15 free.
        let bound = 2 + SessionBudget.otherDatabases(limit: 8, freeSlots: 15, held: 0)
        #expect(bound == 9)
        let output = NSTemporaryDirectory() + "pg-app-\(getpid())-\(UUID().uuidString)"
        defer { unlink(output) }
        for scrape in 0..<4 {
            // The application: logs in as an ordinary role while the scrape runs and samples the
            // exporter's sessions meanwhile (a fresh statistics snapshot each time).
            let app = try ChildProcess([
                try tool("psql"), "-h", "127.0.0.1", "-p", "\(pg.port)", "-U", "app", "-d", "postgres", "-X", "-q", "-A", "-t", "-c", """
                DO $$ DECLARE m int := 0; c int; BEGIN FOR i IN 1..40 LOOP PERFORM pg_stat_clear_snapshot(); \
                SELECT count(*) INTO c FROM pg_stat_activity WHERE application_name = 'stack_exporter'; \
                m := greatest(m, c); PERFORM pg_sleep(0.01); END LOOP; RAISE NOTICE 'most=%', m; END $$
                """,
            ], environment: ProcessInfo.processInfo.environment.merging(["PGPASSWORD": "app"]) { $1 }, stderr: .file(output))
            let body = try exporter.metrics().body
            let status = app.wait(timeout: 30)
            let appOutput = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(status == 0, "scrape \(scrape): the application could not log in: \(appOutput)")
            let most = appOutput.split(separator: "=").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            // pg_stat_activity still lists a backend for a moment after the exporter closed its
            // connection (the backend clears its entry as it exits), so a sample taken while one
            // session is replaced by the next can see one more than the exporter holds. The
            // pile-up this guards against held 16.
            #expect((most ?? 99) <= bound + 1, "scrape \(scrape): \(appOutput)")
            #expect(sampleValue(body, "pg_up") == 1, "scrape \(scrape)")
            #expect(sampleValue(body, "pg_scrape_collector_success", ["collector": "stat_user_tables"]) == 1, "scrape \(scrape): \(exporter.log)")
            for name in names {
                #expect(sampleValue(body, "pg_stat_user_tables_n_tup_ins", ["datname": name, "relname": "t"]) == 1, "scrape \(scrape) \(name)")
            }
            // Closed sessions leave pg_stat_activity when their backend has exited: wait for it.
            let reported = try #require(sampleValue(body, "pg_exporter_sessions", ["server": pg.server]))
            #expect(reported <= Double(bound))
            var held = -1.0
            let deadline = Date().addingTimeInterval(5)
            while held != reported, Date() < deadline {
                held = Double(try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stack_exporter'")
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            }
            #expect(held == reported, "scrape \(scrape): pg_stat_activity \(held), pg_exporter_sessions \(reported)")
        }
    }
}
