/// Rows → families for everything a scrape's statements return, apart from I/O and caches, so
/// recorded rows test it (Tests/ExporterCoreTests/Fixtures/postgres/). The groups' own mappings
/// are `QueryGroup.map` (PostgresQueries.swift).
enum ScrapeMapper {
    /// What the identity statement says: `pg_static`, the postmaster start and the database.
    struct Identity {
        var families: [MetricFamily]
        var database: String?
    }

    /// One statement of the main pipeline, mapped as soon as it arrived.
    struct MainResult {
        let purpose: ScrapePlan.Purpose
        var families: [MetricFamily]? = nil
        var databases: [String]? = nil
        var identity: Identity? = nil
        var freeSlots: Int? = nil
        var error: PostgresError? = nil
        var duration: Double = 0
    }

    static func main(_ purpose: ScrapePlan.Purpose, _ result: StatementResult, seconds: Double, server: String) -> MainResult {
        var item = MainResult(purpose: purpose, duration: seconds)
        switch result {
        case .failure(let error):
            item.error = error
        case .success(let rows):
            switch purpose {
            case .identity: item.identity = identity(rows, server: server)
            case .slots: item.freeSlots = freeSlots(rows)
            case .databases: item.databases = databaseNames(rows)
            case .group(let group), .tables(let group): item.families = group.map(rows, server)
            }
        }
        return item
    }

    /// version_num, version, short_version, start_time, datname (`PostgresQueries.identity`).
    static func identity(_ rows: QueryRows, server: String) -> Identity {
        guard let row = rows.rows.first, row.count >= 4 else { return Identity(families: [], database: nil) }
        var families: [MetricFamily] = []
        var staticInfo = MetricFamily(PostgresMetrics.staticInfo)
        staticInfo.add([row[1] ?? "", RowMapping.shortVersion(row[2] ?? ""), server], 1)
        families.append(staticInfo)
        if let text = row[3], let start = Double(text) {
            var family = MetricFamily(PostgresMetrics.postmasterStart)
            family.add([server], start)
            families.append(family)
        }
        return Identity(families: families, database: row.count > 4 ? row[4] : nil)
    }

    /// `SessionBudget.freeSlotsSQL`'s one value; nil when missing, NULL or not an Int.
    static func freeSlots(_ rows: QueryRows) -> Int? {
        rows.rows.first?.first.flatMap { $0.flatMap { Int($0) } }
    }

    /// `PostgresQueries.databases`: the names, NULLs left out.
    static func databaseNames(_ rows: QueryRows) -> [String] {
        rows.rows.compactMap { $0.first ?? nil }
    }

    /// The sizes statement's rows with every size filled in (`DatabaseSizes.absorb`), and the age
    /// of the measurement (`pg_database_size_age_seconds`), nil before the first.
    static func sizes(_ filled: QueryRows, age: Double?, server: String) -> [MetricFamily] {
        var families = PostgresQueries.database.map(filled, server)
        if let age {
            families.append(MetricFamily(PostgresMetrics.databaseSizeAge, samples: [Sample(PostgresMetrics.databaseSizeAge, [server], value: age)]))
        }
        return families
    }
}

/// One group's outcome (in one database, for a table group): families, or why not, and its seconds.
struct GroupResult {
    let group: QueryGroup
    var families: [MetricFamily]? = nil
    var error: String? = nil
    var duration: Double = 0
}
