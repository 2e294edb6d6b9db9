import Testing
@testable import ExporterCore

@Suite struct PostgresDataSourceNameTests {
    @Test func parsesURIWithPercentEncodedPassword() throws {
        let dsn = try DataSourceName("postgresql://mon%3Aitor:p%40ss%20word@db.example:6432/app?sslmode=require&application_name=x")
        #expect(dsn.parameters["user"] == "mon:itor")
        #expect(dsn.parameters["password"] == "p@ss word")
        #expect(dsn.parameters["sslmode"] == "require")
        #expect(dsn.database == "app")
        #expect(dsn.server == "db.example:6432")
    }

    @Test func parsesURIPasswordParameterAndDefaults() throws {
        let dsn = try DataSourceName("postgres://u@/postgres?password=s3cret&host=%2Fvar%2Frun%2Fpostgresql")
        #expect(dsn.parameters["password"] == "s3cret")
        #expect(dsn.server == "/var/run/postgresql:5432")
        #expect(try DataSourceName("postgresql://").server == "localhost:5432")
    }

    @Test func parsesIPv6AndSeveralHosts() throws {
        #expect(try DataSourceName("postgresql://[::1]:5433/db").server == "[::1]:5433")
        #expect(try DataSourceName("postgresql://a:1,b:2/db").server == "a:1,b:2")
    }

    @Test func parsesKeywordValueWithQuotes() throws {
        let dsn = try DataSourceName(#"host=10.0.0.1 port = 5433 user=mon password='it\'s quoted' dbname=postgres"#)
        #expect(dsn.parameters["host"] == "10.0.0.1")
        #expect(dsn.parameters["port"] == "5433")
        #expect(dsn.parameters["password"] == "it's quoted")
        #expect(dsn.parameters["dbname"] == "postgres")
        #expect(dsn.server == "10.0.0.1:5433")
    }

    @Test func parsesQuotedPasswordWithEscapes() throws {
        let dsn = try DataSourceName(#"user=mon password='a b\'c\\d' host=h"#)
        #expect(dsn.parameters["password"] == #"a b'c\d"#)
        #expect(dsn.parameters["host"] == "h")
    }

    @Test(arguments: ["host", "host=a password='unterminated", "=x", "postgresql://u:p%zz@h/db"])
    func rejectsMalformedWithoutEchoingSecrets(_ text: String) {
        #expect(throws: CollectorError.self) { try DataSourceName(text) }
        do { _ = try DataSourceName(text) } catch {
            #expect(!error.description.contains("unterminated") || !error.description.contains("password='"))
            #expect(!error.description.contains("p%zz"))
        }
    }

    @Test func redactsPasswordsFromLibpqStyleMessages() throws {
        let dsn = try DataSourceName("postgresql://mon:p%40ss@h:5432/db")
        let redactor = dsn.redactor
        #expect(redactor.redact("failed for p@ss and p%40ss") == "failed for xxxxx and xxxxx")
        #expect(redactor.redact("bad: postgresql://mon:other@h/db") == "bad: postgresql://xxxxx@h/db")
        #expect(redactor.redact("conninfo password=zzz host=h") == "conninfo password=xxxxx host=h")
        #expect(redactor.redact("conninfo password='a b' host=h") == "conninfo password=xxxxx host=h")
        #expect(redactor.redact("nothing secret") == "nothing secret")
    }

    @Test func collectsFlagsFilesAndEnvironment() throws {
        let dsns = try DataSourceName.collect(
            flags: ["postgresql://a@h1/db"],
            files: ["# comment\n\npostgresql://b:pw@h2:5433/db\n"],
            environment: "postgresql://c@h3/x,postgres://d@h4/y")
        #expect(dsns.map(\.server) == ["h1:5432", "h2:5433", "h3:5432", "h4:5432"])
        // key=value in DATA_SOURCE_NAME is one DSN even with commas in it.
        let one = try DataSourceName.collect(flags: [], files: [], environment: "host=a,b port=1,2 dbname=x")
        #expect(one.count == 1)
        #expect(one.first?.server == "a:1,b:2")
        // The same server, database and user twice is one server.
        #expect(try DataSourceName.collect(flags: ["postgresql://a@h/db", "postgresql://a@h:5432/db"], files: [], environment: nil).count == 1)
    }

    /// #12.10: the credentials end at the last `@` before the first `/`; the server label and
    /// the parameters never hold a piece of the password.
    @Test func unencodedAtInPasswordBelongsToThePassword() throws {
        let dsn = try DataSourceName("postgresql://acc:Se@cr3t@127.0.0.1:5433/db")
        #expect(dsn.parameters["user"] == "acc")
        #expect(dsn.parameters["password"] == "Se@cr3t")
        #expect(dsn.server == "127.0.0.1:5433")
        #expect(dsn.database == "db")
        // libpq ends the credentials at the first `@`: it is given them encoded.
        #expect(dsn.connectionString == "postgresql://acc:Se%40cr3t@127.0.0.1:5433/db")
        let plain = "postgresql://acc:p%40ss@h/db?sslmode=disable"
        #expect(try DataSourceName(plain).connectionString == plain)
    }

    @Test(arguments: [
        "postgresql://acc:pa/Secr3t@127.0.0.1/db", "postgresql://acc:pa?Secr3t@127.0.0.1/db",
        "postgresql://acc@127.0.0.1?password=Se@cr3t", "postgresql://acc:Secr3t/db", "postgres://acc:pa/Secr3t@h",
    ])
    func ambiguousURIIsRefusedWithoutQuotingIt(_ text: String) {
        do {
            _ = try DataSourceName(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.isConfiguration)
            #expect(!error.description.contains("Secr3t") && !error.description.contains("cr3t"), "\(error)")
            #expect(!error.description.contains("127.0.0.1"), "the DSN is not quoted: \(error)")
        }
    }

    @Test func queryPasswordIsNeverQuotedInParseErrors() {
        do {
            _ = try DataSourceName("postgresql://acc@127.0.0.1/db?password=Secr3t&sslmode")
            Issue.record("accepted a parameter without '='")
        } catch {
            #expect(!error.description.contains("Secr3t"), "\(error)")
            #expect(error.isConfiguration)
        }
    }

    @Test func redactsEveryPasswordForm() throws {
        let none = Redactor(secrets: [])
        let cases: [(String, String)] = [
            ("x postgresql://acc@127.0.0.1/db?password=Secr3t&sslmode=disable", "x postgresql://xxxxx@127.0.0.1/db?password=xxxxx&sslmode=disable"),
            ("x postgresql://acc:Se@cr3t@127.0.0.1/db y", "x postgresql://xxxxx@127.0.0.1/db y"),
            ("x postgresql://acc:pa/Secr3t@127.0.0.1/db y", "x postgresql://xxxxx@127.0.0.1/db y"),
            ("host=h password=Secr3t user=u", "host=h password=xxxxx user=u"),
            ("host=h password = 'Se cr3t' user=u", "host=h password=xxxxx user=u"),
            (#"host=h PASSWORD='it\'s Secr3t' user=u"#, "host=h PASSWORD=xxxxx user=u"),
            ("x postgresql://h/db?password=Se@cr3t y", "x postgresql://h/db?password=xxxxx y"),
            ("password authentication failed for user \"u\"", "password authentication failed for user \"u\""),
        ]
        for (input, expected) in cases {
            #expect(none.redact(input) == expected, "\(input)")
        }
        // The password as written in the URI is a secret too, not only its decoded form.
        let written = try DataSourceName("postgresql://acc:Se@cr%33t@127.0.0.1/db").redactor
        #expect(written.redact("saw Se@cr%33t and Se@cr3t") == "saw xxxxx and xxxxx")
    }
}
