import Dispatch
import Synchronization

/// The deadlines of the items of one collector run: endpoints, containers, database servers. The
/// scrape waits for a collector until `collector` and drops everything it returns later, so one
/// slow item must end *before* that, leaving the collector time to assemble and answer the others.
///
/// An item's deadline is the smaller of its own timeout (`--tls.timeout`) and `cutoff`, the
/// collector deadline minus `margin`. The collector waits for items until `abandon`, half-way
/// through the margin; an item still running then (stuck where no deadline reaches, such as
/// getaddrinfo(3)) is reported failed alone and ends on its own later.
public struct ItemDeadline: Sendable, Equatable {
    /// When the scrape stops waiting for the collector.
    public let collector: MonotonicTime
    /// Seconds kept between the items' deadline and the collector's.
    public let margin: Double

    /// `now` is when the collector starts its items: the budget is what is left of its deadline.
    public init(collector: MonotonicTime, now: MonotonicTime = .now()) {
        self.collector = collector
        self.margin = Self.margin(budget: now.seconds(until: collector))
    }

    /// 10 % of the budget, at least 50 ms (rendering and a thread hand-off on a busy 2-core host)
    /// and at most 500 ms (enough for any assembly; more would only take time from the items).
    /// Never more than half the budget, so that a tiny budget still gives items some time.
    public static func margin(budget: Double) -> Double {
        guard budget.isFinite, budget > 0 else { return 0 }
        return min(min(max(budget * 0.1, 0.05), 0.5), budget / 2)
    }

    /// When every item must have ended.
    public var cutoff: MonotonicTime { collector.adding(seconds: -margin) }

    /// When the collector stops waiting for items that overran `cutoff`.
    public var abandon: MonotonicTime { collector.adding(seconds: -margin / 2) }

    /// The deadline of an item that started at `started` and may take `timeout` seconds.
    public func deadline(timeout: Double, started: MonotonicTime = .now()) -> MonotonicTime {
        min(cutoff, started.adding(seconds: timeout))
    }
}

/// Runs `work` for every item on `pool` and waits until `deadlines.abandon`. The pool bounds the
/// threads: items beyond its size wait for a free thread, and an item still waiting or running at
/// `abandon` comes back nil (reported failed alone by the caller).
///
/// A nil item's thread is not reclaimed: `work` must end by itself soon after (bound its I/O by
/// the item deadline), else the pool stays full and later scrapes find their items waiting.
func runItems<Item: Sendable, Output: Sendable>(
    _ items: [Item], on pool: WorkerPool, deadlines: ItemDeadline, _ work: @escaping @Sendable (Item) -> Output
) -> [Output?] {
    let results = Mutex<[Output?]>(Array(repeating: nil, count: items.count))
    let group = DispatchGroup()
    for (index, item) in items.enumerated() {
        group.enter()
        pool.submit {
            let output = work(item)
            results.withLock { $0[index] = output }
            group.leave()
        }
    }
    _ = group.wait(until: deadlines.abandon)
    return results.withLock { $0 }
}

extension DispatchGroup {
    /// Waits until the group is empty or `deadline` passes; false on timeout.
    func wait(until deadline: MonotonicTime) -> Bool {
        let remaining = MonotonicTime.now().seconds(until: deadline)
        return wait(timeout: .now() + .nanoseconds(Int(min(remaining, 86_400) * 1e9))) == .success
    }
}

extension PollLoop {
    /// Every task at once until the item deadline of a collector whose scrape ends at
    /// `collector`: each may take `timeout` seconds, and all end by the cutoff, leaving the
    /// collector time to report them (the Redis and nginx collectors).
    static func runItems<Task: PollTask>(_ tasks: [Task], timeout: Double, collector: MonotonicTime) -> [Task.Output] {
        let started = MonotonicTime.now()
        let deadline = ItemDeadline(collector: collector, now: started).deadline(timeout: timeout, started: started)
        return run(tasks, concurrency: tasks.count, deadline: deadline)
    }
}
