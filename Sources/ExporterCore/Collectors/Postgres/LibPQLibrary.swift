import CLibPQ

// Loading libpq: dlopen on first use (see Sources/CLibPQ/shim.h for why it is not linked) and
// one dlsym per function. The connection (LibPQConnection.swift) and the driver (LibPQDriver.swift)
// are the only other users of CLibPQ.

/// libpq's functions, resolved with dlsym from libpq.so.5. Each field is named after its C
/// function and typed from the header (`se_<name>_fn` in the shim), so a signature that does not
/// match libpq-fe.h fails to compile and LibPQConnection.swift reads like plain C calls.
struct LibPQ: @unchecked Sendable {
    // @unchecked: C function pointers into a library that is never unloaded.
    let PQconnectStartParams: se_PQconnectStartParams_fn
    let PQconnectPoll: se_PQconnectPoll_fn
    let PQstatus: se_PQstatus_fn
    let PQfinish: se_PQfinish_fn
    let PQsocket: se_PQsocket_fn
    let PQerrorMessage: se_PQerrorMessage_fn
    let PQserverVersion: se_PQserverVersion_fn
    let PQsetnonblocking: se_PQsetnonblocking_fn
    let PQsendPrepare: se_PQsendPrepare_fn
    let PQsendQueryPrepared: se_PQsendQueryPrepared_fn
    let PQenterPipelineMode: se_PQenterPipelineMode_fn
    let PQexitPipelineMode: se_PQexitPipelineMode_fn
    let PQpipelineSync: se_PQpipelineSync_fn
    let PQflush: se_PQflush_fn
    let PQconsumeInput: se_PQconsumeInput_fn
    let PQisBusy: se_PQisBusy_fn
    let PQgetResult: se_PQgetResult_fn
    let PQresultStatus: se_PQresultStatus_fn
    let PQresultErrorMessage: se_PQresultErrorMessage_fn
    let PQresultErrorField: se_PQresultErrorField_fn
    let PQntuples: se_PQntuples_fn
    let PQnfields: se_PQnfields_fn
    let PQfname: se_PQfname_fn
    let PQgetvalue: se_PQgetvalue_fn
    let PQgetisnull: se_PQgetisnull_fn
    let PQclear: se_PQclear_fn
    let PQbackendPID: se_PQbackendPID_fn

    /// Loaded once, on first use (Swift runs a static initializer exactly once, thread-safely).
    private static let shared = Result { () throws(DynamicLibrary.LoadError) in try LibPQ(library: DynamicLibrary.open("libpq.so.5")) }
        .mapError { PostgresError(kind: .library, message: $0.description) }

    static func load() throws(PostgresError) -> LibPQ { try shared.get() }

    private init(library l: DynamicLibrary) throws(DynamicLibrary.LoadError) {
        PQconnectStartParams = try l.function("PQconnectStartParams", as: se_PQconnectStartParams_fn.self)
        PQconnectPoll = try l.function("PQconnectPoll", as: se_PQconnectPoll_fn.self)
        PQstatus = try l.function("PQstatus", as: se_PQstatus_fn.self)
        PQfinish = try l.function("PQfinish", as: se_PQfinish_fn.self)
        PQsocket = try l.function("PQsocket", as: se_PQsocket_fn.self)
        PQerrorMessage = try l.function("PQerrorMessage", as: se_PQerrorMessage_fn.self)
        PQserverVersion = try l.function("PQserverVersion", as: se_PQserverVersion_fn.self)
        PQsetnonblocking = try l.function("PQsetnonblocking", as: se_PQsetnonblocking_fn.self)
        PQsendPrepare = try l.function("PQsendPrepare", as: se_PQsendPrepare_fn.self)
        PQsendQueryPrepared = try l.function("PQsendQueryPrepared", as: se_PQsendQueryPrepared_fn.self)
        // Pipeline mode arrived in libpq 14: an older libpq is a start-up error naming the symbol.
        PQenterPipelineMode = try l.function("PQenterPipelineMode", as: se_PQenterPipelineMode_fn.self)
        PQexitPipelineMode = try l.function("PQexitPipelineMode", as: se_PQexitPipelineMode_fn.self)
        PQpipelineSync = try l.function("PQpipelineSync", as: se_PQpipelineSync_fn.self)
        PQflush = try l.function("PQflush", as: se_PQflush_fn.self)
        PQconsumeInput = try l.function("PQconsumeInput", as: se_PQconsumeInput_fn.self)
        PQisBusy = try l.function("PQisBusy", as: se_PQisBusy_fn.self)
        PQgetResult = try l.function("PQgetResult", as: se_PQgetResult_fn.self)
        PQresultStatus = try l.function("PQresultStatus", as: se_PQresultStatus_fn.self)
        PQresultErrorMessage = try l.function("PQresultErrorMessage", as: se_PQresultErrorMessage_fn.self)
        PQresultErrorField = try l.function("PQresultErrorField", as: se_PQresultErrorField_fn.self)
        PQntuples = try l.function("PQntuples", as: se_PQntuples_fn.self)
        PQnfields = try l.function("PQnfields", as: se_PQnfields_fn.self)
        PQfname = try l.function("PQfname", as: se_PQfname_fn.self)
        PQgetvalue = try l.function("PQgetvalue", as: se_PQgetvalue_fn.self)
        PQgetisnull = try l.function("PQgetisnull", as: se_PQgetisnull_fn.self)
        PQclear = try l.function("PQclear", as: se_PQclear_fn.self)
        PQbackendPID = try l.function("PQbackendPID", as: se_PQbackendPID_fn.self)
    }
}
