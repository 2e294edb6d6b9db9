import CLibPQ

// One libpq connection in non-blocking mode (libpq docs, "Asynchronous Command Processing" and
// "Database Connection Control Functions": PQconnectStartParams/PQconnectPoll). It never waits:
// LibPQDriver.swift steps it from PollLoop, which does every wait in poll(2) on `interest`.

/// One libpq connection in non-blocking mode, stepped by a `PipelineTask`. Statements run in
/// pipeline mode (libpq docs, "Pipeline Mode"): all of a scrape's statements are sent at once,
/// each followed by a sync so that a failing one (permission denied, missing extension) aborts
/// only itself, and each is prepared once per connection so the server parses and plans it once
/// (a statement without parameters gets a generic plan at once; the server re-plans by itself
/// after DDL or ANALYZE, PostgreSQL docs "PREPARE"). Not thread-safe: one owner at a time.
final class PostgresConnection {
    private let api: LibPQ
    private var handle: OpaquePointer?
    private let redactor: Redactor
    /// Where a statement abandoned at the deadline is cancelled from; nil: not cancelled (the
    /// canceller's own sessions).
    private let cancelRoute: PostgresCanceller.Route?
    /// `server_version_num`, e.g. 150018; 0 once closed.
    var serverVersion: Int { handle.map { Int(api.PQserverVersion($0)) } ?? 0 }

    /// Rows beyond this are dropped: a scrape must not hold an unbounded result.
    static let rowLimit = 100_000

    private enum Phase: Equatable { case connecting(reading: Bool), idle, pipeline }
    private var phase: Phase
    /// Output still buffered in libpq (PQflush returned 1).
    private var flushPending = false
    /// Statements of the running pipeline, and the outcomes of those whose sync arrived, in order.
    private var statementCount = 0
    private(set) var results: [StatementResult] = []
    /// When each statement's sync arrived: the server runs a pipeline in order, so the gaps are
    /// each statement's time (`pg_scrape_collector_duration_seconds`).
    private(set) var arrivals: [MonotonicTime] = []
    private var segmentRows: QueryRows? = nil
    private var segmentError: PostgresError? = nil
    /// Statement names prepared on this connection, by SQL, and those being prepared now, by index.
    private var prepared: [String: String] = [:]
    private var preparing: [Int: (sql: String, name: String)] = [:]
    private var nextName = 0

    private init(api: LibPQ, handle: OpaquePointer, redactor: Redactor, cancelRoute: PostgresCanceller.Route?) {
        self.api = api
        self.handle = handle
        self.redactor = redactor
        self.cancelRoute = cancelRoute
        phase = .connecting(reading: false)
    }

    deinit { close() }

    /// Starts connecting with `parameters` (libpq keywords; a `dbname` holding a URI or key=value
    /// string is expanded, later keywords override it); `advance()` carries the handshake on.
    static func start(parameters: [(String, String)], redactor: Redactor, cancellable: Bool = true) throws(PostgresError) -> PostgresConnection {
        let api = try LibPQ.load()
        let handle = withCStringArrays(parameters) { keywords, values in api.PQconnectStartParams(keywords, values, 1) }
        guard let handle else { throw PostgresError(kind: .connect, message: "libpq could not allocate a connection") }
        let route = cancellable ? PostgresCanceller.Route(parameters: parameters, redactor: redactor) : nil
        let connection = PostgresConnection(api: api, handle: handle, redactor: redactor, cancelRoute: route)
        if api.PQstatus(handle) == CONNECTION_BAD { throw connection.failure(.connect) }
        // "Consider a status of PGRES_POLLING_WRITING at the start" (libpq docs, PQconnectStartParams).
        return connection
    }

    var isUsable: Bool {
        guard let handle, phase == .idle else { return false }
        return api.PQstatus(handle) == CONNECTION_OK
    }

    var isConnecting: Bool {
        if case .connecting = phase { return handle != nil }
        return false
    }

    /// The socket and what the current phase waits for; nil when idle or closed.
    var interest: Poll.Interest? {
        guard let handle else { return nil }
        // The socket can change while connecting (several hosts, SSL retry), so ask every time.
        let fd = api.PQsocket(handle)
        guard fd >= 0 else { return nil }
        switch phase {
        case .connecting(let reading): return Poll.Interest(fd: fd, readable: reading, writable: !reading)
        case .pipeline: return Poll.Interest(fd: fd, readable: true, writable: flushPending)
        case .idle: return nil
        }
    }

    /// Sends `statements` (one statement each) as one pipeline, a sync after each. Results arrive
    /// through `advance()` into `results`, one per statement, in order. `parameters[i]` are the
    /// text values of statement i's `$1…` (none for most).
    func send(_ statements: [String], parameters: [Int: [String]] = [:]) throws(PostgresError) {
        guard let handle, phase == .idle else { throw PostgresError(kind: .connection, message: "connection closed") }
        guard api.PQenterPipelineMode(handle) == 1 else { throw failure(.connection) }
        preparing = [:]
        for (index, sql) in statements.enumerated() {
            let name: String
            if let known = prepared[sql] {
                name = known
            } else {
                name = "stack_exporter_\(nextName)"
                nextName += 1
                let count = Int32(parameters[index]?.count ?? 0)
                guard api.PQsendPrepare(handle, name, sql, count, nil) == 1 else { throw failure(.connection) }
                preparing[index] = (sql, name)
            }
            let values = parameters[index] ?? []
            let sent = withCStringArray(values) { api.PQsendQueryPrepared(handle, name, Int32(values.count), $0, nil, nil, 0) }
            guard sent == 1, api.PQpipelineSync(handle) == 1 else { throw failure(.connection) }
        }
        statementCount = statements.count
        results = []
        results.reserveCapacity(statements.count)
        arrivals = []
        arrivals.reserveCapacity(statements.count)
        segmentRows = nil
        segmentError = nil
        flushPending = true
        phase = .pipeline
    }

    /// Does what the socket allows without blocking: a connect step, or flushing the pipeline and
    /// reading every result that has arrived. True when the phase is complete (connected, or every
    /// statement's result is in and the connection is idle again).
    func advance() throws(PostgresError) -> Bool {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection closed") }
        switch phase {
        case .idle:
            return true
        case .connecting:
            let polling = api.PQconnectPoll(handle)
            if polling == PGRES_POLLING_FAILED { throw failure(.connect) }
            if polling == PGRES_POLLING_OK {
                // Non-blocking sends: PQflush never blocks on a full socket buffer.
                _ = api.PQsetnonblocking(handle, 1)
                phase = .idle
                return true
            }
            phase = .connecting(reading: polling == PGRES_POLLING_READING)
            return false
        case .pipeline:
            return try advancePipeline(handle)
        }
    }

    func close() {
        guard let handle else { return }
        self.handle = nil
        api.PQfinish(handle)
    }

    /// The deadline passed: the connection is dropped and a running pipeline cancelled on the
    /// server, later, by `PostgresCanceller` (which never waits for the server unboundedly).
    func abandon() {
        guard let handle else { return }
        if phase == .pipeline, let cancelRoute {
            let pid = api.PQbackendPID(handle)
            if pid > 0 { PostgresCanceller.shared.cancel(backend: pid, route: cancelRoute) }
        }
        close()
    }

    /// The error of the last libpq call, redacted; closes the connection (it is of no further use).
    func failure(_ kind: PostgresError.Kind) -> PostgresError {
        let message = handle.map { text(api.PQerrorMessage($0)) } ?? "connection closed"
        let error = PostgresError(kind: kind, message: redactor.redact(message.isEmpty ? "connection failed" : message))
        close()
        return error
    }

    // MARK: private

    private func advancePipeline(_ handle: OpaquePointer) throws(PostgresError) -> Bool {
        if flushPending {
            let flushed = api.PQflush(handle)
            if flushed < 0 { throw failure(.connection) }
            flushPending = flushed == 1
        }
        // Input may be what unblocks the server's side of a long send (libpq docs, PQflush).
        guard api.PQconsumeInput(handle) == 1 else { throw failure(.connection) }
        var emptyInARow = 0
        while results.count < statementCount, api.PQisBusy(handle) == 0 {
            guard let result = api.PQgetResult(handle) else {
                // NULL ends one statement's results; twice in a row means nothing more is here yet.
                emptyInARow += 1
                if emptyInARow > 1 { break }
                continue
            }
            emptyInARow = 0
            absorb(result, handle: handle)
            api.PQclear(result)
        }
        if api.PQstatus(handle) != CONNECTION_OK { throw failure(.connection) }
        guard results.count == statementCount else { return false }
        guard api.PQexitPipelineMode(handle) == 1 else { throw failure(.connection) }
        phase = .idle
        return true
    }

    /// One result of the pipeline: rows or an error belong to the statement of the current sync
    /// segment; the sync closes it.
    private func absorb(_ result: OpaquePointer, handle: OpaquePointer) {
        let status = api.PQresultStatus(result)
        let index = results.count
        if status == PGRES_PIPELINE_SYNC {
            if let error = segmentError {
                results.append(.failure(error))
            } else {
                results.append(.success(segmentRows ?? QueryRows(columns: [], rows: [])))
            }
            segmentRows = nil
            segmentError = nil
            arrivals.append(MonotonicTime.now())
        } else if status == PGRES_TUPLES_OK {
            if segmentRows == nil { segmentRows = copyRows(result) }
        } else if status == PGRES_COMMAND_OK {
            // The PREPARE's answer: the name is usable from now on, whatever its execution does.
            if let statement = preparing.removeValue(forKey: index) { prepared[statement.sql] = statement.name }
        } else if status == PGRES_PIPELINE_ABORTED {
            if segmentError == nil { segmentError = PostgresError(kind: .query, message: "statement skipped after an error") }
        } else if segmentError == nil {
            let message = redactor.redact(text(api.PQresultErrorMessage(result)))
            // PG_DIAG_SQLSTATE is the byte 'C' (postgres_ext.h); spelled out so no C macro is used.
            let state = text(api.PQresultErrorField(result, Int32(UInt8(ascii: "C"))))
            // 26000 invalid_sql_statement_name: the session lost its prepared statements (a pooler's
            // DISCARD ALL): prepare again next time.
            if state == "26000" { prepared = [:] }
            segmentError = PostgresError(kind: api.PQstatus(handle) == CONNECTION_OK ? .query : .connection, message: message, sqlState: state)
        }
    }

    private func copyRows(_ result: OpaquePointer) -> QueryRows {
        // Never below 0 (libpq says so): `0..<fieldCount` would trap on a negative count.
        let fieldCount = max(0, api.PQnfields(result))
        let rowCount = max(0, min(api.PQntuples(result), Int32(Self.rowLimit)))
        var columns: [String] = []
        columns.reserveCapacity(Int(fieldCount))
        for field in 0..<fieldCount { columns.append(text(api.PQfname(result, field))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(fieldCount))
            for field in 0..<fieldCount {
                // Values are copied as they are: no trailing-newline trimming (that is for messages).
                values.append(api.PQgetisnull(result, row, field) == 1 ? nil : api.PQgetvalue(result, row, field).map { String(cString: $0) } ?? "")
            }
            rows.append(values)
        }
        return QueryRows(columns: columns, rows: rows)
    }

    private func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        var value = String(cString: pointer)
        while value.last == "\n" { value.removeLast() }
        return value
    }
}

/// `texts` as a C array of C strings for the duration of `body` (nil when empty).
private func withCStringArray<R>(_ texts: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    guard !texts.isEmpty else { return body(nil) }
    let copies = texts.map(copyCString)
    defer { for pointer in copies { UnsafeMutablePointer(mutating: pointer).deallocate() } }
    return copies.map { Optional($0) }.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Keyword and value arrays for PQconnectStartParams, each ending in NULL as libpq wants.
private func withCStringArrays<R>(
    _ pairs: [(String, String)], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> R
) -> R {
    let keywords: [UnsafePointer<CChar>?] = pairs.map { copyCString($0.0) } + [nil]
    let values: [UnsafePointer<CChar>?] = pairs.map { copyCString($0.1) } + [nil]
    defer {
        for pointer in keywords + values { pointer.map { UnsafeMutablePointer(mutating: $0).deallocate() } }
    }
    return keywords.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in body(k.baseAddress, v.baseAddress) }
    }
}

/// A NUL-terminated copy of `text` that lives until deallocated (libpq reads it during the call).
private func copyCString(_ text: String) -> UnsafePointer<CChar> {
    let bytes = Array(text.utf8CString)
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    buffer.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(buffer)
}
