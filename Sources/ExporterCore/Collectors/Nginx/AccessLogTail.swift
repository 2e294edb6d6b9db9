import Synchronization

/// The counters of one access log since the exporter started.
struct AccessLogCounts: Sendable, Equatable {
    /// Upper bounds of the duration buckets: web latency from 5 ms to 10 s, with 0.2 s and 0.5 s
    /// for the usual "fast enough" objectives.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10]

    /// Responses of status 1xx … 5xx.
    var classes = [Double](repeating: 0, count: 5)
    /// Per bucket, not cumulative (summed when rendered); durations above the last bound are only
    /// in `durationCount`.
    var buckets = [Double](repeating: 0, count: bounds.count)
    var durationSum = 0.0, durationCount = 0.0
    var unparsed = 0.0, overlong = 0.0, rotations = 0.0

    mutating func record(_ entry: AccessLogEntry?) {
        guard let entry else { unparsed += 1; return }
        classes[entry.status / 100 - 1] += 1  // status is 100…599
        guard let seconds = entry.requestTime else { return }
        durationSum += seconds
        durationCount += 1
        if let bucket = Self.bounds.firstIndex(where: { seconds <= $0 }) { buckets[bucket] += 1 }
    }
}

/// What one scrape learned about an access log.
struct AccessLogReport: Sendable {
    var counts: AccessLogCounts
    /// Why the path cannot be followed now (missing, not a regular file, unreadable), or nil.
    var problem: String?
    /// Bytes written but not read yet (the scrape's read budget ran out), of the file followed.
    var unreadBytes: Double
}

/// One access log followed across scrapes, like `tail -F`: each scrape reads what was appended
/// since the last one (at most `maxBytesPerScrape`, and not past the deadline; the rest waits for
/// the next scrape), through a fixed read buffer and a line fragment of at most `maxLine` bytes.
///
/// Rotation: when the path names another file (logrotate's rename), the old descriptor is kept and
/// read on as "retiring" until two scrapes in a row find nothing new in it (nginx writes to it
/// until it reopens on USR1), and the new file is read from its start. When the same file is
/// smaller than what was read (copytruncate), reading restarts at 0. A file that is truncated and
/// rewritten past the old offset between two scrapes cannot be told from growth (as with any tail).
final class AccessLogTail: Sendable {
    static let readSize = 64 << 10
    static let maxLine = 16 << 10
    static let maxBytesPerScrape = 64 << 20

    let path: String
    /// The `log` label: the path, or the name given with `,name=`.
    let name: String
    let format: AccessLogFormat
    private let state: Mutex<State>

    struct Follower: Sendable {
        let file: FileReader.FollowedFile
        var offset: Int64
        var splitter = LineSplitter(maxLine: AccessLogTail.maxLine)
        /// Scrapes in a row that found nothing new (for a retiring file).
        var quiet = 0
    }

    struct State: Sendable {
        var current: Follower?
        var retiring: Follower?
        var counts = AccessLogCounts()
        var problem: String?
        /// Once the path has been looked at, a file that appears there is new: read from its start.
        var looked = false
    }

    /// Opens the file now, at its end (`fromStart`: at its start), so lines written between
    /// start-up and the first scrape are counted.
    init(path: String, name: String, format: AccessLogFormat, fromStart: Bool = false) {
        self.path = path
        self.name = name
        self.format = format
        var initial = State()
        initial.looked = fromStart
        Self.follow(path, format, &initial)
        state = Mutex(initial)
    }

    /// Reads what was appended, until `deadline` at the latest.
    func advance(until deadline: MonotonicTime) -> AccessLogReport {
        state.withLock { state in
            var budget = ReadBudget(bytes: Self.maxBytesPerScrape, deadline: deadline)
            Self.follow(path, format, &state)
            if var old = state.retiring {
                let read = Self.drain(&old, format, &state, budget: &budget)
                old.quiet = read > 0 || budget.isSpent ? 0 : old.quiet + 1
                state.retiring = old
                if old.quiet >= 2 { Self.finishRetiring(format, &state) }
            }
            var unread = 0.0
            if var current = state.current {
                _ = Self.drain(&current, format, &state, budget: &budget)
                unread = Double(max(0, ((try? current.file.size()) ?? current.offset) - current.offset))
                state.current = current
            }
            return AccessLogReport(counts: state.counts, problem: state.problem, unreadBytes: unread)
        }
    }

    /// Compares what the path names with the file followed: same file (maybe truncated), another
    /// file (rotated: the followed one retires), nothing or something that is no regular file.
    private static func follow(_ path: String, _ format: AccessLogFormat, _ state: inout State) {
        let firstLook = !state.looked
        state.looked = true
        guard let status = try? FileSystem.status(path), status.kind == .regular else {
            retireCurrent(format, &state)
            open(path, &state, atEnd: false)  // for the error: missing, fifo, directory…
            return
        }
        if var current = state.current {
            if status.identity.inode == current.file.inode, status.identity.device == current.file.device {
                if status.size < current.offset {  // copytruncate
                    current.offset = 0
                    current.splitter.reset()
                    state.counts.rotations += 1
                    state.current = current
                }
                state.problem = nil
                return
            }
            retireCurrent(format, &state)
        }
        open(path, &state, atEnd: firstLook)
    }

    private static func open(_ path: String, _ state: inout State, atEnd: Bool) {
        do {
            let file = try FileReader.FollowedFile(path)
            state.current = Follower(file: file, offset: atEnd ? try file.size() : 0)
            state.problem = nil
        } catch {
            state.problem = error.description
        }
    }

    /// The followed file no longer is the path's: it is read on as retiring. A file still retiring
    /// from an earlier rotation (two rotations within two scrapes) is read to its end and closed.
    private static func retireCurrent(_ format: AccessLogFormat, _ state: inout State) {
        guard let current = state.current else { return }
        if var old = state.retiring {
            var budget = ReadBudget(bytes: maxBytesPerScrape, deadline: MonotonicTime.now().adding(seconds: 1))
            _ = drain(&old, format, &state, budget: &budget)
            state.retiring = old
            finishRetiring(format, &state)
        }
        state.retiring = current
        state.current = nil
        state.counts.rotations += 1
    }

    /// Closes the retiring file; its unterminated last line, if any, counts as a line.
    private static func finishRetiring(_ format: AccessLogFormat, _ state: inout State) {
        guard var old = state.retiring else { return }
        old.splitter.finish { state.counts.record(format.parse($0)) }
        state.retiring = nil
    }

    /// Reads from the follower's offset to the end of its file or of the budget, counting every
    /// complete line; returns the bytes read. A read error is the state's problem until it clears.
    private static func drain(_ follower: inout Follower, _ format: AccessLogFormat, _ state: inout State, budget: inout ReadBudget) -> Int {
        var buffer = [UInt8](repeating: 0, count: readSize)
        var total = 0
        while !budget.isSpent {
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(FileReader.ReadError) -> Int in try follower.file.read(at: follower.offset, into: raw) }
            }
            guard case .success(let n) = result else {
                if case .failure(let error) = result { state.problem = error.description }
                break
            }
            if n == 0 { break }
            follower.offset += Int64(n)
            total += n
            budget.spend(n)
            buffer.withUnsafeBufferPointer { chunk in
                follower.splitter.feed(UnsafeBufferPointer(rebasing: chunk[0..<n])) { state.counts.record(format.parse($0)) }
            }
        }
        state.counts.overlong += Double(follower.splitter.takeOverlong())
        return total
    }
}

/// Bytes and time one scrape may spend reading access logs.
struct ReadBudget {
    var bytes: Int
    let deadline: MonotonicTime

    var isSpent: Bool { bytes <= 0 || !(MonotonicTime.now() < deadline) }
    mutating func spend(_ n: Int) { bytes -= n }
}
