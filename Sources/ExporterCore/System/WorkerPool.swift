import CSystem
import Dispatch
import Glibc
import Synchronization

/// A bounded pool of long-lived threads: the one way blocking work fans out here (HTTP requests,
/// collector runs, per-item probes, statfs calls).
///
/// libdispatch's overcommitting pool would give every blocked item a fresh thread, and under load
/// it grew to 80+ threads with a malloc arena each (RSS from 9 to 21 MB); a concurrent queue caps
/// at one thread per core and starves when two items block. Here threads start on demand up to
/// `maxThreads` and then stay, parked on a semaphore; jobs beyond that wait in order, so 50 hung
/// items hold `maxThreads` threads, not 50. A job submitted when no thread could be created stays
/// queued and runs once one can (the next submit tries again), never lost.
public final class WorkerPool: Sendable {
    public typealias Launcher = @Sendable (_ name: String, _ stackSize: Int, _ body: @escaping @Sendable () -> Void) -> Bool

    private typealias Job = @Sendable () -> (@Sendable () -> Void)?
    private struct State {
        var jobs: [Job] = []
        var head = 0
        var threads = 0
        /// Parked threads nobody has woken.
        var idle = 0
        /// Threads woken (or started) for a job that have not yet come for it. A thread finishing
        /// a job may take that job first; the woken one then finds nothing and parks again.
        var woken = 0
        var queued: Int { jobs.count - head }
    }

    private let maxThreads: Int
    private let name: String
    private let stackSize: Int
    private let launch: Launcher
    private let state = Mutex(State())
    private let wakeups = DispatchSemaphore(value: 0)

    /// `launch` is replaceable so tests can make thread creation fail.
    public init(name: String, maxThreads: Int, stackSize: Int = 512 * 1024, launch: @escaping Launcher = WorkerPool.pthread) {
        self.name = name
        self.maxThreads = max(1, maxThreads)
        self.stackSize = stackSize
        self.launch = launch
    }

    public static let pthread: Launcher = { name, stackSize, body in ThreadLauncher.start(name: name, stackSize: stackSize, body) }

    /// Threads started and still alive (they never exit).
    public var threadCount: Int { state.withLock { $0.threads } }
    /// Jobs waiting for a thread.
    public var queuedCount: Int { state.withLock { $0.queued } }

    /// Runs `job` on a pool thread: an idle one, a new one while below `maxThreads`, else the
    /// first that becomes free.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        submitThen { job(); return nil }
    }

    /// Like `submit`, for a job whose last act wakes whoever submits the next one (the HTTP
    /// server's completion, after which the client sends its next request): `job` returns that
    /// act, and the pool runs it only after the thread has counted itself free again. Run inside
    /// the job, the wake-up could bring the next submit before the thread was back, and the pool
    /// would start a thread it did not need; under load on two cores that happened often enough
    /// for 8 keep-alive clients to hold 27 HTTP workers, ~0.25 MB resident each (scripts/soak).
    public func submitThen(_ job: @escaping @Sendable () -> (@Sendable () -> Void)?) {
        enum Action { case wake, start, wait }
        let action = state.withLock { state -> Action in
            state.jobs.append(job)
            // Wake an idle thread for each job it has not been woken for yet.
            if state.idle > 0 {
                state.idle -= 1
                state.woken += 1
                return .wake
            }
            // A new thread only for a job no woken thread is on its way to: a woken thread can be
            // slow to run on a busy machine, and starting another for its job grew the pool.
            guard state.queued > state.woken, state.threads < maxThreads else { return .wait }
            state.threads += 1
            state.woken += 1
            return .start
        }
        switch action {
        case .wake: wakeups.signal()
        case .wait: break  // a busy or woken thread takes it
        case .start:
            if !launch(name, stackSize, { [self] in work() }) {
                // The job stays queued: a running thread takes it when free, else the next submit
                // starts one for it.
                state.withLock { $0.threads -= 1; $0.woken -= 1 }
            }
        }
    }

    private func work() {
        var job = next(woken: true)  // started for a job, like a woken thread
        while true {
            guard let current = job else {
                wakeups.wait()
                job = next(woken: true)
                continue
            }
            let then = current()
            job = next(woken: false)  // free (or on to the next job) before the job's last act runs
            then?()
        }
    }

    /// The next queued job, or nil after counting this thread idle (it then waits for a wake-up).
    private func next(woken: Bool) -> Job? {
        state.withLock { state -> Job? in
            if woken { state.woken -= 1 }
            guard state.head < state.jobs.count else {
                state.idle += 1
                return nil
            }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head == state.jobs.count {
                state.jobs.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return job
        }
    }
}

extension ProcessSetup {
    /// Caps glibc's malloc arenas: each thread otherwise gets its own (up to 8 per core), and
    /// their free lists are resident memory an exporter does not need.
    public static func limitMallocArenas(_ count: Int32 = 2) {
        _ = mallopt(M_ARENA_MAX, count)
    }
}
