/// What can go wrong talking to PostgreSQL. Messages are already redacted.
struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// libpq could not be loaded or lacks a function.
        case library
        /// The connection could not be established.
        case connect
        /// The deadline passed; the query was cancelled and the connection dropped.
        case timeout
        /// The server answered with an error; the connection is still usable.
        case query
        /// The connection broke mid-query.
        case connection
    }

    let kind: Kind
    let message: String
    /// The SQLSTATE of a query error (`42P01` undefined_table, `42501` insufficient_privilege).
    var sqlState: String = ""

    var description: String { message }
}
