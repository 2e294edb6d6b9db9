/// Server-wide groups added for issue #17: archiver, recovery conflicts, vacuum progress, roles,
/// WAL size, transaction IDs and SSL. Each is one statement of the main pipeline and fails alone
/// (pg_ls_waldir needs pg_monitor). Views and columns: PostgreSQL docs, "Monitoring Database
/// Activity" and "System Administration Functions" of each release 12–17.
extension PostgresQueries {
    // MARK: stat_archiver (postgres_exporter collector/pg_stat_archiver.go)

    static let statArchiver = QueryGroup.columns(
        "stat_archiver", labels: [],
        [
            MetricColumn("archived_count", "pg_stat_archiver_archived_count", .counter, "Number of WAL files that have been successfully archived.", labels: []),
            MetricColumn("failed_count", "pg_stat_archiver_failed_count", .counter, "Number of failed attempts for archiving WAL files.", labels: []),
            MetricColumn("last_archive_age", "pg_stat_archiver_last_archive_age", .gauge, "Time in seconds since last WAL segment was successfully archived.", labels: []),
        ]
    ) { _, _ in
        // last_archived_time is NULL until a first archive: the age is then absent, as upstream.
        """
        SELECT archived_count, failed_count, \
        EXTRACT(EPOCH FROM now() - last_archived_time)::float8 AS last_archive_age FROM pg_stat_archiver
        """
    }

    // MARK: stat_database_conflicts (postgres_exporter's builtin metric map, exporter/postgres_exporter.go)

    static let conflictLabels = ["datid", "datname"]

    static let statDatabaseConflicts = QueryGroup.columns(
        "stat_database_conflicts", labels: conflictLabels,
        columns("pg_stat_database_conflicts_", labels: conflictLabels, .counter, [
            ("confl_tablespace", "Number of queries in this database that have been canceled due to dropped tablespaces."),
            ("confl_lock", "Number of queries in this database that have been canceled due to lock timeouts."),
            ("confl_snapshot", "Number of queries in this database that have been canceled due to old snapshots."),
            ("confl_bufferpin", "Number of queries in this database that have been canceled due to pinned buffers."),
            ("confl_deadlock", "Number of queries in this database that have been canceled due to deadlocks."),
        ])
            // Upstream's map does not know this PostgreSQL 16 column and exports it untyped.
            + [MetricColumn("confl_active_logicalslot", "pg_stat_database_conflicts_confl_active_logicalslot", .untyped, "Number of uses of logical slots in this database that have been canceled due to old snapshots or too low a wal_level on the primary (PostgreSQL 16+).", labels: conflictLabels)]
    ) { version, _ in
        let extra = version >= v16 ? ", confl_active_logicalslot" : ""
        return """
            SELECT datid::text AS datid, datname, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, \
            confl_deadlock\(extra) FROM pg_stat_database_conflicts ORDER BY datid::text COLLATE "C"
            """
    }

    // MARK: stat_progress_vacuum (collector/pg_stat_progress_vacuum.go)

    /// PostgreSQL's phase names (12–17), in upstream's order.
    static let vacuumPhases = [
        "initializing", "scanning heap", "vacuuming indexes", "vacuuming heap", "cleaning up indexes",
        "truncating heap", "performing final cleanup",
    ]
    static let vacuumLabels = ["datname", "relname"]
    static let vacuumPhase = MetricColumn(
        "phase_active", "pg_stat_progress_vacuum_phase", .gauge,
        "Current vacuum phase (1 = active, 0 = inactive). Label 'phase' is human-readable.", labels: ["datname", "phase", "relname"])
    static let vacuumColumns: [MetricColumn] = [
        MetricColumn("heap_blks", "pg_stat_progress_vacuum_heap_blks", .gauge, "Total number of heap blocks in the table being vacuumed.", labels: vacuumLabels),
        MetricColumn("heap_blks_scanned", "pg_stat_progress_vacuum_heap_blks_scanned", .gauge, "Number of heap blocks scanned so far.", labels: vacuumLabels),
        MetricColumn("heap_blks_vacuumed", "pg_stat_progress_vacuum_heap_blks_vacuumed", .gauge, "Number of heap blocks vacuumed so far.", labels: vacuumLabels),
        MetricColumn("index_vacuums", "pg_stat_progress_vacuum_index_vacuums", .gauge, "Number of completed index vacuum cycles.", labels: vacuumLabels),
        MetricColumn("max_dead_tuples", "pg_stat_progress_vacuum_max_dead_tuples", .gauge, "Maximum number of dead tuples that can be stored before cleanup is performed (before PostgreSQL 17).", labels: vacuumLabels),
        MetricColumn("num_dead_tuples", "pg_stat_progress_vacuum_num_dead_tuples", .gauge, "Current number of dead tuples found so far (dead item identifiers from PostgreSQL 17).", labels: vacuumLabels),
    ]

    static let statProgressVacuum = QueryGroup(name: "stat_progress_vacuum", scope: .server, sql: { version, _ in
        statProgressVacuumSQL(version)
    }) { rows, server in
        // One row per running vacuum and phase: the phase family takes them all, the other
        // families one phase's rows (one per vacuum, still in (datname, relname) order).
        let phase = rows.columns.firstIndex(of: "phase")
        let once = rows.rows.filter { row in phase.map { $0 < row.count && row[$0] == vacuumPhases[0] } ?? true }
        return RowMapping.families(rows, labels: ["datname", "phase", "relname"], metrics: [vacuumPhase], server: server)
            + RowMapping.families(QueryRows(columns: rows.columns, rows: once), labels: vacuumLabels, metrics: vacuumColumns, server: server)
    }

    static func statProgressVacuumSQL(_ version: Int) -> String {
        // PostgreSQL 17 counts dead items in bytes (max_dead_tuple_bytes, dead_tuple_bytes) and
        // their number as num_dead_item_ids; max_dead_tuples has no counterpart there. Upstream
        // reads the raw progress parameters, which on 17 puts bytes under the tuple names.
        let dead = version >= v17
            ? "v.num_dead_item_ids AS num_dead_tuples"
            : "v.max_dead_tuples, v.num_dead_tuples"
        let phases = vacuumPhases.map { "('\($0)')" }.joined(separator: ", ")
        // The relation's name resolves only in our database (regclass); elsewhere its OID, as upstream.
        return """
            SELECT * FROM (SELECT COALESCE(v.datname::text, 'unknown') AS datname, \
            COALESCE(CASE WHEN v.datname = current_database() THEN v.relid::regclass::text END, v.relid::text) AS relname, \
            p.phase, CASE WHEN v.phase = p.phase THEN 1 ELSE 0 END AS phase_active, v.heap_blks_total AS heap_blks, \
            v.heap_blks_scanned, v.heap_blks_vacuumed, v.index_vacuum_count AS index_vacuums, \(dead) \
            FROM pg_stat_progress_vacuum v CROSS JOIN (VALUES \(phases)) AS p(phase)) AS q \
            ORDER BY datname COLLATE "C", phase COLLATE "C", relname COLLATE "C"
            """
    }

    // MARK: roles (collector/pg_roles.go)

    static let roles = QueryGroup.columns(
        "roles", labels: ["rolname"],
        [MetricColumn("connection_limit", "pg_roles_connection_limit", .gauge, "Connection limit set for the role.", labels: ["rolname"])]
    ) { _, _ in
        // rolname is of type name: C collation, the exposition's order.
        "SELECT rolname, rolconnlimit AS connection_limit FROM pg_roles ORDER BY rolname"
    }

    // MARK: wal (collector/pg_wal.go)

    static let wal = QueryGroup.columns(
        "wal", labels: [],
        [
            MetricColumn("segments", "pg_wal_segments", .gauge, "Number of WAL segments.", labels: []),
            MetricColumn("size_bytes", "pg_wal_size_bytes", .gauge, "Total size of WAL segments.", labels: []),
        ]
    ) { _, _ in
        // pg_ls_waldir() lists pg_wal (superuser or pg_monitor); segment files only, not
        // .history, .partial or archive_status.
        """
        SELECT count(*) AS segments, sum(size) AS size_bytes FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'
        """
    }

    // MARK: txid (the community alert sets' custom query; not in postgres_exporter)

    static let txid = QueryGroup.columns(
        "txid", labels: [],
        [
            MetricColumn("current", "pg_txid_current", .counter, "Next transaction ID to be assigned, with epoch (xmax of the current snapshot).", labels: []),
            MetricColumn("xmin", "pg_txid_xmin", .gauge, "Oldest transaction ID still active, with epoch (xmin of the current snapshot).", labels: []),
            MetricColumn("xmin_age", "pg_txid_xmin_age", .gauge, "Transaction IDs between the oldest active one and the next to be assigned.", labels: []),
        ]
    ) { version, _ in
        // The custom query calls txid_current(), which assigns an XID to the exporter's
        // transaction (a commit record per scrape, an error on a standby); the snapshot's xmax
        // is the next XID without taking one. pg_current_snapshot() is 13+, txid_* before.
        let (snapshot, xmax, xmin) = version >= v13
            ? ("pg_current_snapshot()", "pg_snapshot_xmax", "pg_snapshot_xmin")
            : ("txid_current_snapshot()", "txid_snapshot_xmax", "txid_snapshot_xmin")
        return """
            SELECT \(xmax)(s)::text::float8 AS current, \(xmin)(s)::text::float8 AS xmin, \
            (\(xmax)(s)::text::bigint - \(xmin)(s)::text::bigint) AS xmin_age FROM \(snapshot) AS s
            """
    }

    // MARK: stat_ssl (the community alert sets' custom query; not in postgres_exporter)

    static let statSSL = QueryGroup.columns(
        "stat_ssl", labels: [],
        [
            MetricColumn("active", "pg_stat_ssl_active", .gauge, "Number of backends whose connection uses SSL.", labels: []),
            MetricColumn("compression", "pg_stat_ssl_compression", .gauge, "Number of SSL connections with SSL compression (always 0 from PostgreSQL 14, which removed it).", labels: []),
            MetricColumn("min_bits", "pg_stat_ssl_min_bits", .gauge, "Smallest number of bits of the encryption algorithm among SSL connections (0 when none).", labels: []),
        ]
    ) { version, _ in
        // Counted, not one series per backend pid as the custom query has it (series churn).
        // pg_stat_ssl.compression is gone in 14: no connection can use compression there.
        let compression = version >= v14 ? "0" : "count(*) FILTER (WHERE ssl AND compression)"
        return """
            SELECT count(*) FILTER (WHERE ssl) AS active, \(compression) AS compression, \
            COALESCE(min(bits) FILTER (WHERE ssl), 0) AS min_bits FROM pg_stat_ssl
            """
    }
}
