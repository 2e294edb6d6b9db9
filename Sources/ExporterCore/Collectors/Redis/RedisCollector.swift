import Synchronization

/// Every Redis server of `--redis.addr` at once, from the collector's thread with `PollLoop`:
/// each server on a connection of its own, all of them bounded by one item deadline, so a server
/// that hangs costs its own `redis_up 0` and nothing else.
struct RedisCollector: Collector {
    let targets: [RedisTarget]
    /// Longest a server's scrape may take (`--redis.timeout`), within the scrape's deadline.
    let timeout: Double
    let configCommand: String
    let tls: RedisTLSContext?
    let problems: ProblemLog
    let scrapeCounts = ScrapeCounts()

    init(targets: [RedisTarget], timeout: Double, configCommand: String, tls: RedisTLSContext?, logger: Logger) {
        self.targets = targets
        self.timeout = timeout
        self.configCommand = configCommand
        self.tls = tls
        self.problems = ProblemLog(logger: logger, what: "redis")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !targets.isEmpty else { return [] }
        let started = MonotonicTime.now()
        let sessions = targets.map { RedisSession(target: $0, configCommand: configCommand, tlsContext: tls) }
        let results = PollLoop.runItems(sessions, timeout: timeout, collector: context.deadline)
        let seconds = started.secondsElapsed()
        let counts = scrapeCounts.increment(targets.map(\.label))
        let now = WallClock.now()
        var families: [MetricFamily] = []
        for (index, target) in targets.enumerated() {
            let result = results[index]
            if case .failure(let error) = result { problems.report(target.label, "\(error.description) [\(error.reason)]") } else {
                problems.report(target.label, nil)
            }
            families += RedisFamilies.families(
                RedisFamilies.Scrape(addr: target.label, result: result, scrapes: counts[index], seconds: seconds, now: now))
        }
        return families
    }

    /// `redis_exporter_scrapes_total` per server.
    final class ScrapeCounts: Sendable {
        private let counts = Mutex<[String: Double]>([:])

        func increment(_ labels: [String]) -> [Double] {
            counts.withLock { counts in
                labels.map { label in
                    let next = (counts[label] ?? 0) + 1
                    counts[label] = next
                    return next
                }
            }
        }
    }
}
