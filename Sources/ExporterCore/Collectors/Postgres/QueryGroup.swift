/// Options that shape the SQL of some groups.
struct PostgresOptions: Sendable, Equatable {
    var statStatements = false
    var statStatementsLimit = 100
    var statStatementsIncludeQuery = false
    var statStatementsQueryLength = 120
    var longRunningThresholdSeconds = 300.0
}

/// One metric group: a query chosen by `server_version_num`, and how its rows become families.
/// A group fails alone (`pg_scrape_collector_success{collector=<name>} 0`); the rest still report.
struct QueryGroup: Sendable {
    enum Scope: Sendable { case server, database }

    let name: String
    let scope: Scope
    /// nil: the group does not apply to this version or these options.
    let sql: @Sendable (_ version: Int, _ options: PostgresOptions) -> String?
    let map: @Sendable (_ rows: QueryRows, _ server: String) -> [MetricFamily]

    /// A group whose label columns and metric columns are named by the query's aliases.
    static func columns(
        _ name: String, scope: Scope = .server, labels: [String], _ metrics: [MetricColumn],
        sql: @escaping @Sendable (Int, PostgresOptions) -> String?
    ) -> QueryGroup {
        QueryGroup(name: name, scope: scope, sql: sql) { rows, server in
            RowMapping.families(rows, labels: labels, metrics: metrics, server: server)
        }
    }
}

/// A column that becomes a family. With `infoLabel`, the sample is 1 and the column's text is
/// that label's value (`pg_replication_slots_wal_status{wal_status="reserved"} 1`).
struct MetricColumn: Sendable {
    let column: String
    let descriptor: FamilyDescriptor
    let infoLabel: String?

    init(_ column: String, _ name: String, _ type: MetricType, _ help: String, labels: [String], infoLabel: String? = nil) {
        self.column = column
        self.infoLabel = infoLabel
        // In name order, as RowMapping builds the samples' pairs.
        descriptor = FamilyDescriptor(
            name: name, type: type, help: help, unit: RowMapping.unit(of: name),
            labels: (labels + (infoLabel.map { [$0] } ?? []) + ["server"]).sorted(by: UTF8Order.less))
    }
}

/// Rows → families, kept apart from I/O so recorded results test it.
enum RowMapping {
    /// Each row's label pairs are built once, in name order (the normalizer's canonical order, so it
    /// neither sorts nor copies them), and shared by every family of the row: one array per row,
    /// not one per sample.
    static func families(_ rows: QueryRows, labels: [String], metrics: [MetricColumn], server: String) -> [MetricFamily] {
        var index: [String: Int] = [:]
        index.reserveCapacity(rows.columns.count)
        for (position, column) in rows.columns.enumerated() where index[column] == nil { index[column] = position }
        let names = (labels + ["server"]).sorted(by: UTF8Order.less)
        // nil: the server; else the column (a missing column gives "").
        let sources: [Int?] = names.map { $0 == "server" && !labels.contains("server") ? nil : index[$0] ?? -1 }
        var rowLabels: [[Label]] = []
        rowLabels.reserveCapacity(rows.rows.count)
        for row in rows.rows {
            var pairs: [Label] = []
            pairs.reserveCapacity(names.count + 1)
            for (name, source) in zip(names, sources) {
                if let source {
                    pairs.append(Label(name, source >= 0 && source < row.count ? row[source] ?? "" : ""))
                } else {
                    pairs.append(Label(name, server))
                }
            }
            rowLabels.append(pairs)
        }
        var out: [MetricFamily] = []
        out.reserveCapacity(metrics.count)
        for metric in metrics {
            guard let column = index[metric.column] else { continue }
            var family = MetricFamily(metric.descriptor)
            family.samples.reserveCapacity(rows.rows.count)
            for (position, row) in rows.rows.enumerated() {
                guard column < row.count, let text = row[column] else { continue }
                if let info = metric.infoLabel {
                    var pairs = rowLabels[position]
                    let at = pairs.firstIndex { UTF8Order.less(info, $0.name) } ?? pairs.count
                    pairs.insert(Label(info, text), at: at)
                    family.samples.append(Sample(labels: pairs, value: 1))
                } else if let value = number(text) {
                    family.samples.append(Sample(labels: rowLabels[position], value: value))
                }
            }
            out.append(family)
        }
        return out
    }

    /// libpq text format: numbers, `t`/`f` booleans, `on`/`off` settings.
    static func number(_ text: String) -> Double? {
        // Counters, timestamps and sizes are plain decimals: parsed from the bytes in place.
        if let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
            let parsed: Double?? = text.utf8.withContiguousStorageIfAvailable { ByteFields($0).number(0..<$0.count) }
            if let parsed { return parsed }
        }
        switch text {
        case "t", "on", "true": return 1
        case "f", "off", "false": return 0
        default: return Double(text)
        }
    }

    static func unit(of name: String) -> String {
        if name.hasSuffix("_seconds") || name.hasSuffix("_seconds_total") { return "seconds" }
        if name.hasSuffix("_bytes") || name.hasSuffix("_bytes_total") { return "bytes" }
        return ""
    }

    /// `15.18 (Debian 15.18-0+deb12u1)` → `15.18.0`, as postgres_exporter's semver short_version.
    static func shortVersion(_ serverVersion: String) -> String {
        let leading = serverVersion.prefix { $0.isNumber || $0 == "." }
        var parts = leading.split(separator: ".").map(String.init)
        while parts.count < 3 { parts.append("0") }
        return parts.prefix(3).joined(separator: ".")
    }

    /// One `pg_settings` row (name, setting, unit, vartype) → `pg_settings_<name>[_seconds|_bytes]`
    /// with the value in base units, as postgres_exporter's settings collector names them.
    static func setting(name: String, setting: String, unit: String, vartype: String) -> (name: String, value: Double, help: String)? {
        guard let raw = number(setting) else { return nil }
        var metric = "pg_settings_" + MetricNames.sanitize(name)
        var value = raw
        var help = "Server Parameter: \(name)"
        let times: [String: Double] = ["ms": 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400]
        let sizes: [String: Double] = [
            "B": 1, "kB": 1024, "MB": 1_048_576, "GB": 1_073_741_824, "TB": 1_099_511_627_776,
            "4kB": 4096, "8kB": 8192, "16kB": 16384, "32kB": 32768, "64kB": 65536, "16MB": 16_777_216, "32MB": 33_554_432, "64MB": 67_108_864,
        ]
        if vartype != "bool", let factor = times[unit] {
            if raw >= 0 { value = raw * factor }  // -1 means "disabled" and stays -1
            if !metric.hasSuffix("_seconds") { metric += "_seconds" }
            help += " [Units converted to seconds.]"
        } else if vartype != "bool", let factor = sizes[unit] {
            if raw >= 0 { value = raw * factor }
            if !metric.hasSuffix("_bytes") { metric += "_bytes" }
            help += " [Units converted to bytes.]"
        }
        return (metric, value, help)
    }
}
