import Synchronization

/// What the server needs from the application.
public protocol HTTPHandler: Sendable {
    /// Decides on the event loop, without blocking, whether a request is answered at once (static
    /// pages, errors) or is work for a worker thread (scrapes, probes), admitted by its class.
    func route(_ request: HTTPRequest) -> Routing
    /// The work of a routed request, on a worker thread; it must answer by `deadline`.
    func response(to request: HTTPRequest, deadline: MonotonicTime) -> HTTPResponse
    /// The bounded `handler` label of the request counters (never the raw path).
    func handlerLabel(for request: HTTPRequest) -> String
}

/// Where a request goes.
public enum Routing: Sendable {
    /// Answered on the event loop: a static page or an error, no I/O beyond the socket.
    case respond(HTTPResponse)
    /// Blocking work of this class, which must answer within `seconds`.
    case work(WorkClass, seconds: Double)
}

/// Work admitted separately, so one kind cannot starve the other: 60 probes of a stalling target
/// must not take the slots Prometheus' own scrape needs.
public enum WorkClass: Int, Sendable, CaseIterable {
    case scrape = 0
    case probe = 1
}

/// Limits and timeouts of the HTTP server.
public struct ServerLimits: Sendable {
    public var maxHeadBytes = 8192
    public var maxHeaderCount = 100
    /// From accept (or from the first byte after an idle keep-alive) to a complete request head.
    public var readHeaderTimeout = 10.0
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout = 60.0
    /// How long a response may take to leave (a client reading 1 byte/s is cut off).
    public var writeTimeout = 30.0
    /// Open connections. At the limit the connection waiting longest for a request head (idle
    /// keep-alive, silent, or slow) is closed for the new one; only when every connection is busy
    /// is the new one refused with 503. An idle connection costs ~150 bytes and a descriptor.
    public var maxConnections = 10_000
    /// Scrapes handled by workers at once; more get 503 at once (node_exporter's
    /// `--web.max-requests`).
    public var maxConcurrentRequests = 40
    /// `/probe` requests handled at once, apart from scrapes.
    public var maxConcurrentProbes = 20
    /// How long after its deadline a request whose worker has not answered (a read stuck in the
    /// kernel) gets a 503 from the event loop; the worker stays counted in flight.
    /// Half a second: Prometheus' own timeout, since the deadline is its header less 0.5 s, so a
    /// worker merely slowed by a busy machine still answers with data.
    public var lateAnswerGrace = 0.5

    /// The connection limit lowered to leave descriptors for collectors (sockets, kept procfs
    /// files, probes) under the process' open-file limit: past it accept fails, and eviction
    /// cannot help.
    public func fitting(openFileLimit: UInt64) -> ServerLimits {
        var limits = self
        let reserve: UInt64 = 256
        if openFileLimit > 2 * reserve { limits.maxConnections = min(maxConnections, Int(clamping: openFileLimit - reserve)) }
        return limits
    }

    func maxConcurrent(_ work: WorkClass) -> Int {
        switch work {
        case .scrape: maxConcurrentRequests
        case .probe: maxConcurrentProbes
        }
    }
    /// bcrypt checks running at once (each takes a core for 50–100 ms at cost 10).
    public var maxConcurrentAuthChecks = 2
    /// bcrypt checks waiting for one of those; beyond, a request with an uncached password gets 429.
    public var maxQueuedAuthChecks = 30
    /// How long a request may wait for its password check before a 503.
    public var authTimeout = 10.0
    /// How long shutdown waits for in-flight responses.
    public var shutdownGrace = 4.5

    public init() {}
}

/// Request counters by handler and status code, and the number of requests being worked on.
public final class ServerStats: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let scrapesInFlight = Atomic<Int>(0)
    private let probesInFlight = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let evicted = Atomic<Int>(0)
    private let late = Atomic<Int>(0)

    public init() {}

    func record(handler: String, code: Int) {
        counts.withLock { $0["\(handler)\u{0}\(code)", default: 0] += 1 }
    }

    func setInFlight(_ value: Int, _ work: WorkClass) {
        switch work {
        case .scrape: scrapesInFlight.store(value, ordering: .relaxed)
        case .probe: probesInFlight.store(value, ordering: .relaxed)
        }
    }
    func recordRefusedConnection() { refused.wrappingAdd(1, ordering: .relaxed) }
    func recordEvictedConnection() { evicted.wrappingAdd(1, ordering: .relaxed) }
    func recordLateAnswer() { late.wrappingAdd(1, ordering: .relaxed) }

    /// Scrapes being worked on (including ones already answered late whose worker is still busy).
    public var requestsInFlight: Int { scrapesInFlight.load(ordering: .relaxed) }
    public var probesInFlightCount: Int { probesInFlight.load(ordering: .relaxed) }
    public var refusedConnections: Int { refused.load(ordering: .relaxed) }
    public var evictedConnections: Int { evicted.load(ordering: .relaxed) }
    public var lateAnswers: Int { late.load(ordering: .relaxed) }

    /// (handler, code, count) sorted for stable output.
    public func requestCounts() -> [(handler: String, code: String, count: Int)] {
        counts.withLock { $0 }.map { key, count in
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "", count)
        }.sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }
    }
}

/// The thread-safe side of the server: shutdown requests and finished worker responses reach the
/// event loop through here and its wake-up pipe.
public final class ServerControl: Sendable {
    struct Completion: Sendable {
        enum Kind: Sendable {
            /// A worker's response to a routed request.
            case work(WorkClass, HTTPResponse)
            /// The outcome of a password check.
            case authentication(allowed: Bool)
        }

        let connectionID: UInt64
        let kind: Kind
    }

    let wakeup: WakeupPipe
    private let shutdown = Atomic<Bool>(false)
    private let completions = Mutex<[Completion]>([])

    init() throws(SystemError) {
        wakeup = try WakeupPipe()
    }

    /// Stop accepting, finish in-flight responses, return from `run()`. Safe from any thread.
    public func requestShutdown() {
        shutdown.store(true, ordering: .releasing)
        wakeup.wake()
    }

    var shutdownRequested: Bool { shutdown.load(ordering: .acquiring) }

    func complete(_ completion: Completion) {
        let wasEmpty = completions.withLock { list in
            list.append(completion)
            return list.count == 1
        }
        if wasEmpty { wakeup.wake() }
    }

    func takeCompletions() -> [Completion] {
        completions.withLock { list in
            let taken = list
            list.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
