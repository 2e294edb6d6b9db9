/// The rows of a line-per-item kernel table (softnet_stat, arp, udp, schedstat) and the lines that
/// could not be read: a garbage line drops that line, not the collector.
struct ParsedRows<Row> {
    var rows: [Row] = []
    var rejected: [ParseError] = []
}

extension ParsedRows {
    /// One debug line per scrape that dropped lines (the first one as the example), as
    /// node_exporter logs what it skips at debug level.
    func logRejected(_ logger: Logger) {
        guard let first = rejected.first else { return }
        logger.debug("lines skipped", ["count": String(rejected.count), "first": first.description])
    }
}
