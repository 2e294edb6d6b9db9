import Synchronization

/// What is known about a pattern's newest `.gz` file: the value of
/// `stack_exporter_files_newest_valid` and its `reason`.
struct GzipVerdict: Sendable, Equatable {
    /// 1 valid; 0 invalid; -1 no verdict yet (pending, still being written, or over the time bound).
    let value: Double
    let reason: String
    /// The words for the log (zlib's message, errno).
    let detail: String

    static let valid = GzipVerdict(value: 1, reason: "", detail: "")
    static let pending = GzipVerdict(value: -1, reason: "pending", detail: "")

    static func invalid(_ reason: String, _ detail: String) -> GzipVerdict { GzipVerdict(value: 0, reason: reason, detail: detail) }
    static func undecided(_ reason: String, _ detail: String) -> GzipVerdict { GzipVerdict(value: -1, reason: reason, detail: detail) }
}

/// Verifies the newest `.gz` file of each pattern in the background, off the scrape: the scrape
/// asks for the verdict of the file it found (`verdict(for:file:)`) and gets the last one at once;
/// a file not verified yet in this size, mtime and inode is queued on a one-thread pool and
/// reported `pending` until done. One job per pattern at most is queued; a file superseded while
/// it is read (a newer backup appeared, or it grew) is abandoned for the newer one. Each read is
/// paced to `bytesPerSecond` and given up after `timeout` seconds.
final class GzipVerification: Sendable {
    /// A file as the walk found it (path, size, mtime, inode, device): a change of any of them
    /// asks for a new verdict.
    typealias FileKey = MatchedFile

    private struct Slot {
        var key: FileKey
        var verdict: GzipVerdict
        var queued: Bool
    }

    let bytesPerSecond: Int
    let timeout: Double
    private let pool: WorkerPool
    private let slots = Mutex<[String: Slot]>([:])
    private let log: ProblemLog

    init(bytesPerSecond: Int, timeout: Double, logger: Logger, pool: WorkerPool = WorkerPool(name: "files-verify", maxThreads: 1)) {
        self.bytesPerSecond = bytesPerSecond
        self.timeout = timeout
        self.pool = pool
        self.log = ProblemLog(logger: logger, what: "backup")
    }

    /// The last verdict on `file`, the newest file of pattern `name`; queues a verification when
    /// this file, in this state, has none yet.
    func verdict(for name: String, file: MatchedFile) -> GzipVerdict {
        let key = file
        let submit = slots.withLock { slots -> Bool in
            if let slot = slots[name], slot.key == key { return false }
            let wasQueued = slots[name]?.queued ?? false
            slots[name] = Slot(key: key, verdict: .pending, queued: true)
            return !wasQueued
        }
        if submit { pool.submit { [self] in verifyQueued(name) } }
        return slots.withLock { $0[name]?.verdict ?? .pending }
    }

    /// Forgets patterns whose newest file is no longer a `.gz` (or that matched nothing).
    func forget(_ name: String) {
        _ = slots.withLock { $0.removeValue(forKey: name) }
    }

    private func verifyQueued(_ name: String) {
        guard let key = slots.withLock({ slots -> FileKey? in
            slots[name]?.queued = false
            return slots[name]?.key
        }) else { return }
        let superseded = { [self] in slots.withLock { $0[name]?.key != key } }
        guard let verdict = Self.verify(key, bytesPerSecond: bytesPerSecond, timeout: timeout, superseded: superseded) else { return }
        let stored = slots.withLock { slots -> Bool in
            guard slots[name]?.key == key else { return false }
            slots[name]?.verdict = verdict
            return true
        }
        if stored { log.report(name, verdict.value == 1 ? nil : "\(verdict.reason): \(verdict.detail)") }
    }

    /// Reads the file to its end through zlib; nil when it was superseded on the way.
    static func verify(_ key: FileKey, bytesPerSecond: Int, timeout: Double, superseded: () -> Bool) -> GzipVerdict? {
        let stream: FileReader.Stream
        do {
            stream = try FileReader.Stream(key.path)
        } catch {
            return error.notRegular != nil ? .invalid("not_regular", error.description) : .invalid("unreadable", error.description)
        }
        let opened = stream.identityAtOpen
        guard opened.size == key.size, opened.modifiedNanoseconds == key.modifiedNanoseconds, opened.inode == key.inode else {
            return .undecided("changing", "\(key.path): changed since it was listed")
        }
        let verifier: Gzip.Verifier
        do { verifier = try Gzip.Verifier() } catch { return .undecided("unreadable", error.description) }
        let outcome = read(stream, into: verifier, bytesPerSecond: bytesPerSecond, timeout: timeout, superseded: superseded)
        guard let outcome else { return nil }
        if stream.changedSinceOpen() { return .undecided("changing", "\(key.path): written while it was verified") }
        stream.dropCache()
        return outcome
    }

    /// The read loop: chunks fed to zlib, paced, bounded in time.
    private static func read(
        _ stream: FileReader.Stream, into verifier: Gzip.Verifier, bytesPerSecond: Int, timeout: Double, superseded: () -> Bool
    ) -> GzipVerdict? {
        let started = MonotonicTime.now()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count: Int
            do { count = try stream.read(into: chunk) } catch { return .invalid("unreadable", error.description) }
            if count == 0 { return verdict(verifier.finish(), path: stream.path) }
            if let early = verifier.feed(UnsafeRawBufferPointer(rebasing: chunk[0..<count])) { return verdict(early, path: stream.path) }
            let elapsed = started.secondsElapsed()
            if elapsed > timeout { return .undecided("timeout", "\(stream.path): not read to its end in \(timeout) s") }
            if superseded() { return nil }
            // Pace: ahead of bytesPerSecond by more than 10 ms → wait the difference.
            let due = Double(stream.position) / Double(bytesPerSecond)
            if due - elapsed > 0.01 { ProcessSetup.sleep(seconds: min(due - elapsed, timeout - elapsed)) }
        }
    }

    private static func verdict(_ verdict: Gzip.Verifier.Verdict, path: String) -> GzipVerdict {
        switch verdict {
        case .valid: .valid
        case .empty: .invalid("empty", "\(path): empty file")
        case .truncated: .invalid("truncated", "\(path): ends inside the gzip stream")
        case .notGzip: .invalid("not_gzip", "\(path): no gzip header")
        case .trailingGarbage: .invalid("trailing_garbage", "\(path): bytes after the last gzip member")
        case .corrupt(let message): .invalid("corrupt", "\(path): \(message)")
        }
    }
}
