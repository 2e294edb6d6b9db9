import CLibPQ

// The only file that sees libpq. libpq is dlopen'ed on first use (see Sources/CLibPQ/shim.h), its
// functions resolved once into typed pointers, and wrapped in a non-blocking connection whose every
// wait is a poll(2) bounded by the scrape deadline (libpq docs, "Asynchronous Command Processing"
// and "Database Connection Control Functions": PQconnectStartParams/PQconnectPoll).

/// What can go wrong talking to PostgreSQL. Messages are already redacted.
struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// libpq could not be loaded or lacks a function.
        case library
        /// The connection could not be established.
        case connect
        /// The deadline passed; the query was cancelled and the connection dropped.
        case timeout
        /// The server answered with an error; the connection is still usable.
        case query
        /// The connection broke mid-query.
        case connection
    }

    let kind: Kind
    let message: String
    /// The SQLSTATE of a query error (`42P01` undefined_table, `42501` insufficient_privilege).
    var sqlState: String = ""

    var description: String { message }
}

/// libpq's functions, resolved with dlsym from libpq.so.5.
struct LibPQ: @unchecked Sendable {
    // @unchecked: C function pointers into a library that is never unloaded.
    typealias CString = UnsafeMutablePointer<CChar>?
    let connectStartParams: @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> OpaquePointer?
    let connectPoll: @convention(c) (OpaquePointer?) -> PostgresPollingStatusType
    let status: @convention(c) (OpaquePointer?) -> ConnStatusType
    let finish: @convention(c) (OpaquePointer?) -> Void
    let socket: @convention(c) (OpaquePointer?) -> Int32
    let errorMessage: @convention(c) (OpaquePointer?) -> CString
    let serverVersion: @convention(c) (OpaquePointer?) -> Int32
    let setNonblocking: @convention(c) (OpaquePointer?, Int32) -> Int32
    let sendPrepare: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?) -> Int32
    let sendQueryPrepared: @convention(c) (
        OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32
    ) -> Int32
    let enterPipelineMode: @convention(c) (OpaquePointer?) -> Int32
    let exitPipelineMode: @convention(c) (OpaquePointer?) -> Int32
    let pipelineSync: @convention(c) (OpaquePointer?) -> Int32
    let flush: @convention(c) (OpaquePointer?) -> Int32
    let consumeInput: @convention(c) (OpaquePointer?) -> Int32
    let isBusy: @convention(c) (OpaquePointer?) -> Int32
    let getResult: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let resultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType
    let resultErrorMessage: @convention(c) (OpaquePointer?) -> CString
    let resultErrorField: @convention(c) (OpaquePointer?, Int32) -> CString
    let ntuples: @convention(c) (OpaquePointer?) -> Int32
    let nfields: @convention(c) (OpaquePointer?) -> Int32
    let fname: @convention(c) (OpaquePointer?, Int32) -> CString
    let getvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> CString
    let getisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let clear: @convention(c) (OpaquePointer?) -> Void
    let backendPID: @convention(c) (OpaquePointer?) -> Int32

    /// Loaded once, on first use (Swift runs a static initializer exactly once, thread-safely).
    private static let shared: Result<LibPQ, PostgresError> = {
        do throws(DynamicLibrary.LoadError) {
            return .success(try LibPQ(library: DynamicLibrary.open("libpq.so.5")))
        } catch {
            return .failure(PostgresError(kind: .library, message: error.description))
        }
    }()

    static func load() throws(PostgresError) -> LibPQ { try shared.get() }

    private init(library l: DynamicLibrary) throws(DynamicLibrary.LoadError) {
        connectStartParams = try l.function("PQconnectStartParams", as: type(of: connectStartParams))
        connectPoll = try l.function("PQconnectPoll", as: type(of: connectPoll))
        status = try l.function("PQstatus", as: type(of: status))
        finish = try l.function("PQfinish", as: type(of: finish))
        socket = try l.function("PQsocket", as: type(of: socket))
        errorMessage = try l.function("PQerrorMessage", as: type(of: errorMessage))
        serverVersion = try l.function("PQserverVersion", as: type(of: serverVersion))
        setNonblocking = try l.function("PQsetnonblocking", as: type(of: setNonblocking))
        sendPrepare = try l.function("PQsendPrepare", as: type(of: sendPrepare))
        sendQueryPrepared = try l.function("PQsendQueryPrepared", as: type(of: sendQueryPrepared))
        // Pipeline mode arrived in libpq 14: an older libpq is a start-up error naming the symbol.
        enterPipelineMode = try l.function("PQenterPipelineMode", as: type(of: enterPipelineMode))
        exitPipelineMode = try l.function("PQexitPipelineMode", as: type(of: exitPipelineMode))
        pipelineSync = try l.function("PQpipelineSync", as: type(of: pipelineSync))
        flush = try l.function("PQflush", as: type(of: flush))
        consumeInput = try l.function("PQconsumeInput", as: type(of: consumeInput))
        isBusy = try l.function("PQisBusy", as: type(of: isBusy))
        getResult = try l.function("PQgetResult", as: type(of: getResult))
        resultStatus = try l.function("PQresultStatus", as: type(of: resultStatus))
        resultErrorMessage = try l.function("PQresultErrorMessage", as: type(of: resultErrorMessage))
        resultErrorField = try l.function("PQresultErrorField", as: type(of: resultErrorField))
        ntuples = try l.function("PQntuples", as: type(of: ntuples))
        nfields = try l.function("PQnfields", as: type(of: nfields))
        fname = try l.function("PQfname", as: type(of: fname))
        getvalue = try l.function("PQgetvalue", as: type(of: getvalue))
        getisnull = try l.function("PQgetisnull", as: type(of: getisnull))
        clear = try l.function("PQclear", as: type(of: clear))
        backendPID = try l.function("PQbackendPID", as: type(of: backendPID))
    }
}

/// A query's rows as text (libpq's text format), copied out of the PGresult.
struct QueryRows: Sendable, Equatable {
    var columns: [String]
    var rows: [[String?]]

    init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// One statement's outcome in a pipeline: its rows, or the server's error for it alone.
typealias StatementResult = Result<QueryRows, PostgresError>

/// One libpq connection in non-blocking mode, stepped by `PostgresDriver` (or waited on alone).
/// Statements run in pipeline mode (libpq docs, "Pipeline Mode"): all of a scrape's statements
/// are sent at once, each followed by a sync so that a failing one (permission denied, missing
/// extension) aborts only itself, and each is prepared once per connection so the server parses
/// and plans it once (a statement without parameters gets a generic plan at once; the server
/// re-plans by itself after DDL or ANALYZE, PostgreSQL docs "PREPARE"). Not thread-safe: one owner
/// at a time.
final class PostgresConnection {
    private let api: LibPQ
    private var handle: OpaquePointer?
    private let redactor: Redactor
    /// Where a statement abandoned at the deadline is cancelled from; nil: not cancelled (the
    /// canceller's own sessions).
    private let cancelRoute: PostgresCanceller.Route?
    /// `server_version_num`, e.g. 150018; 0 once closed.
    var serverVersion: Int { handle.map { Int(api.serverVersion($0)) } ?? 0 }

    /// Rows beyond this are dropped: a scrape must not hold an unbounded result.
    static let rowLimit = 100_000

    private enum Phase: Equatable { case connecting(reading: Bool), idle, pipeline }
    private var phase: Phase
    /// Output still buffered in libpq (PQflush returned 1).
    private var flushPending = false
    /// Statements of the running pipeline, how many syncs arrived, and their outcomes so far.
    private var statementCount = 0
    private var results: [StatementResult] = []
    /// When each statement's sync arrived: the server runs a pipeline in order, so the gaps are
    /// each statement's time (`pg_scrape_collector_duration_seconds`).
    private var arrivals: [MonotonicTime] = []
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
        let handle = withCStringArrays(parameters) { keywords, values in api.connectStartParams(keywords, values, 1) }
        guard let handle else { throw PostgresError(kind: .connect, message: "libpq could not allocate a connection") }
        let route = cancellable ? PostgresCanceller.Route(parameters: parameters, redactor: redactor) : nil
        let connection = PostgresConnection(api: api, handle: handle, redactor: redactor, cancelRoute: route)
        if api.status(handle) == CONNECTION_BAD { throw connection.failure(.connect) }
        // "Consider a status of PGRES_POLLING_WRITING at the start" (libpq docs, PQconnectStartParams).
        return connection
    }

    /// Connects, waiting in poll(2) no later than `deadline`.
    static func open(
        parameters: [(String, String)], deadline: MonotonicTime, redactor: Redactor, cancellable: Bool = true
    ) throws(PostgresError) -> PostgresConnection {
        let connection = try start(parameters: parameters, redactor: redactor, cancellable: cancellable)
        try connection.complete(until: deadline)
        return connection
    }

    var isUsable: Bool {
        guard let handle, phase == .idle else { return false }
        return api.status(handle) == CONNECTION_OK
    }

    var isConnecting: Bool {
        if case .connecting = phase { return handle != nil }
        return false
    }

    /// The socket and what the current phase waits for; nil when idle or closed.
    var interest: DescriptorPoll.Interest? {
        guard let handle else { return nil }
        // The socket can change while connecting (several hosts, SSL retry), so ask every time.
        let fd = api.socket(handle)
        guard fd >= 0 else { return nil }
        switch phase {
        case .connecting(let reading): return DescriptorPoll.Interest(fd: fd, readable: reading, writable: !reading)
        case .pipeline: return DescriptorPoll.Interest(fd: fd, readable: true, writable: flushPending)
        case .idle: return nil
        }
    }

    /// Sends `statements` (one statement each) as one pipeline, a sync after each. Results arrive
    /// through `advance()`; `takeResults()` hands them over, one per statement, in order.
    /// `parameters[i]` are the text values of statement i's `$1…` (none for most).
    func send(_ statements: [String], parameters: [Int: [String]] = [:]) throws(PostgresError) {
        guard let handle, phase == .idle else { throw PostgresError(kind: .connection, message: "connection closed") }
        guard api.enterPipelineMode(handle) == 1 else { throw failure(.connection) }
        preparing = [:]
        for (index, sql) in statements.enumerated() {
            let name: String
            if let known = prepared[sql] {
                name = known
            } else {
                name = "stack_exporter_\(nextName)"
                nextName += 1
                let count = Int32(parameters[index]?.count ?? 0)
                guard api.sendPrepare(handle, name, sql, count, nil) == 1 else { throw failure(.connection) }
                preparing[index] = (sql, name)
            }
            let values = parameters[index] ?? []
            let sent = withCStringArray(values) { api.sendQueryPrepared(handle, name, Int32(values.count), $0, nil, nil, 0) }
            guard sent == 1, api.pipelineSync(handle) == 1 else { throw failure(.connection) }
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
            let polling = api.connectPoll(handle)
            if polling == PGRES_POLLING_FAILED { throw failure(.connect) }
            if polling == PGRES_POLLING_OK {
                // Non-blocking sends: PQflush never blocks on a full socket buffer.
                _ = api.setNonblocking(handle, 1)
                phase = .idle
                return true
            }
            phase = .connecting(reading: polling == PGRES_POLLING_READING)
            return false
        case .pipeline:
            if flushPending {
                let flushed = api.flush(handle)
                if flushed < 0 { throw failure(.connection) }
                flushPending = flushed == 1
            }
            // Input may be what unblocks the server's side of a long send (libpq docs, PQflush).
            guard api.consumeInput(handle) == 1 else { throw failure(.connection) }
            var emptyInARow = 0
            while results.count < statementCount, api.isBusy(handle) == 0 {
                guard let result = api.getResult(handle) else {
                    // NULL ends one statement's results; twice in a row means nothing more is here yet.
                    emptyInARow += 1
                    if emptyInARow > 1 { break }
                    continue
                }
                emptyInARow = 0
                absorb(result, handle: handle)
                api.clear(result)
            }
            if api.status(handle) != CONNECTION_OK { throw failure(.connection) }
            guard results.count == statementCount else { return false }
            guard api.exitPipelineMode(handle) == 1 else { throw failure(.connection) }
            phase = .idle
            return true
        }
    }

    /// The results of the last pipeline, one per statement.
    func takeResults() -> [StatementResult] {
        defer { results = [] }
        return results
    }

    /// Seconds each statement of the last pipeline took, measured between result arrivals from `start`.
    func lastArrivals(since start: MonotonicTime) -> [Double] {
        var previous = start
        return arrivals.map { arrival in
            defer { previous = arrival }
            return max(0, previous.seconds(until: arrival))
        }
    }

    /// Sends `statements` and waits for every result, no later than `deadline`, handing each to
    /// `each` (index, result, seconds it took) as soon as it arrives, so the caller works on it
    /// while the server runs the next ones. On timeout the statements are cancelled and the
    /// connection closed.
    func run(
        _ statements: [String], deadline: MonotonicTime, each: (Int, StatementResult, Double) -> Void
    ) throws(PostgresError) {
        try send(statements)
        var delivered = 0
        var previous = MonotonicTime.now()
        func deliver() {
            while delivered < results.count, delivered < arrivals.count {
                each(delivered, results[delivered], max(0, previous.seconds(until: arrivals[delivered])))
                previous = arrivals[delivered]
                delivered += 1
            }
        }
        try complete(until: deadline, progress: deliver)
        deliver()
        results = []
    }

    func close() {
        guard let handle else { return }
        self.handle = nil
        api.finish(handle)
    }

    /// The deadline passed: the connection is dropped and a running pipeline cancelled on the
    /// server, later, by `PostgresCanceller` (which never waits for the server unboundedly).
    func abandon() {
        guard let handle else { return }
        if phase == .pipeline, let cancelRoute {
            let pid = api.backendPID(handle)
            if pid > 0 { PostgresCanceller.shared.cancel(backend: pid, route: cancelRoute) }
        }
        close()
    }

    // MARK: private

    /// One result of the pipeline: rows or an error belong to the statement of the current sync
    /// segment; the sync closes it.
    private func absorb(_ result: OpaquePointer, handle: OpaquePointer) {
        let status = api.resultStatus(result)
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
            let message = redactor.redact(text(api.resultErrorMessage(result)))
            // PG_DIAG_SQLSTATE is the byte 'C' (postgres_ext.h); spelled out so no C macro is used.
            let state = text(api.resultErrorField(result, Int32(UInt8(ascii: "C"))))
            // 26000 invalid_sql_statement_name: the session lost its prepared statements (a pooler's
            // DISCARD ALL): prepare again next time.
            if state == "26000" { prepared = [:] }
            segmentError = PostgresError(kind: api.status(handle) == CONNECTION_OK ? .query : .connection, message: message, sqlState: state)
        }
    }

    /// Steps this connection alone until its phase completes or `deadline` passes.
    private func complete(until deadline: MonotonicTime, progress: () -> Void = {}) throws(PostgresError) {
        while try !advance() {
            progress()
            guard let interest else { throw failure(.connection) }
            let left = MonotonicTime.now().seconds(until: deadline)
            let outcome = left > 0
                ? DescriptorPoll.wait(interest.fd, readable: interest.readable, writable: interest.writable,
                                      timeoutMilliseconds: Int32(min(left * 1000, 3_600_000).rounded(.up)))
                : .timedOut
            switch outcome {
            case .ready: continue
            case .failed: throw failure(isConnecting ? .connect : .connection)
            case .timedOut:
                let connecting = isConnecting
                abandon()
                throw PostgresError(kind: .timeout, message: connecting
                    ? "connect timed out before the scrape deadline" : "query cancelled at the scrape deadline")
            }
        }
    }

    private func failure(_ kind: PostgresError.Kind) -> PostgresError {
        let message = handle.map { text(api.errorMessage($0)) } ?? "connection closed"
        let error = PostgresError(kind: kind, message: redactor.redact(message.isEmpty ? "connection failed" : message))
        close()
        return error
    }

    private func copyRows(_ result: OpaquePointer) -> QueryRows {
        // Never below 0 (libpq says so): `0..<fieldCount` would trap on a negative count.
        let fieldCount = max(0, api.nfields(result))
        let rowCount = min(api.ntuples(result), Int32(Self.rowLimit))
        var columns: [String] = []
        columns.reserveCapacity(Int(fieldCount))
        for field in 0..<fieldCount { columns.append(text(api.fname(result, field))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(max(0, rowCount)))
        for row in 0..<max(0, rowCount) {
            var values: [String?] = []
            values.reserveCapacity(Int(fieldCount))
            for field in 0..<fieldCount {
                // Values are copied as they are: no trailing-newline trimming (that is for messages).
                values.append(api.getisnull(result, row, field) == 1 ? nil : api.getvalue(result, row, field).map { String(cString: $0) } ?? "")
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

/// Work on one connection that `PostgresDriver` steps whenever its socket is ready.
protocol PostgresTask: AnyObject {
    /// The connection waited on; nil once the task is done.
    var connection: PostgresConnection? { get }
    /// When the current step must be over (connect timeout, scrape deadline).
    var deadline: MonotonicTime { get }
    /// Starts the task, then continues it each time its socket is ready; false once it is done.
    func proceed() -> Bool
    /// The deadline passed before the task was done.
    func expire()
}

/// Runs tasks on their connections concurrently from one thread: poll(2) over every socket with
/// work, at most `concurrency` tasks in flight, each bounded by its own deadline.
enum PostgresDriver {
    static func run(_ tasks: [any PostgresTask], concurrency: Int) {
        var waiting = tasks[...]
        var active: [any PostgresTask] = []
        while true {
            while active.count < max(1, concurrency), let next = waiting.popFirst() {
                // Past its deadline a task is not started: no connect only to give it up.
                if MonotonicTime.now().seconds(until: next.deadline) <= 0 {
                    next.expire()
                } else if next.proceed() {
                    active.append(next)
                }
            }
            if active.isEmpty { return }
            let now = MonotonicTime.now()
            var interests: [DescriptorPoll.Interest] = []
            var waitingTasks: [any PostgresTask] = []
            var earliest = 3600.0
            for task in active {
                let left = now.seconds(until: task.deadline)
                if left <= 0 {
                    task.expire()
                } else if let interest = task.connection?.interest {
                    interests.append(interest)
                    waitingTasks.append(task)
                    earliest = min(earliest, left)
                } else {
                    // Nothing to wait for yet not done (its connection broke): it must not spin.
                    task.expire()
                }
            }
            active = []
            guard !waitingTasks.isEmpty else { continue }
            let outcome = DescriptorPoll.waitAny(&interests, timeoutMilliseconds: Int32((earliest * 1000).rounded(.up)))
            if outcome == .failed {
                for task in waitingTasks { task.expire() }
                continue
            }
            for (position, task) in waitingTasks.enumerated() {
                // On .timedOut nothing is ready: the next round expires the tasks that are due.
                if outcome != .ready || !interests[position].ready || task.proceed() { active.append(task) }
            }
        }
    }
}

/// Calls `body` with NUL-terminated keyword and value arrays, each ending in NULL as libpq wants.
/// `texts` as a C array of C strings for the duration of `body` (nil when empty).
private func withCStringArray<R>(_ texts: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    guard !texts.isEmpty else { return body(nil) }
    let copies = texts.map { text -> UnsafePointer<CChar>? in
        let bytes = Array(text.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        buffer.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(buffer)
    }
    defer { for pointer in copies { pointer.map { UnsafeMutablePointer(mutating: $0).deallocate() } } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress) }
}

private func withCStringArrays<R>(_ pairs: [(String, String)], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    func copy(_ text: String) -> UnsafePointer<CChar>? {
        let bytes = Array(text.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        buffer.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(buffer)
    }
    let keywords = pairs.map { copy($0.0) } + [nil]
    let values = pairs.map { copy($0.1) } + [nil]
    defer {
        for pointer in keywords + values { pointer.map { UnsafeMutablePointer(mutating: $0).deallocate() } }
    }
    return keywords.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in
            body(k.baseAddress, v.baseAddress)
        }
    }
}
