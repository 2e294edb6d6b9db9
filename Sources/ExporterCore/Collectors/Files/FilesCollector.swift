import Synchronization

/// Backup freshness without cron glue: for each `--files.glob` pattern, how many regular files it
/// matches, the newest one's mtime and size, the oldest one's mtime and the total size, and with
/// `--files.verify-gzip` whether the newest `.gz` file is one complete gzip stream (verified in
/// the background, see `GzipVerification`). A pattern matching nothing is reported with count 0
/// (and 0 for the times, so an age alert fires); unreadable directories, FIFOs, devices and
/// symlink loops are counted by `stack_exporter_files_error{reason}`. Each pattern is one item
/// with its own deadline: a pattern on a hung mount is reported `timeout` alone.
final class FilesCollector: Collector {
    let patterns: [FilePattern]
    let limits: FileGlobWalk.Limits
    let verification: GzipVerification?
    private let pool: WorkerPool
    private let walking = Mutex<Set<String>>([])
    /// Per pattern, so that patterns walked in parallel never wait for each other.
    private let caches: [String: DirectoryCache]
    private let problems: ProblemLog

    init(patterns: [FilePattern], limits: FileGlobWalk.Limits, verification: GzipVerification?, logger: Logger) {
        self.patterns = patterns
        self.limits = limits
        self.verification = verification
        self.caches = Dictionary(patterns.map { ($0.name, DirectoryCache()) }, uniquingKeysWith: { first, _ in first })
        self.pool = WorkerPool(name: "files-walk", maxThreads: min(4, max(1, patterns.count)))
        self.problems = ProblemLog(logger: logger, what: "files")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let deadlines = ItemDeadline(collector: context.deadline)
        let results = runItems(patterns, on: pool, deadlines: deadlines) { [self] pattern in walk(pattern, until: deadlines.cutoff) }
        var families = FilesMetrics.Families()
        for (pattern, result) in zip(patterns, results) {
            // nil: still running at the deadline, or the previous walk has not ended.
            guard let walked = result ?? nil else {
                var late = WalkResult()
                late.note(.timeout, "\(pattern.text): not walked before the deadline (a previous walk may still be stuck)")
                problems.report(pattern.name, Self.summary(late))
                families.addProblems(pattern, late)
                continue
            }
            problems.report(pattern.name, walked.problems.isEmpty ? nil : Self.summary(walked))
            families.addStatistics(pattern, walked.files)
            families.addProblems(pattern, walked)
            if let verification, let verdict = verdict(walked.files, of: pattern, verification) { families.addVerdict(pattern, verdict) }
        }
        return families.all
    }

    /// One pattern's walk; nil when the previous walk of it has not ended yet (stuck in the
    /// kernel on a hung mount), so a stuck pattern holds one pool thread, not one per scrape.
    private func walk(_ pattern: FilePattern, until deadline: MonotonicTime) -> WalkResult? {
        guard walking.withLock({ $0.insert(pattern.name).inserted }) else { return nil }
        defer { _ = walking.withLock { $0.remove(pattern.name) } }
        return FileGlobWalk.run(pattern, limits: limits, deadline: deadline, cache: caches[pattern.name])
    }

    private func verdict(_ files: [MatchedFile], of pattern: FilePattern, _ verification: GzipVerification) -> GzipVerdict? {
        guard let newest = FilesMetrics.newest(files), newest.path.hasSuffix(".gz") || newest.path.hasSuffix(".tgz") else {
            verification.forget(pattern.name)
            return nil
        }
        return verification.verdict(for: pattern.name, file: newest)
    }

    private static func summary(_ result: WalkResult) -> String {
        FileProblem.allCases.compactMap { problem in
            result.problems[problem].map { "\(problem.rawValue)=\($0) (\(result.examples[problem] ?? ""))" }
        }.joined(separator: "; ")
    }
}
