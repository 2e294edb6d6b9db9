import Dispatch
import Synchronization

/// The outcome of one collector run.
public struct CollectorOutcome: Sendable {
    public let name: String
    public let families: [MetricFamily]
    public let succeeded: Bool
    public let duration: Double
}

/// One execution of a collector, shared by every scrape that arrives while it runs.
final class CollectorRun: Sendable {
    let started: MonotonicTime
    private let finished = DispatchGroup()
    private let result = Mutex<(families: [MetricFamily], error: String?, duration: Double)?>(nil)

    init(started: MonotonicTime) {
        self.started = started
        finished.enter()
    }

    func complete(families: [MetricFamily], error: String?, duration: Double) {
        result.withLock { $0 = (families, error, duration) }
        finished.leave()
    }

    var isComplete: Bool { result.withLock { $0 != nil } }

    /// Waits until the run completes or the deadline passes; nil on timeout.
    func wait(until deadline: MonotonicTime) -> (families: [MetricFamily], error: String?, duration: Double)? {
        guard finished.wait(until: deadline) else { return nil }
        return result.withLock { $0 }
    }
}

/// Runs one collector on its own thread and coalesces overlapping scrapes: while a run is in
/// flight, later scrapes wait for that run instead of starting another. Ten Prometheus replicas
/// therefore cost one collection, and a collector stuck in the kernel (a hung NFS statfs) holds one
/// thread, not one per scrape (node_exporter #244).
final class CollectorRunner: Sendable {
    let name: String
    /// Runs on the scrape's worker thread, after the others started (see `Collector.mayBlock`;
    /// the file system collector's answer changes with the mount table).
    var runsInline: Bool { !collector.mayBlock }
    private let collector: any Collector
    private let logger: Logger
    private let exposition: ExpositionStats
    private let pool: WorkerPool
    private let state = Mutex<(current: CollectorRun?, lastError: String?)>((nil, nil))

    init(name: String, collector: any Collector, logger: Logger, exposition: ExpositionStats, pool: WorkerPool) {
        self.name = name
        self.collector = collector
        self.logger = logger
        self.exposition = exposition
        self.pool = pool
    }

    /// Starts a run, or joins the one in flight. A new `inline` run is returned with `pending` set:
    /// the caller executes it with `executeInline(_:deadline:)`; others start on the pool.
    func join(deadline: MonotonicTime, inline: Bool) -> (run: CollectorRun, pending: Bool) {
        let (run, isNew) = state.withLock { state -> (CollectorRun, Bool) in
            if let current = state.current, !current.isComplete { return (current, false) }
            let run = CollectorRun(started: .now())
            state.current = run
            return (run, true)
        }
        guard isNew else { return (run, false) }
        let context = CollectContext(deadline: deadline, logger: logger, exposition: exposition)
        if inline { return (run, true) }
        pool.submit { [self] in execute(run, context) }
        return (run, false)
    }

    /// Executes an inline run on the calling thread.
    func executeInline(_ run: CollectorRun, deadline: MonotonicTime) {
        execute(run, CollectContext(deadline: deadline, logger: logger, exposition: exposition))
    }

    private func execute(_ run: CollectorRun, _ context: CollectContext) {
        let began = MonotonicTime.now()  // not run.started: inline runs wait for their turn
        var families: [MetricFamily] = []
        var failure: String? = nil
        do {
            families = try collector.collect(context)
        } catch {
            failure = String(describing: error)
        }
        let duration = began.secondsElapsed()
        run.complete(families: families, error: failure, duration: duration)
        // A run that ends after its deadline was already reported as timed out by its waiters; the
        // same text keeps a consistently slow collector from logging "failed" and "recovered" in turn.
        let late = context.deadline < .now()
        reportTransition(failure ?? (late ? Self.timeoutMessage : nil))
    }

    /// Logs a failure once when it starts or changes, and once when the collector recovers, not on
    /// every scrape (node_exporter logs every failing scrape; an operator sees the same line forever).
    func reportTransition(_ failure: String?) {
        let previous = state.withLock { state -> String? in
            let previous = state.lastError
            state.lastError = failure
            return previous
        }
        if let failure, failure != previous {
            logger.error("collector failed", ["collector": name, "err": failure])
        } else if failure == nil, let previous {
            logger.info("collector recovered", ["collector": name, "previous_err": previous])
        } else if let failure {
            logger.debug("collector still failing", ["collector": name, "err": failure])
        }
    }

    static let timeoutMessage = "timed out: no result before the scrape deadline"

    /// The error of the latest run, nil once it succeeded (what `check` shows as the reason).
    var lastError: String? { state.withLock { $0.lastError } }

    /// Waits for `run` (from `join`) until `deadline`.
    func outcome(of run: CollectorRun, deadline: MonotonicTime) -> CollectorOutcome {
        let waitStarted = MonotonicTime.now()
        guard let result = run.wait(until: deadline) else {
            reportTransition(Self.timeoutMessage)
            let waited = max(waitStarted.secondsElapsed(), run.started.secondsElapsed())
            return CollectorOutcome(name: name, families: [], succeeded: false, duration: waited)
        }
        return CollectorOutcome(name: name, families: result.families, succeeded: result.error == nil, duration: result.duration)
    }
}
