import Synchronization

/// /proc/stat for the `cpu` and `stat` collectors, read and parsed once per scrape: both run in
/// the same scrape (one context, one deadline), and the second gets the first one's snapshot,
/// which also makes their values consistent with each other.
final class ProcStatSource: Sendable {
    let proc: ProcFS
    /// The last snapshot and the deadline of the scrape it was read for.
    private let last = Mutex<(scrape: MonotonicTime, stat: ProcStat)?>(nil)

    init(proc: ProcFS) { self.proc = proc }

    func stat(for context: CollectContext) throws -> ProcStat {
        if let hit = last.withLock({ entry in entry.flatMap { $0.scrape == context.deadline ? $0.stat : nil } }) { return hit }
        let stat = try parseProcStat(proc.read("stat"))
        last.withLock { $0 = (context.deadline, stat) }
        return stat
    }
}

/// Readers that several collectors share, one per procfs root, made once for all collectors.
public final class SharedSources: Sendable {
    private let procStat = Mutex<[String: ProcStatSource]>([:])

    public init() {}

    func procStat(_ proc: ProcFS) -> ProcStatSource {
        procStat.withLock { sources in
            if let known = sources[proc.root] { return known }
            let source = ProcStatSource(proc: proc)
            sources[proc.root] = source
            return source
        }
    }
}
