/// `pg_database_size_bytes` without walking every database's files on every scrape.
///
/// pg_database_size stats every file of a database, the most expensive statement of a scrape by
/// far (1.3–1.7 ms of backend CPU for four small databases). A database's size changes only when
/// its files are created, extended, truncated or removed, and every such change either writes WAL
/// (logged relations, CREATE/DROP, VACUUM truncation, CREATE DATABASE) or counts a row in
/// pg_stat_database (inserts, updates and deletes, also in unlogged and temporary tables). So the
/// statement first computes a stamp, the WAL insert position (the replay position on a standby)
/// and the sum of pg_stat_database's tup_inserted, tup_updated and tup_deleted, and calls
/// pg_database_size only when the stamp differs from the one of the last measurement: an idle
/// cluster costs a stamp, a busy one is measured on every scrape as before. What the stamp can
/// miss: writes that produce no WAL (unlogged and temporary tables, COPY into a table created in
/// the same transaction under wal_level=minimal) show in the row counts only when their
/// transaction commits and the backend flushes its statistics (within seconds of the commit), so
/// such a load is seen late by as long as its transaction runs. `maxAge` bounds that; 0 measures
/// on every scrape, as postgres_exporter does.
struct DatabaseSizes {
    /// The statement: one row per database that accepts connections; `$1` is the last stamp.
    static let sql = """
        WITH stamp AS (SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() \
        ELSE pg_current_wal_insert_lsn() END)::text || ' ' || \
        (SELECT coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) FROM pg_stat_database)::text AS value) \
        SELECT stamp.value AS stamp, stamp.value IS DISTINCT FROM $1 AS measured, d.datname, \
        d.datconnlimit AS connection_limit, \
        CASE WHEN stamp.value IS DISTINCT FROM $1 AND has_database_privilege(d.oid, 'CONNECT') \
        THEN pg_database_size(d.oid) END AS size_bytes \
        FROM stamp, pg_database d WHERE d.datallowconn ORDER BY d.datname
        """

    private var stamp: String? = nil
    private var measuredAt: MonotonicTime? = nil
    /// Sizes of the last measurement by database (nil: no CONNECT privilege).
    private var sizes: [String: String?] = [:]

    /// `$1` for the next statement: the last stamp, or "" (never a stamp) to measure now.
    func parameter(now: MonotonicTime, maxAge: Double) -> String {
        guard let stamp, let measuredAt, maxAge > 0, measuredAt.seconds(until: now) < maxAge else { return "" }
        return stamp
    }

    /// The statement's rows with every size filled in: measured ones are remembered, skipped ones
    /// taken from the last measurement. Nil when a skipped database has no remembered size (it
    /// cannot happen unless the stamp missed a CREATE DATABASE): the caller measures again.
    mutating func absorb(_ rows: QueryRows, now: MonotonicTime) -> QueryRows? {
        let columns = Dictionary(rows.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        guard let stampColumn = columns["stamp"], let measuredColumn = columns["measured"], let nameColumn = columns["datname"],
              let sizeColumn = columns["size_bytes"]
        else { return rows }
        var filled = rows
        var measuredAny = false
        var fresh: [String: String?] = [:]
        for (index, row) in rows.rows.enumerated() {
            guard row.count == rows.columns.count, let name = row[nameColumn] ?? nil else { continue }
            if row[measuredColumn] == "t" {
                measuredAny = true
                fresh[name] = row[sizeColumn]
            } else {
                guard let known = sizes[name] else { return nil }
                filled.rows[index][sizeColumn] = known
                fresh[name] = known
            }
        }
        if measuredAny || rows.rows.isEmpty {
            stamp = rows.rows.first.flatMap { $0.count > stampColumn ? $0[stampColumn] : nil }
            measuredAt = now
        }
        sizes = fresh
        return filled
    }

    /// Seconds since the sizes were measured (`pg_database_size_age_seconds`); nil before any.
    func age(now: MonotonicTime) -> Double? { measuredAt.map { max(0, $0.seconds(until: now)) } }

    /// Forgets the last measurement (a failed statement, a reconnect to another server).
    mutating func reset() {
        stamp = nil
        measuredAt = nil
        sizes = [:]
    }
}
