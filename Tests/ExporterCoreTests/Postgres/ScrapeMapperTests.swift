import Foundation
import Testing
@testable import ExporterCore

/// `ScrapeMapper` and the groups' mappings on rows recorded from PostgreSQL 15.18 (Fixtures/postgres/,
/// written by Tests/IntegrationTests/PostgresRowRecorder.swift), and on edge rows no healthy
/// server returns: NULLs, numbers out of range, empty results.
@Suite struct ScrapeMapperTests {
    static let server = "127.0.0.1:5432"

    /// A recorded statement's rows (`null` for SQL NULL).
    static func recorded(_ name: String) throws -> QueryRows {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("postgres/\(name).json")))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let columns = json["columns"] as? [String], let rows = json["rows"] as? [[Any]]
        else { throw FixtureError(file: name) }
        return QueryRows(columns: columns, rows: rows.map { $0.map { $0 as? String } })
    }

    @Test func recordedRowsMapToTheGoldenFamilies() throws {
        var families = try ScrapeMapper.identity(Self.recorded("identity"), server: Self.server).families
        // Every group that PostgreSQL 15 runs (stat_checkpointer is 17+; `database` is the sizes below).
        let recorded = (PostgresQueries.serverGroups + PostgresQueries.databaseGroups).filter {
            $0.name != PostgresQueries.database.name && FileManager.default.fileExists(atPath: Fixtures.path("postgres/\($0.name).json"))
        }
        #expect(recorded.count == 20)
        for group in recorded {
            let item = ScrapeMapper.main(.group(group), .success(try Self.recorded(group.name)), seconds: 0, server: Self.server)
            families += try #require(item.families, "\(group.name)")
        }
        var sizes = DatabaseSizes()
        let filled = try #require(sizes.absorb(try Self.recorded("database_sizes"), now: .now()))
        families += ScrapeMapper.sizes(filled, age: 0, server: Self.server)
        let text = TextFormat.render(text: Normalizer.normalize(families, stats: ExpositionStats()))
        try Golden.check(text, against: "postgres-mapper.prom")
    }

    /// The recorded vacuum (kept running by cost delays): one series per phase, exactly one of
    /// them 1, and one series per vacuum for the other families, not one per phase row.
    @Test func progressVacuumIsOneHotOverPhasesAndOncePerVacuum() throws {
        let families = PostgresQueries.statProgressVacuum.map(try Self.recorded("stat_progress_vacuum"), Self.server)
        let phase = try #require(families.first { $0.name == "pg_stat_progress_vacuum_phase" })
        #expect(phase.samples.count == PostgresQueries.vacuumPhases.count)
        #expect(phase.samples.filter { $0.value == 1 }.count == 1)
        #expect(Set(phase.samples.compactMap { $0.labels.first { $0.name == "phase" }?.value }) == Set(PostgresQueries.vacuumPhases))
        let heap = try #require(families.first { $0.name == "pg_stat_progress_vacuum_heap_blks" })
        #expect(heap.samples.count == 1)
        #expect((heap.samples.first?.value ?? 0) > 0)
        #expect(heap.samples.first?.labels.map(\.name) == ["datname", "relname", "server"])
        #expect(heap.samples.first?.labels.first { $0.name == "relname" }?.value == "vacuumed")
        // Two vacuums: each per-vacuum family has two samples, the phase family 2 × 7.
        var two = try Self.recorded("stat_progress_vacuum")
        two.rows += two.rows.map { row in row.enumerated().map { $0.offset == 1 ? "other" : $0.element } }
        let both = PostgresQueries.statProgressVacuum.map(two, Self.server)
        #expect(both.first { $0.name == "pg_stat_progress_vacuum_num_dead_tuples" }?.samples.count == 2)
        #expect(both.first { $0.name == "pg_stat_progress_vacuum_phase" }?.samples.count == 14)
    }

    @Test func recordedServerStatusGroups() throws {
        func value(_ group: QueryGroup, _ name: String) throws -> Double? {
            group.map(try Self.recorded(group.name), Self.server).first { $0.name == name }?.samples.first?.value
        }
        #expect(try value(PostgresQueries.wal, "pg_wal_segments") ?? 0 >= 1)
        #expect(try value(PostgresQueries.wal, "pg_wal_size_bytes") ?? 0 >= 16_777_216)
        #expect(try value(PostgresQueries.txid, "pg_txid_current") ?? 0 > 0)
        #expect(try value(PostgresQueries.statArchiver, "pg_stat_archiver_archived_count") == 0)
        // Never archived: last_archived_time is NULL and the age is left out, as upstream.
        let archiver = PostgresQueries.statArchiver.map(try Self.recorded("stat_archiver"), Self.server)
        #expect(archiver.first { $0.name == "pg_stat_archiver_last_archive_age" }?.samples.isEmpty == true)
        let roles = PostgresQueries.roles.map(try Self.recorded("roles"), Self.server)
        #expect(roles.first?.samples.first { $0.labels.contains(Label("rolname", "monitor")) }?.value == -1)
        // Data checksums are off on the test cluster: checksum_failures is NULL, its series absent;
        // the DSN database counts its sessions (PostgreSQL 14+).
        let database = PostgresQueries.statDatabase.map(try Self.recorded("stat_database"), Self.server)
        #expect(database.first { $0.name == "pg_stat_database_checksum_failures" }?.samples.isEmpty == true)
        let sessions = try #require(database.first { $0.name == "pg_stat_database_sessions" })
        #expect((sessions.samples.first { $0.labels.contains(Label("datname", "postgres")) }?.value ?? 0) >= 1)
    }

    @Test func identityNamesTheVersionAndTheDatabase() throws {
        let identity = ScrapeMapper.identity(try Self.recorded("identity"), server: Self.server)
        #expect(identity.database == "postgres")
        let staticInfo = try #require(identity.families.first { $0.name == "pg_static" })
        #expect(staticInfo.samples.first?.labels.first { $0.name == "short_version" }?.value == "15.18.0")
        #expect(identity.families.contains { $0.name == "pg_postmaster_start_time_seconds" })
    }

    @Test func freeSlotsAndDatabaseNames() throws {
        #expect(ScrapeMapper.freeSlots(try Self.recorded("free_slots")) == 55)
        #expect(ScrapeMapper.databaseNames(try Self.recorded("databases")) == ["postgres"])
        // NULL, beyond Int, not a number, no row: unknown (the budget then uses the flag alone).
        for value in [nil, "99999999999999999999", "12.5", "abc"] as [String?] {
            #expect(ScrapeMapper.freeSlots(QueryRows(columns: ["?column?"], rows: [[value]])) == nil, "\(value ?? "NULL")")
        }
        #expect(ScrapeMapper.freeSlots(QueryRows(columns: [], rows: [])) == nil)
        #expect(ScrapeMapper.freeSlots(QueryRows(columns: ["?column?"], rows: [[]])) == nil)
        #expect(ScrapeMapper.databaseNames(QueryRows(columns: ["datname"], rows: [["a"], [nil], [], ["b"]])) == ["a", "b"])
    }

    @Test func nullsAndNumbersOutOfRangeAreLeftOutOrKeptAsTheyParse() throws {
        // A recorded stat_database row with its counters replaced: NULL, beyond Double, beyond
        // Int64, negative, not a number.
        var rows = try Self.recorded("stat_database")
        let column = { (name: String) in rows.columns.firstIndex(of: name) ?? -1 }
        rows.rows = [rows.rows[0]]
        rows.rows[0][column("numbackends")] = nil
        rows.rows[0][column("xact_commit")] = "1e400"
        rows.rows[0][column("xact_rollback")] = "99999999999999999999999"
        rows.rows[0][column("blks_read")] = "-1"
        rows.rows[0][column("blks_hit")] = "12abc"
        let families = PostgresQueries.statDatabase.map(rows, Self.server)
        func value(_ name: String) -> Double? { families.first { $0.name == name }?.samples.first?.value }
        #expect(families.first { $0.name == "pg_stat_database_numbackends" }?.samples.isEmpty == true)
        #expect(value("pg_stat_database_xact_commit") == .infinity)
        #expect(value("pg_stat_database_xact_rollback") == 1e23)
        #expect(value("pg_stat_database_blks_read") == -1)
        #expect(families.first { $0.name == "pg_stat_database_blks_hit" }?.samples.isEmpty == true)
        // A row shorter than its columns (never from libpq) gives empty labels, not a trap.
        let short = PostgresQueries.statActivity.map(QueryRows(columns: ["datname", "state", "count"], rows: [["shop"]]), Self.server)
        #expect(short.allSatisfy { $0.samples.isEmpty })
    }

    @Test func emptyResultsGiveNoSamples() {
        let empty = QueryRows(columns: [], rows: [])
        for group in PostgresQueries.serverGroups + PostgresQueries.databaseGroups {
            let item = ScrapeMapper.main(.group(group), .success(empty), seconds: 0.5, server: Self.server)
            #expect(item.families?.allSatisfy { $0.samples.isEmpty } == true, "\(group.name)")
            #expect(item.duration == 0.5)
        }
        let identity = ScrapeMapper.identity(empty, server: Self.server)
        #expect(identity.families.isEmpty && identity.database == nil)
        #expect(ScrapeMapper.sizes(empty, age: nil, server: Self.server).allSatisfy { $0.samples.isEmpty })
    }

    @Test func aFailedStatementKeepsItsErrorAndNoFamilies() {
        let error = PostgresError(kind: .query, message: "permission denied", sqlState: "42501")
        let item = ScrapeMapper.main(.group(PostgresQueries.statBGWriter), .failure(error), seconds: 0.1, server: Self.server)
        #expect(item.families == nil && item.error == error && item.duration == 0.1)
    }
}

private struct FixtureError: Error, CustomStringConvertible {
    let file: String
    var description: String { "Fixtures/postgres/\(file).json: not {columns, rows}" }
}
