import Synchronization

/// Cancels statements abandoned at the scrape deadline, on one long-lived thread, at most one
/// cancel per server at a time, each bounded by `timeoutSeconds`.
///
/// libpq 15's PQcancel blocks with no timeout (connect, send, then recv until the postmaster
/// closes; fe-connect.c, internal_cancel) and libpq has no non-blocking cancel before 17, so a
/// detached thread per cancel piled up against a server that takes logins but never answers
/// (#12.7: 5 → 19 threads over 15 scrapes). Here the cancel is `pg_cancel_backend` (PostgreSQL
/// docs, "Server Signaling Functions": a role may signal its own backends) on a session of its
/// own, non-blocking like every other and given up at its deadline. Best effort: a cancel that
/// cannot run (server hung, no free slot, one already in flight) leaves the statement to the
/// session's `statement_timeout`.
final class PostgresCanceller: Sendable {
    static let shared = PostgresCanceller()
    /// Longest a cancel may take, connect included.
    static let timeoutSeconds = 3.0

    /// How to reach the server of a connection: its connect parameters, under an application
    /// name of its own so the session is not counted as one of the exporter's scraping sessions.
    struct Route: Sendable {
        let key: String
        let parameters: [(String, String)]
        let redactor: Redactor

        init(parameters: [(String, String)], redactor: Redactor) {
            // The DSN (the first dbname, the connection string) names the server.
            key = parameters.first { $0.0 == "dbname" }?.1 ?? ""
            self.parameters = parameters + [("application_name", "stack_exporter_cancel")]
            self.redactor = redactor
        }
    }

    private let worker = WorkerPool(name: "se-pg-cancel", maxThreads: 1)
    private let inFlight = Mutex<Set<String>>([])

    /// Queues a cancel of backend `pid`; false (nothing queued) while one for the same server is
    /// queued or running, so a hung server holds at most one.
    @discardableResult
    func cancel(backend pid: Int32, route: Route) -> Bool {
        guard inFlight.withLock({ $0.insert(route.key).inserted }) else { return false }
        worker.submit { [self] in
            Self.send(backend: pid, route: route)
            inFlight.withLock { _ = $0.remove(route.key) }
        }
        return true
    }

    private static func send(backend pid: Int32, route: Route) {
        let deadline = MonotonicTime.now().adding(seconds: timeoutSeconds)
        // Only an exporter session that still runs a statement: once it ended, its pid may
        // belong to another backend.
        let sql = "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = \(pid) AND application_name = 'stack_exporter' AND state <> 'idle'"
        let target = SessionTarget(parameters: route.parameters, redactor: route.redactor, connectTimeout: timeoutSeconds, cancellable: false)
        // Best effort, see above: whatever the outcome, statement_timeout ends the statement on
        // the server anyway.
        _ = PollLoop.run([PipelineTask(connection: nil, target: target, keep: false, consumer: FixedStatements([sql]))], concurrency: 1, deadline: deadline)
    }
}

/// A pipeline of statements known in advance whose results nobody reads (a cancel).
final class FixedStatements: PipelineConsumer {
    private let statements: [String]

    init(_ statements: [String]) { self.statements = statements }

    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest { PipelineRequest(statements: statements) }
    func received(_ index: Int, _ result: StatementResult, seconds: Double) {}
}
