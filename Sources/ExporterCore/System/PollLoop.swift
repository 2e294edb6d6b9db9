/// What a non-blocking task does next: it has finished, or it waits for its descriptor.
public enum TaskStep<Output> {
    case done(Output)
    case wait(Poll.Interest)
    /// Waits for the descriptor, but no later than the time given: a step with a timeout of its
    /// own within the loop's deadline (a connect timeout). The task is then cancelled alone.
    case waitUntil(Poll.Interest, MonotonicTime)
}

/// A piece of non-blocking I/O that `PollLoop` drives: a Docker API request, a database session,
/// an HTTP or TLS probe. `start` and `resume` never block: they do what the descriptor allows now
/// and say what to wait for next.
public protocol PollTask {
    associatedtype Output
    /// Begins (connect, send the request).
    mutating func start(deadline: MonotonicTime) -> TaskStep<Output>
    /// The descriptor it waited for is ready (or in error: the next read or write says so).
    mutating func resume() -> TaskStep<Output>
    /// The deadline came first (the loop's, or the task's own from `waitUntil`), or the task never
    /// started: release what it holds and say how it failed. The others are unaffected.
    mutating func cancel() -> Output
}

/// Drives many non-blocking tasks from one thread with poll(2) until their deadline: the one way
/// a collector runs several network requests at once. A task still running at `deadline` is
/// cancelled and reported as its own failure; pass an `ItemDeadline.cutoff` so the collector has
/// time left to report everything else.
public enum PollLoop {
    private struct Waiting {
        let index: Int
        let interest: Poll.Interest
        /// The task's own limit (`TaskStep.waitUntil`), else the loop's deadline.
        let until: MonotonicTime
    }

    /// Runs `tasks`, at most `concurrency` at a time, in order. Outputs are in the tasks' order.
    public static func run<Task: PollTask>(_ tasks: [Task], concurrency: Int, deadline: MonotonicTime) -> [Task.Output] {
        var tasks = tasks
        var outputs = [Task.Output?](repeating: nil, count: tasks.count)
        var waiting: [Waiting] = []
        var next = 0
        var ready: [Bool] = []
        while next < tasks.count || !waiting.isEmpty {
            while waiting.count < max(1, concurrency), next < tasks.count, MonotonicTime.now() < deadline {
                step(tasks[next].start(deadline: deadline), index: next, deadline: deadline, outputs: &outputs, waiting: &waiting)
                next += 1
            }
            let now = MonotonicTime.now()
            if now >= deadline { break }
            // A task past its own limit is cancelled alone, and its slot goes to the next task.
            waiting.removeAll { entry in
                guard entry.until <= now else { return false }
                outputs[entry.index] = tasks[entry.index].cancel()
                return true
            }
            guard !waiting.isEmpty else { continue }
            let wake = waiting.reduce(deadline) { min($0, $1.until) }
            let outcome = Poll.wait(waiting.map(\.interest), until: wake, ready: &ready)
            if outcome == .failed { break }
            // Timed out: the next round cancels the tasks whose limit passed, or ends at the deadline.
            guard outcome == .ready else { continue }
            let current = waiting
            waiting.removeAll(keepingCapacity: true)
            for (slot, entry) in current.enumerated() {
                if ready[slot] {
                    step(tasks[entry.index].resume(), index: entry.index, deadline: deadline, outputs: &outputs, waiting: &waiting)
                } else {
                    waiting.append(entry)
                }
            }
        }
        var results: [Task.Output] = []
        results.reserveCapacity(tasks.count)
        for index in tasks.indices {
            if let output = outputs[index] { results.append(output) } else { results.append(tasks[index].cancel()) }
        }
        return results
    }

    private static func step<Output>(
        _ step: TaskStep<Output>, index: Int, deadline: MonotonicTime, outputs: inout [Output?], waiting: inout [Waiting]
    ) {
        switch step {
        case .done(let output): outputs[index] = output
        case .wait(let interest): waiting.append(Waiting(index: index, interest: interest, until: deadline))
        case .waitUntil(let interest, let until): waiting.append(Waiting(index: index, interest: interest, until: min(until, deadline)))
        }
    }
}
