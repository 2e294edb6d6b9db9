import Dispatch

/// PostgreSQL servers with postgres_exporter's metric names; each server's series carry `server`.
struct PostgresCollector: Collector {
    let servers: [PostgresServer]
    let settings: PostgresSettings

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !servers.isEmpty else { return [] }
        // Leave a margin so the families reach the scrape before it stops waiting.
        let left = context.secondsLeft
        let deadline = context.deadline.adding(seconds: -min(0.25, max(0, left) * 0.1))
        let results = ResultSlots(count: servers.count)
        if servers.count == 1 {
            results.set(0, servers[0].scrape(deadline: deadline, settings: settings, logger: context.logger))
            return Self.merge(results.all())
        }
        // Every server at once, each on a thread of its own: a scrape waits on the network, and
        // concurrentPerform would run only one server per core, so a hung server would hold back
        // the next ones until the deadline. (A serial queue runs on libdispatch's overcommit pool.)
        let group = DispatchGroup()
        for index in servers.indices {
            DispatchQueue(label: "stack_exporter.postgres.server").async(group: group) {
                results.set(index, servers[index].scrape(deadline: deadline, settings: settings, logger: context.logger))
            }
        }
        group.wait()
        return Self.merge(results.all())
    }

    /// Every server's families in server order. Families of the same name from several servers
    /// are merged later by the normalizer (one HELP/TYPE per name), which every scrape runs anyway:
    /// merging here by a dictionary of names cost a seventh of a PostgreSQL scrape's instructions.
    static func merge(_ perServer: [[MetricFamily]]) -> [MetricFamily] {
        perServer.count == 1 ? perServer[0] : Array(perServer.joined())
    }
}

import Synchronization

private final class ResultSlots: Sendable {
    private let slots: Mutex<[[MetricFamily]]>
    init(count: Int) { slots = Mutex(Array(repeating: [], count: count)) }
    func set(_ index: Int, _ value: [MetricFamily]) { slots.withLock { $0[index] = value } }
    func all() -> [[MetricFamily]] { slots.withLock { $0 } }
}
