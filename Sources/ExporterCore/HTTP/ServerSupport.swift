import Synchronization

/// What the server needs from the application.
public protocol HTTPHandler: Sendable {
    /// An answer that needs no blocking work, given on the event loop; nil sends the request to a
    /// worker thread and `response(to:)`.
    func immediateResponse(to request: HTTPRequest) -> HTTPResponse?
    /// Blocking work such as a scrape, on a worker thread.
    func response(to request: HTTPRequest) -> HTTPResponse
    /// The bounded `handler` label of the request counters (never the raw path).
    func handlerLabel(for request: HTTPRequest) -> String
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
    public var maxConnections = 1024
    /// Requests handled by workers at once (scrapes); more get 503 at once (node_exporter's
    /// `--web.max-requests`).
    public var maxConcurrentRequests = 40
    /// How long shutdown waits for in-flight responses.
    public var shutdownGrace = 4.5

    public init() {}
}

/// Request counters by handler and status code, and the number of requests being worked on.
public final class ServerStats: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let inFlight = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    public init() {}

    func record(handler: String, code: Int) {
        counts.withLock { $0["\(handler)\u{0}\(code)", default: 0] += 1 }
    }

    func setInFlight(_ value: Int) { inFlight.store(value, ordering: .relaxed) }
    func recordRefusedConnection() { refused.wrappingAdd(1, ordering: .relaxed) }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }
    public var refusedConnections: Int { refused.load(ordering: .relaxed) }

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
        let connectionID: UInt64
        let response: HTTPResponse
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
