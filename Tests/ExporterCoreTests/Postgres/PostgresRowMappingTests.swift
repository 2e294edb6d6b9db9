import Testing
@testable import ExporterCore

/// Rows recorded from PostgreSQL 15.18 (psql -A output of the groups' queries), mapped to families.
@Suite struct PostgresRowMappingTests {
    @Test func statActivityRowsBecomeLabelledSamples() throws {
        let rows = QueryRows(columns: ["datname", "state", "count", "max_tx_duration"], rows: [
            ["shop", "idle in transaction", "2", "3.25"],
            ["shop", "active", "1", "0"],
        ])
        let families = PostgresQueries.statActivity.map(rows, "db:5432")
        let count = try #require(families.first { $0.name == "pg_stat_activity_count" })
        // Pairs in name order, as the normalizer wants them (it then neither sorts nor copies them).
        #expect(count.samples.first?.labels == [Label("datname", "shop"), Label("server", "db:5432"), Label("state", "idle in transaction")])
        #expect(count.samples.map(\.value) == [2, 1])
        #expect(families.first { $0.name == "pg_stat_activity_max_tx_duration" }?.samples.first?.value == 3.25)
    }

    @Test func missingColumnsAndNullsAreSkipped() {
        // PostgreSQL 13 has no active_time; a NULL size (no CONNECT privilege) is left out.
        let stat = PostgresQueries.statDatabase.map(QueryRows(columns: ["datid", "datname", "numbackends"], rows: [["5", "postgres", "3"]]), "s")
        #expect(stat.map(\.name) == ["pg_stat_database_numbackends"])
        let size = PostgresQueries.database.map(QueryRows(columns: ["datname", "connection_limit", "size_bytes"], rows: [["secret", "-1", nil]]), "s")
        #expect(size.first { $0.name == "pg_database_size_bytes" }?.samples.isEmpty == true)
        #expect(size.first { $0.name == "pg_database_connection_limit" }?.samples.first?.value == -1)
    }

    @Test func replicationSlotsWalStatusIsAnInfoLabel() throws {
        let rows = QueryRows(
            columns: ["slot_name", "slot_type", "slot_current_wal_lsn", "slot_confirmed_flush_lsn", "slot_is_active", "safe_wal_size_bytes", "wal_status"],
            rows: [["s1", "physical", "23456", "0", "0", nil, "reserved"]])
        let families = PostgresQueries.replicationSlots.map(rows, "s")
        let status = try #require(families.first { $0.name == "pg_replication_slots_wal_status" })
        #expect(status.samples.first?.labels.map(\.name) == ["server", "slot_name", "slot_type", "wal_status"])
        #expect(status.samples.first?.labels.map(\.value) == ["s", "s1", "physical", "reserved"])
        #expect(status.samples.first?.value == 1)
        #expect(families.first { $0.name == "pg_replication_slots_active" }?.samples.first?.value == 0)
        #expect(families.first { $0.name == "pg_replication_slots_safe_wal_size_bytes" }?.samples.isEmpty == true)
    }

    @Test func settingsConvertUnitsLikePostgresExporter() {
        #expect(RowMapping.setting(name: "shared_buffers", setting: "16384", unit: "8kB", vartype: "integer")?.name == "pg_settings_shared_buffers_bytes")
        #expect(RowMapping.setting(name: "shared_buffers", setting: "16384", unit: "8kB", vartype: "integer")?.value == 134_217_728)
        #expect(RowMapping.setting(name: "statement_timeout", setting: "1500", unit: "ms", vartype: "integer")?.value == 1.5)
        #expect(RowMapping.setting(name: "statement_timeout", setting: "1500", unit: "ms", vartype: "integer")?.name == "pg_settings_statement_timeout_seconds")
        #expect(RowMapping.setting(name: "log_rotation_age", setting: "1440", unit: "min", vartype: "integer")?.value == 86_400)
        #expect(RowMapping.setting(name: "max_connections", setting: "100", unit: "", vartype: "integer")?.name == "pg_settings_max_connections")
        #expect(RowMapping.setting(name: "fsync", setting: "on", unit: "", vartype: "bool")?.value == 1)
        #expect(RowMapping.setting(name: "pg_stat_statements.max", setting: "5000", unit: "", vartype: "integer")?.name == "pg_settings_pg_stat_statements_max")
        #expect(RowMapping.setting(name: "temp_file_limit", setting: "-1", unit: "kB", vartype: "integer")?.value == -1)
        #expect(RowMapping.setting(name: "x", setting: "abc", unit: "", vartype: "integer") == nil)
    }

    @Test(arguments: [("15.18 (Debian 15.18-0+deb12u1)", "15.18.0"), ("17.2", "17.2.0"), ("12.22.1", "12.22.1"), ("16beta1", "16.0.0")])
    func shortVersion(_ text: String, _ expected: String) {
        #expect(RowMapping.shortVersion(text) == expected)
    }

    @Test func numbersParseExactlyAsTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-1", "0.25", "-0.5", ".5", "12.", "1e+20", "1.5e-07", "NaN", "Infinity", "-Infinity",
                     "123456789012345", "1234567890123456789", "99999999999999.9", "0.000000000000001", "1732480000.123456",
                     "1732480000.1234567", "t", "f", "on", "off", "x", "", "-", "1.2.3", "1_000"]
        for _ in 0..<2000 {
            let integer = UInt64.random(in: 0...9_999_999_999, using: &generator)
            let fraction = UInt64.random(in: 0...999_999, using: &generator)
            texts.append("\(integer).\(String(fraction))")
            texts.append("-\(integer % 1000).\(String(repeating: "0", count: Int(fraction % 4)))\(fraction)")
        }
        for text in texts {
            let expected: Double? = switch text {
            case "t", "on", "true": 1
            case "f", "off", "false": 0
            default: Double(text)
            }
            let parsed = RowMapping.number(text)
            #expect(parsed?.bitPattern == expected?.bitPattern || (parsed?.isNaN == true && expected?.isNaN == true), "\(text)")
        }
    }

    @Test func serversMergeIntoOneFamilyPerName() {
        var a = MetricFamily(PostgresMetrics.up)
        a.add(["a:5432"], 1)
        var b = MetricFamily(PostgresMetrics.up)
        b.add(["b:5432"], 0)
        // Collected in server order; the normalizer makes one family (one HELP/TYPE) of them.
        let collected = PostgresCollector.merge([[a], [b]])
        #expect(collected.flatMap(\.samples).map(\.value) == [1, 0])
        let merged = Normalizer.normalize(collected, stats: ExpositionStats())
        #expect(merged.count == 1)
        #expect(merged.first?.samples.map(\.value) == [1, 0])
        let text = TextFormat.render(text: merged)
        #expect(text.components(separatedBy: "# HELP pg_up ").count == 2)
    }

    @Test func reportSaysWhichGroupFailed() {
        var report = ScrapeReport(server: "s")
        report.up = true
        report.add([], group: "stat_database", duration: 0.01)
        report.fail("stat_bgwriter", duration: 0.02)
        let families = report.families()
        let success = families.first { $0.name == "pg_scrape_collector_success" }
        #expect(success?.samples.map(\.value) == [1, 0])
        #expect(success?.samples.last?.labels == [Label("collector", "stat_bgwriter"), Label("server", "s")])
        #expect(families.first { $0.name == "pg_exporter_last_scrape_error" }?.samples.first?.value == 1)
        #expect(families.first?.name == "pg_up")
    }

    @Test func noServersMeansNoFamiliesAndNoLibpq() throws {
        let collector = PostgresCollector(servers: [], settings: PostgresSettings())
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: 1), logger: .disabled, exposition: ExpositionStats())
        #expect(try collector.collect(context).isEmpty)
    }
}
