/// Logs a server's failures when they start or change, and their recovery, not every scrape.
struct FailureLog {
    let server: String
    private var connection: String? = nil
    private var groups: [String: String] = [:]

    init(server: String) { self.server = server }

    /// The server could not be reached or identified (`error`), or could again (nil).
    mutating func connection(error: String?, database: String, logger: Logger) {
        if let error, error != connection {
            logger.error("postgres connection failed", ["server": server, "database": database, "err": error])
        } else if error == nil, let previous = connection {
            logger.info("postgres connection recovered", ["server": server, "previous_err": previous])
        }
        connection = error
    }

    mutating func group(_ name: String, error: String?, logger: Logger) {
        let previous = groups[name]
        if let error, error != previous {
            logger.error("postgres metric group failed", ["server": server, "collector": name, "err": error])
        } else if error == nil, let previous {
            logger.info("postgres metric group recovered", ["server": server, "collector": name, "previous_err": previous])
        }
        groups[name] = error
    }
}
