/// PostgreSQL servers with postgres_exporter's metric names; each server's series carry `server`.
struct PostgresCollector: Collector {
    let servers: [PostgresServer]
    let settings: PostgresSettings
    /// Threads for the servers: every server at once up to its size (a scrape waits on the network,
    /// so one hung server must not hold back the next), and held by a server stuck past its
    /// deadline where no deadline reaches (a host name lookup), never one per scrape.
    private let pool: WorkerPool

    init(servers: [PostgresServer], settings: PostgresSettings) {
        self.servers = servers
        self.settings = settings
        pool = WorkerPool(name: "se-postgres", maxThreads: min(max(1, servers.count), 16))
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !servers.isEmpty else { return [] }
        // Each server ends by the cutoff, leaving the collector time to report every server; one
        // still running at `abandon` is reported down alone (pg_up 0).
        let deadlines = ItemDeadline(collector: context.deadline)
        let settings = settings
        let logger = context.logger
        // A lone server runs on the collector's thread: no hand-off for the common case. Its
        // every wait is a poll(2) bounded by the cutoff (only a host name lookup is not, as before).
        if servers.count == 1 { return servers[0].scrape(deadline: deadlines.cutoff, settings: settings, logger: logger) }
        let results = runItems(servers, on: pool, deadlines: deadlines) { server in
            server.scrape(deadline: deadlines.cutoff, settings: settings, logger: logger)
        }
        return Self.merge(zip(servers, results).map { server, families in
            families ?? ScrapeReport(server: server.server).families()
        })
    }

    /// Every server's families in server order. Families of the same name from several servers
    /// are merged later by the normalizer (one HELP/TYPE per name), which every scrape runs anyway:
    /// merging here by a dictionary of names cost a seventh of a PostgreSQL scrape's instructions.
    static func merge(_ perServer: [[MetricFamily]]) -> [MetricFamily] {
        perServer.count == 1 ? perServer[0] : Array(perServer.joined())
    }
}
