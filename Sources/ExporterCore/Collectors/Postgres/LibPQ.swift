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
    let sendQuery: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
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
    let getCancel: @convention(c) (OpaquePointer?) -> OpaquePointer?
    let cancel: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int32) -> Int32
    let freeCancel: @convention(c) (OpaquePointer?) -> Void

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
        sendQuery = try l.function("PQsendQuery", as: type(of: sendQuery))
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
        getCancel = try l.function("PQgetCancel", as: type(of: getCancel))
        cancel = try l.function("PQcancel", as: type(of: cancel))
        freeCancel = try l.function("PQfreeCancel", as: type(of: freeCancel))
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

/// One libpq connection in non-blocking mode. Not thread-safe: its owner keeps it under a lock.
final class PostgresConnection {
    private let api: LibPQ
    private var handle: OpaquePointer?
    private let redactor: Redactor
    /// `server_version_num`, e.g. 150018; 0 once closed.
    var serverVersion: Int { handle.map { Int(api.serverVersion($0)) } ?? 0 }

    /// Rows beyond this are dropped: a scrape must not hold an unbounded result.
    static let rowLimit = 100_000

    private init(api: LibPQ, handle: OpaquePointer, redactor: Redactor) {
        self.api = api
        self.handle = handle
        self.redactor = redactor
    }

    deinit { close() }

    /// Connects with `parameters` (libpq keywords; a `dbname` holding a URI or key=value string is
    /// expanded, later keywords override it), waiting in poll(2) no later than `deadline`.
    static func open(parameters: [(String, String)], deadline: MonotonicTime, redactor: Redactor) throws(PostgresError) -> PostgresConnection {
        let api = try LibPQ.load()
        let handle = withCStringArrays(parameters) { keywords, values in api.connectStartParams(keywords, values, 1) }
        guard let handle else { throw PostgresError(kind: .connect, message: "libpq could not allocate a connection") }
        let connection = PostgresConnection(api: api, handle: handle, redactor: redactor)
        if api.status(handle) == CONNECTION_BAD { throw connection.failure(.connect) }
        // "Consider a status of PGRES_POLLING_WRITING at the start" (libpq docs, PQconnectStartParams).
        var polling = PGRES_POLLING_WRITING
        while polling != PGRES_POLLING_OK {
            if polling == PGRES_POLLING_FAILED { throw connection.failure(.connect) }
            let reading = polling == PGRES_POLLING_READING
            // The socket can change between polls (several hosts, SSL retry), so ask every time.
            switch connection.wait(readable: reading, writable: !reading, until: deadline) {
            case .ready: break
            case .timedOut:
                connection.close()
                throw PostgresError(kind: .timeout, message: "connect timed out before the scrape deadline")
            case .failed: throw connection.failure(.connect)
            }
            polling = api.connectPoll(handle)
        }
        // Non-blocking sends: PQsendQuery/PQflush never block on a full socket buffer.
        _ = api.setNonblocking(handle, 1)
        return connection
    }

    var isUsable: Bool {
        guard let handle else { return false }
        return api.status(handle) == CONNECTION_OK
    }

    /// Runs `sql` (one statement) and returns the rows of its result, waiting no later than
    /// `deadline`. On timeout the query is cancelled and the connection closed.
    func query(_ sql: String, deadline: MonotonicTime) throws(PostgresError) -> QueryRows {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection closed") }
        guard api.sendQuery(handle, sql) == 1 else { throw failure(.connection) }
        while true {
            let flushed = api.flush(handle)
            if flushed == 0 { break }
            if flushed < 0 { throw failure(.connection) }
            try waitOrAbandon(readable: true, writable: true, until: deadline)
            // Input may be what unblocks the server's side: consume it (libpq docs, PQflush).
            guard api.consumeInput(handle) == 1 else { throw failure(.connection) }
        }
        var rows: QueryRows? = nil
        var error: PostgresError? = nil
        while true {
            while api.isBusy(handle) == 1 {
                try waitOrAbandon(readable: true, writable: false, until: deadline)
                guard api.consumeInput(handle) == 1 else { throw failure(.connection) }
            }
            guard let result = api.getResult(handle) else { break }
            defer { api.clear(result) }
            let status = api.resultStatus(result)
            if status == PGRES_TUPLES_OK {
                if rows == nil { rows = copyRows(result) }
            } else if status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY {
                if rows == nil { rows = QueryRows(columns: [], rows: []) }
            } else if error == nil {
                let message = redactor.redact(text(api.resultErrorMessage(result)))
                // PG_DIAG_SQLSTATE is the byte 'C' (postgres_ext.h); spelled out so no C macro is used.
                let state = text(api.resultErrorField(result, Int32(UInt8(ascii: "C"))))
                error = PostgresError(kind: api.status(handle) == CONNECTION_OK ? .query : .connection, message: message, sqlState: state)
            }
        }
        if let error { throw error }
        return rows ?? QueryRows(columns: [], rows: [])
    }

    func close() {
        guard let handle else { return }
        self.handle = nil
        api.finish(handle)
    }

    // MARK: private

    private func waitOrAbandon(readable: Bool, writable: Bool, until deadline: MonotonicTime) throws(PostgresError) {
        switch wait(readable: readable, writable: writable, until: deadline) {
        case .ready: return
        case .failed: throw failure(.connection)
        case .timedOut:
            abandon()
            throw PostgresError(kind: .timeout, message: "query cancelled at the scrape deadline")
        }
    }

    private func wait(readable: Bool, writable: Bool, until deadline: MonotonicTime) -> DescriptorPoll.Outcome {
        guard let handle else { return .failed }
        let fd = api.socket(handle)
        guard fd >= 0 else { return .failed }
        let left = MonotonicTime.now().seconds(until: deadline)
        guard left > 0 else { return .timedOut }
        return DescriptorPoll.wait(fd, readable: readable, writable: writable, timeoutMilliseconds: Int32(min(left * 1000, 3_600_000).rounded(.up)))
    }

    /// Asks the server to cancel the running query and drops the connection. PQcancel (libpq 15 has
    /// no non-blocking cancel) opens its own connection and waits for the server, which may be
    /// stopped, so it runs on a detached thread; at most one per abandoned connection.
    private func abandon() {
        guard let handle else { return }
        if let cancel = api.getCancel(handle) {
            let request = CancelRequest(api: api, cancel: cancel)
            if !ThreadLauncher.start(name: "se-pg-cancel", { request.send() }) { request.free() }
        }
        close()
    }

    private func failure(_ kind: PostgresError.Kind) -> PostgresError {
        let message = handle.map { text(api.errorMessage($0)) } ?? "connection closed"
        let error = PostgresError(kind: kind, message: redactor.redact(message.isEmpty ? "connection failed" : message))
        if kind == .connect || kind == .connection { close() }
        return error
    }

    private func copyRows(_ result: OpaquePointer) -> QueryRows {
        let fieldCount = api.nfields(result)
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
                values.append(api.getisnull(result, row, field) == 1 ? nil : text(api.getvalue(result, row, field)))
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

/// A PGcancel handed to a helper thread.
private final class CancelRequest: @unchecked Sendable {
    // @unchecked: the PGcancel is used by exactly one thread after the hand-over.
    private let api: LibPQ
    private let cancel: OpaquePointer

    init(api: LibPQ, cancel: OpaquePointer) {
        self.api = api
        self.cancel = cancel
    }

    func send() {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = api.cancel(cancel, &buffer, Int32(buffer.count))
        free()
    }

    func free() { api.freeCancel(cancel) }
}

/// Calls `body` with NUL-terminated keyword and value arrays, each ending in NULL as libpq wants.
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
