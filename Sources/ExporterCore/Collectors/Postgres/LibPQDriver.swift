// The libpq driver: a pipeline on one session as a `PollTask`, so every session of a scrape (the
// main one, the sizes one, one per other database, a cancel) runs on `PollLoop` like the Docker
// client's requests, every wait a poll(2) bounded by the deadline.

/// What a pipeline's owner sends once its session is ready, and what it does with each result.
/// Called on the loop's thread, while the other tasks of the loop wait for their sockets.
protocol PipelineConsumer: AnyObject {
    /// The statements for `connection` (its `serverVersion` is known by now). `fresh`: connected
    /// in this run; a retry on a new session asks again, and the consumer starts over.
    func statements(for connection: PostgresConnection, fresh: Bool) -> PipelineRequest
    /// Statement `index`'s result as soon as its sync arrived, and the seconds it took (since the
    /// previous statement's result: the server runs a pipeline in order).
    func received(_ index: Int, _ result: StatementResult, seconds: Double)
}

/// The statements of one pipeline; `parameters[i]` are the text values of statement i's `$1…`.
struct PipelineRequest {
    var statements: [String]
    var parameters: [Int: [String]] = [:]
}

/// How to open a session when there is none (or it broke).
struct SessionTarget: Sendable {
    let parameters: [(String, String)]
    let redactor: Redactor
    /// Longest connection attempt, within the loop's deadline.
    let connectTimeout: Double
    /// The `SET`s sent first on a new session, in the same pipeline; nil: none.
    var setup: String? = nil
    /// Whether a statement abandoned at the deadline is cancelled on the server (not for the
    /// canceller's own sessions).
    var cancellable = true
}

/// How a pipeline ended.
struct PipelineEnd {
    /// The session, open and idle, for its owner to keep; nil once closed (failed, cut at the
    /// deadline, or not kept).
    var connection: PostgresConnection? = nil
    /// Why the pipeline did not complete: no connection, the connection broke, or the deadline.
    var failure: PostgresError? = nil
    /// The setup statement's error on a new session (the other statements ran anyway).
    var setupFailure: PostgresError? = nil
    /// Whether the session was connected in this run.
    var fresh = false
}

/// One pipeline on one session: connect if needed (with the session setup in the same pipeline),
/// send, hand each result to the consumer as soon as it is in (while the server runs the next
/// statements, and the loop's other sessions theirs), and on a kept session found dead (the
/// server restarted between scrapes) connect once more and run the pipeline again.
struct PipelineTask: PollTask {
    private var connection: PostgresConnection?
    private let target: SessionTarget
    /// Whether the session stays open after its results are in (else it is closed at once: it
    /// would hold its slot while the next databases connect).
    private let keep: Bool
    private let consumer: any PipelineConsumer
    private enum Step { case connecting, querying, done }
    private var step = Step.connecting
    private var fresh = false
    private var retried = false
    private var connectDeadline = MonotonicTime.now()
    /// Whether the setup statement leads the pipeline, results delivered so far, and when the
    /// last one (or the send) was.
    private var withSetup = false
    private var delivered = 0
    private var previous = MonotonicTime.now()
    private var setupFailure: PostgresError? = nil

    init(connection: PostgresConnection?, target: SessionTarget, keep: Bool = true, consumer: any PipelineConsumer) {
        self.connection = connection
        self.target = target
        self.keep = keep
        self.consumer = consumer
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<PipelineEnd> {
        proceed { task throws(PostgresError) in
            if let connection = task.connection, connection.isUsable { return try task.send(connection) }
            return try task.connect()
        }
    }

    mutating func resume() -> TaskStep<PipelineEnd> {
        proceed { task throws(PostgresError) in
            guard let connection = task.connection else { throw PostgresError(kind: .connection, message: "connection closed") }
            switch task.step {
            case .connecting:
                guard try connection.advance() else { return try task.waiting(on: connection) }
                return try task.send(connection)
            case .querying:
                let complete = try connection.advance()
                task.deliver(connection)
                return complete ? task.finish(connection) : try task.waiting(on: connection)
            case .done:
                return .done(PipelineEnd(failure: PostgresError(kind: .connection, message: "pipeline already done"), fresh: task.fresh))
            }
        }
    }

    mutating func cancel() -> PipelineEnd {
        let connecting = step != .querying
        connection?.abandon()
        connection = nil
        step = .done
        return PipelineEnd(failure: PostgresError(kind: .timeout, message: connecting
            ? "connect timed out before the scrape deadline" : "query cancelled at the scrape deadline"), fresh: fresh)
    }

    // MARK: private

    /// Runs one step; a connection error on a session reused from an earlier scrape connects once
    /// more, any other error ends the pipeline.
    private mutating func proceed(_ body: (inout PipelineTask) throws(PostgresError) -> TaskStep<PipelineEnd>) -> TaskStep<PipelineEnd> {
        do throws(PostgresError) {
            return try body(&self)
        } catch where !fresh && !retried && error.kind == .connection {
            retried = true
            return proceed { task throws(PostgresError) in try task.connect() }
        } catch {
            connection?.close()
            connection = nil
            step = .done
            return .done(PipelineEnd(failure: error, fresh: fresh))
        }
    }

    private mutating func connect() throws(PostgresError) -> TaskStep<PipelineEnd> {
        connection?.close()
        connection = nil
        let started = try PostgresConnection.start(parameters: target.parameters, redactor: target.redactor, cancellable: target.cancellable)
        connection = started
        fresh = true
        step = .connecting
        connectDeadline = MonotonicTime.now().adding(seconds: target.connectTimeout)
        return try waiting(on: started)
    }

    private mutating func send(_ connection: PostgresConnection) throws(PostgresError) -> TaskStep<PipelineEnd> {
        var request = consumer.statements(for: connection, fresh: fresh)
        withSetup = fresh && target.setup != nil
        if withSetup, let setup = target.setup {
            // The setup goes first: the parameters' indices move by one.
            request.statements.insert(setup, at: 0)
            request.parameters = Dictionary(uniqueKeysWithValues: request.parameters.map { ($0.key + 1, $0.value) })
        }
        delivered = 0
        setupFailure = nil
        previous = MonotonicTime.now()
        try connection.send(request.statements, parameters: request.parameters)
        step = .querying
        return try waiting(on: connection)
    }

    /// What the current step waits for; a connection with nothing to wait for is broken.
    private func waiting(on connection: PostgresConnection) throws(PostgresError) -> TaskStep<PipelineEnd> {
        guard let interest = connection.interest else { throw connection.failure(step == .connecting ? .connect : .connection) }
        return step == .connecting ? .waitUntil(interest, connectDeadline) : .wait(interest)
    }

    /// Hands the results that arrived since the last call to the consumer (the setup's is kept).
    private mutating func deliver(_ connection: PostgresConnection) {
        let results = connection.results, arrivals = connection.arrivals
        while delivered < results.count, delivered < arrivals.count {
            let seconds = max(0, previous.seconds(until: arrivals[delivered]))
            previous = arrivals[delivered]
            if withSetup && delivered == 0 {
                if case .failure(let error) = results[0] { setupFailure = error }
            } else {
                consumer.received(delivered - (withSetup ? 1 : 0), results[delivered], seconds: seconds)
            }
            delivered += 1
        }
    }

    private mutating func finish(_ connection: PostgresConnection) -> TaskStep<PipelineEnd> {
        step = .done
        self.connection = nil
        if !keep { connection.close() }
        return .done(PipelineEnd(connection: keep ? connection : nil, setupFailure: setupFailure, fresh: fresh))
    }
}
