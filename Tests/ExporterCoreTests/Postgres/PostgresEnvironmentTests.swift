import Testing
@testable import ExporterCore

/// postgres_exporter's environment variables, so its deployments carry over unchanged.
@Suite struct PostgresEnvironmentTests {
    private func names(_ environment: [String: String], files: [String: String] = [:]) throws -> String? {
        try PostgresEnvironment.dataSourceNames(environment) { path in
            guard let content = files[path] else { throw CollectorError("no such file") }
            return content
        }
    }

    @Test func dataSourceNameWinsAndHasAFileVariant() throws {
        #expect(try names(["DATA_SOURCE_NAME": "postgresql://a@h/db", "DATA_SOURCE_URI": "x"]) == "postgresql://a@h/db")
        #expect(try names(["DATA_SOURCE_NAME_FILE": "/run/secrets/dsn"], files: ["/run/secrets/dsn": "postgresql://b@h/db\n"]) == "postgresql://b@h/db")
        #expect(try names([:]) == nil)
    }

    @Test func uriUserAndPasswordAreAssembledAndEscaped() throws {
        let dsn = try names([
            "DATA_SOURCE_URI": "db.internal:5432/shop?sslmode=disable", "DATA_SOURCE_USER": "monitor",
            "DATA_SOURCE_PASS_FILE": "/run/secrets/pass",
        ], files: ["/run/secrets/pass": "p@ss:w/rd\n"])
        #expect(dsn == "postgresql://monitor:p%40ss%3Aw%2Frd@db.internal:5432/shop?sslmode=disable")
        let parsed = try DataSourceName(try #require(dsn))
        #expect(parsed.server == "db.internal:5432")
        #expect(try names(["DATA_SOURCE_URI": "postgresql://h:5432/db"]) == "postgresql://h:5432/db")
    }

    @Test func anUnreadableSecretFileIsAClearErrorWithoutItsContent() {
        #expect(throws: CollectorError.self) { try names(["DATA_SOURCE_URI": "h/db", "DATA_SOURCE_USER": "u", "DATA_SOURCE_PASS_FILE": "/missing"]) }
    }
}
