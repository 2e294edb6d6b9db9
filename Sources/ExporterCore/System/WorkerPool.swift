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
            if !ThreadLauncher.start(name: name, { [self] in work() }) {
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

/// pthread_create(3) for a Swift closure, detached, with a name for debuggers and `top -H`.
enum ThreadLauncher {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Scrapes and collectors are shallow; 512 KiB instead of 8 MiB keeps virtual memory modest.
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { argument in
            guard let argument else { return nil }
            let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        _ = pthread_setname_np(thread, String(name.prefix(15)))
        return true
    }
}

extension ProcessSetup {
    /// Caps glibc's malloc arenas: each thread otherwise gets its own (up to 8 per core), and
    /// their free lists are resident memory an exporter does not need.
    public static func limitMallocArenas(_ count: Int32 = 2) {
        _ = mallopt(M_ARENA_MAX, count)
    }
}
