import Foundation
import Testing
@testable import ExporterCore

extension PostgresTests {
    /// #12.10: passwords in unusual DSN forms, against a closed port (libpq's error is logged):
    /// the secret, or any piece of it, appears nowhere in the log, `/metrics` or the landing page,
    /// and the `server` label is the real address.
    @Test(arguments: [
        "postgresql://acc@127.0.0.1:PORT/db?password=Secr3t&sslmode=disable",
        "postgresql://acc:Se@cr3t@127.0.0.1:PORT/db?sslmode=disable",
        "host=127.0.0.1 port=PORT user=acc password=Secr3t dbname=db sslmode=disable",
        "host=127.0.0.1 port=PORT user=acc password = 'Se cr3t' dbname=db sslmode=disable",
    ])
    func unusualDSNPasswordsNeverShow(_ template: String) throws {
        let port = try freePort()
        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.postgres", "--postgres.dsn=\(template.replacingOccurrences(of: "PORT", with: "\(port)"))",
        ])
        let body = try exporter.metrics().body
        let landing = String(decoding: try exporter.exporter.get("/").body, as: UTF8.self)
        #expect(sampleValue(body, "pg_up", ["server": "127.0.0.1:\(port)"]) == 0, "\(body)")
        #expect(exporter.log.contains("postgres connection failed"))
        for (place, text) in [("log", exporter.log), ("metrics", body), ("landing page", landing)] {
            #expect(!text.contains("cr3t"), "\(place): \(text)")
        }
    }

    /// A password holding an unencoded `@` logs in: libpq is handed the credentials encoded.
    @Test func unencodedAtInPasswordLogsIn() throws {
        let pg = try PostgresCluster.get()
        try pg.psql("DROP ROLE IF EXISTS atsign; CREATE ROLE atsign LOGIN PASSWORD 'Se@cr3t'; GRANT pg_monitor TO atsign")
        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.postgres", "--no-postgres.all-databases",
            "--postgres.dsn=postgresql://atsign:Se@cr3t@127.0.0.1:\(pg.port)/postgres?sslmode=disable",
        ])
        let body = try exporter.metrics().body
        #expect(sampleValue(body, "pg_up", ["server": pg.server]) == 1, "\(exporter.log)")
        #expect(!body.contains("cr3t") && !exporter.log.contains("cr3t"))
    }

    /// A URI whose credentials cannot be told apart (an unencoded `/` or a `?` in the password),
    /// or whose parameters are malformed, is refused at start-up, status 2, without quoting it.
    @Test(arguments: [
        "postgresql://acc:pa/Secr3t@127.0.0.1:1/db", "postgresql://acc:pa?Secr3t@127.0.0.1:1/db",
        "postgresql://acc@127.0.0.1:1/db?password=Secr3t&sslmode",
    ])
    func ambiguousDSNIsRefusedAtStartup(_ dsn: String) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DATA_SOURCE_NAME"] = nil
        let result = try run(try Package.binary(), [
            "--web.listen-address=127.0.0.1:0", "--collector.disable-defaults", "--collector.postgres", "--postgres.dsn=\(dsn)",
        ], environment: environment, timeout: 10)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("postgres DSN"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("cr3t"), "\(result.stderr)")
        #expect(!result.stderr.contains("msg=listening"))
    }

    @Test func helpWarnsThatTheCommandLineIsReadableByEveryUser() throws {
        let help = try run(try Package.binary(), ["--help"]).stdout
        #expect(help.contains("/proc/PID/cmdline"))
    }
}
