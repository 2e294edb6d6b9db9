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
        #expect(redactor.redact("bad: postgresql://mon:other@h/db") == "bad: postgresql://mon:xxxxx@h/db")
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
}
