import Testing
@testable import ExporterCore

/// pg_database_size is called only when the stamp moved; skipped rows get the last sizes.
@Suite struct DatabaseSizesTests {
    let columns = ["stamp", "measured", "datname", "connection_limit", "size_bytes"]

    func rows(_ stamp: String, measured: Bool, _ sizes: [(String, String?)]) -> QueryRows {
        QueryRows(columns: columns, rows: sizes.map { [stamp, measured ? "t" : "f", $0.0, "-1", measured ? $0.1 : nil] })
    }

    @Test func measuresFirstThenReusesWhileTheStampHolds() throws {
        var sizes = DatabaseSizes()
        let start = MonotonicTime.now()
        #expect(sizes.parameter(now: start, maxAge: 300) == "", "nothing measured yet: measure")
        #expect(sizes.age(now: start) == nil)

        let firstRows = sizes.absorb(rows("0/1A2B 10", measured: true, [("app", "8000000"), ("locked", nil)]), now: start)
        let first = try #require(firstRows)
        #expect(first.rows.map { $0[4] } == ["8000000", nil])
        #expect(sizes.parameter(now: start.adding(seconds: 10), maxAge: 300) == "0/1A2B 10")

        let later = start.adding(seconds: 10)
        let secondRows = sizes.absorb(rows("0/1A2B 10", measured: false, [("app", nil), ("locked", nil)]), now: later)
        let second = try #require(secondRows)
        #expect(second.rows.map { $0[4] } == ["8000000", nil], "the last sizes, the no-CONNECT one still absent")
        #expect(sizes.age(now: later) == 10)

        let moved = start.adding(seconds: 20)
        let thirdRows = sizes.absorb(rows("0/1A2C 12", measured: true, [("app", "9000000"), ("locked", nil)]), now: moved)
        let third = try #require(thirdRows)
        #expect(third.rows.map { $0[4] } == ["9000000", nil])
        #expect(sizes.age(now: moved) == 0)
        #expect(sizes.parameter(now: moved, maxAge: 300) == "0/1A2C 12")
    }

    @Test func maxAgeAndZeroForceAMeasurement() throws {
        var sizes = DatabaseSizes()
        let start = MonotonicTime.now()
        _ = sizes.absorb(rows("0/1 1", measured: true, [("app", "1")]), now: start)
        #expect(sizes.parameter(now: start.adding(seconds: 299), maxAge: 300) == "0/1 1")
        #expect(sizes.parameter(now: start.adding(seconds: 300), maxAge: 300) == "")
        #expect(sizes.parameter(now: start, maxAge: 0) == "", "0: every scrape, as postgres_exporter")
        sizes.reset()
        #expect(sizes.parameter(now: start, maxAge: 300) == "")
    }

    @Test func anUnknownSkippedDatabaseAsksForAMeasurement() {
        var sizes = DatabaseSizes()
        let now = MonotonicTime.now()
        _ = sizes.absorb(rows("0/1 1", measured: true, [("app", "1")]), now: now)
        #expect(sizes.absorb(rows("0/1 1", measured: false, [("app", nil), ("new", nil)]), now: now) == nil)
    }

    @Test func theStatementTakesTheStampAsItsOnlyParameter() {
        #expect(DatabaseSizes.sql.contains("$1") && !DatabaseSizes.sql.contains("$2"))
        #expect(DatabaseSizes.sql.contains("pg_current_wal_insert_lsn()") && DatabaseSizes.sql.contains("pg_last_wal_replay_lsn()"))
        #expect(DatabaseSizes.sql.contains("datallowconn"))
    }
}
