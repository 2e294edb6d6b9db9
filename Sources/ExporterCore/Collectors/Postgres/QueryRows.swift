/// A query's rows as text (libpq's text format), copied out of the PGresult.
struct QueryRows: Sendable, Equatable {
    var columns: [String]
    var rows: [[String?]]

    init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// One statement's outcome in a pipeline: its rows, or the server's error for it alone.
typealias StatementResult = Result<QueryRows, PostgresError>
