/// What a non-blocking task does next: it has finished, or it waits for its descriptor.
public enum TaskStep<Output> {
    case done(Output)
    case wait(Poll.Interest)
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
    /// The deadline came first, or the task never started: release what it holds and say how
    /// it failed. The others are unaffected.
    mutating func cancel() -> Output
}

/// Drives many non-blocking tasks from one thread with poll(2) until their deadline: the one way
/// a collector runs several network requests at once. A task still running at `deadline` is
/// cancelled and reported as its own failure; pass an `ItemDeadline.cutoff` so the collector has
/// time left to report everything else.
public enum PollLoop {
    /// Runs `tasks`, at most `concurrency` at a time, in order. Outputs are in the tasks' order.
    public static func run<Task: PollTask>(_ tasks: [Task], concurrency: Int, deadline: MonotonicTime) -> [Task.Output] {
        var tasks = tasks
        var outputs = [Task.Output?](repeating: nil, count: tasks.count)
        var waiting: [(index: Int, interest: Poll.Interest)] = []
        var next = 0
        var ready: [Bool] = []
        while next < tasks.count || !waiting.isEmpty {
            while waiting.count < max(1, concurrency), next < tasks.count, MonotonicTime.now() < deadline {
                step(tasks[next].start(deadline: deadline), index: next, outputs: &outputs, waiting: &waiting)
                next += 1
            }
            guard !waiting.isEmpty else {
                if MonotonicTime.now() >= deadline { break }
                continue
            }
            guard Poll.wait(waiting.map(\.interest), until: deadline, ready: &ready) == .ready else { break }
            let current = waiting
            waiting.removeAll(keepingCapacity: true)
            for (slot, entry) in current.enumerated() {
                if ready[slot] {
                    step(tasks[entry.index].resume(), index: entry.index, outputs: &outputs, waiting: &waiting)
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
        _ step: TaskStep<Output>, index: Int, outputs: inout [Output?], waiting: inout [(index: Int, interest: Poll.Interest)]
    ) {
        switch step {
        case .done(let output): outputs[index] = output
        case .wait(let interest): waiting.append((index, interest))
        }
    }
}
