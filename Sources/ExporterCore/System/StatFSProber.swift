import Dispatch
import Synchronization

/// statvfs(3) with a deadline. A statfs on a dead NFS or FUSE mount blocks in the kernel and no
/// signal ends it (node_exporter #244, #1498), so each call runs on a thread of a small pool of
/// long-lived threads (a thread per call cost a thread creation per mount per scrape) and the
/// scrape waits only until its deadline. A mount whose call is still blocked is "stuck": later scrapes
/// skip it, without a new thread, until that call returns. At most `maxStuck` threads are ever
/// blocked; beyond that, new mounts are reported as stuck without being probed.
///
/// File systems that answer statfs from counters in memory (ext4, xfs, tmpfs…: no I/O, no
/// daemon) are asked on the calling thread instead: a hand-off to a pool thread and back costs
/// more than the call (two futex wake-ups and two context switches, ~40 µs on two cores).
public final class StatFSProber: Sendable {
    public enum Outcome: Sendable, Equatable {
        case usage(FilesystemUsage)
        case failed(SystemError)
        /// The call did not return before the deadline; its thread is still blocked.
        case timedOut
        /// A previous call for this mount is still blocked, so no new one was made.
        case stuck
    }

    public typealias Query = @Sendable ([UInt8]) -> Result<FilesystemUsage, SystemError>

    private let query: Query
    private let maxStuck: Int
    private let stuckPaths = Mutex<Set<[UInt8]>>([])
    /// Room for every stuck call plus threads for the healthy mounts.
    private let threads: WorkerPool

    /// `query` is replaceable so tests can simulate a hung mount.
    public init(maxStuck: Int = 16, query: @escaping Query = StatFSProber.statvfs) {
        self.maxStuck = maxStuck
        self.query = query
        self.threads = WorkerPool(name: "se-statfs", maxThreads: maxStuck + 8)
    }

    public static let statvfs: Query = { path in FilesystemUsage.query(path) }

    /// Paths whose call is still blocked.
    public var stuckCount: Int { stuckPaths.withLock { $0.count } }

    /// Whether the last probe handed a path to a thread (or one is still stuck): the collector then
    /// runs on a thread of its own, so its wait does not hold up the scrape's other collectors.
    /// True before the first probe.
    public var mayBlock: Bool { lastUsedThreads.load(ordering: .relaxed) || stuckCount > 0 }
    private let lastUsedThreads = Atomic<Bool>(true)

    /// Probes every path concurrently; waits for all of them until `deadline`. Paths whose
    /// `answersFromMemory` is true are asked on this thread (see the type's comment).
    public func probe(
        _ paths: [[UInt8]], deadline: MonotonicTime, answersFromMemory: (Int) -> Bool = { _ in false }
    ) -> [Outcome] {
        var outcomes = [Outcome](repeating: .stuck, count: paths.count)
        var pending: [(index: Int, call: PendingCall)] = []
        pending.reserveCapacity(paths.count)
        for (index, path) in paths.enumerated() {
            let skip = stuckPaths.withLock { $0.contains(path) || $0.count >= maxStuck }
            if skip { continue }
            if answersFromMemory(index) {
                switch query(path) {
                case .success(let usage): outcomes[index] = .usage(usage)
                case .failure(let error): outcomes[index] = .failed(error)
                }
                continue
            }
            let call = PendingCall()
            threads.submit { [self] in
                let result = query(path)
                if call.finish(result) { stuckPaths.withLock { _ = $0.remove(path) } }
            }
            pending.append((index, call))
        }
        lastUsedThreads.store(!pending.isEmpty, ordering: .relaxed)
        for (index, call) in pending {
            if let result = call.wait(until: deadline) {
                switch result {
                case .success(let usage): outcomes[index] = .usage(usage)
                case .failure(let error): outcomes[index] = .failed(error)
                }
            } else {
                // abandon() runs under the call's lock, so the helper either sees the abandonment
                // and clears the stuck mark, or already finished and we use its result.
                if let late = call.abandon({ stuckPaths.withLock { _ = $0.insert(paths[index]) } }) {
                    switch late {
                    case .success(let usage): outcomes[index] = .usage(usage)
                    case .failure(let error): outcomes[index] = .failed(error)
                    }
                } else {
                    outcomes[index] = .timedOut
                }
            }
        }
        return outcomes
    }
}

/// One statvfs call handed to a helper thread.
private final class PendingCall: Sendable {
    private enum State { case running, done(Result<FilesystemUsage, SystemError>), abandoned }
    private let state = Mutex<State>(.running)
    private let done = DispatchSemaphore(value: 0)

    /// Stores the result; true when the waiter had already given up.
    func finish(_ result: Result<FilesystemUsage, SystemError>) -> Bool {
        let abandoned = state.withLock { state -> Bool in
            if case .abandoned = state { return true }
            state = .done(result)
            return false
        }
        done.signal()
        return abandoned
    }

    func wait(until deadline: MonotonicTime) -> Result<FilesystemUsage, SystemError>? {
        let remaining = MonotonicTime.now().seconds(until: deadline)
        guard done.wait(timeout: .now() + .nanoseconds(Int(min(remaining, 3600) * 1e9))) == .success else { return nil }
        return state.withLock { state in
            if case .done(let result) = state { return result }
            return nil
        }
    }

    /// Gives up on the call unless it finished meanwhile (then returns its result).
    func abandon(_ markStuck: () -> Void) -> Result<FilesystemUsage, SystemError>? {
        state.withLock { state in
            if case .done(let result) = state { return result }
            state = .abandoned
            markStuck()
            return nil
        }
    }
}
