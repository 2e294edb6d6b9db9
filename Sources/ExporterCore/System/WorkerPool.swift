import CSystem
import Dispatch
import Glibc
import Synchronization

/// A fixed-size pool of long-lived threads for blocking work (a scrape waits for its collectors).
///
/// libdispatch's overcommitting pool would give every blocked item a fresh thread, and under load
/// it grew to 80+ threads with a malloc arena each (RSS from 9 to 21 MB); a concurrent queue caps
/// at one thread per core and starves when two items block. Here threads start on demand up to
/// `maxThreads` and then stay, parked on a semaphore.
public final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var threads = 0
        var idle = 0
    }

    private let maxThreads: Int
    private let name: String
    private let state = Mutex(State())
    private let wakeups = DispatchSemaphore(value: 0)

    public init(name: String, maxThreads: Int) {
        self.name = name
        self.maxThreads = max(1, maxThreads)
    }

    /// Runs `job` on a pool thread; starts a thread when none is idle and the pool is not full.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        let startThread = state.withLock { state -> Bool in
            state.jobs.append(job)
            if state.idle > 0 {
                state.idle -= 1
                return false
            }
            guard state.threads < maxThreads else { return false }
            state.threads += 1
            return true
        }
        if startThread {
            if !ThreadLauncher.start(name: name, stackSize: 512 * 1024, { [self] in work() }) {
                state.withLock { $0.threads -= 1 }
            }
        } else {
            wakeups.signal()
        }
    }

    private func work() {
        while true {
            let job = state.withLock { state -> (@Sendable () -> Void)? in
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
            if let job { job() } else { wakeups.wait() }
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
