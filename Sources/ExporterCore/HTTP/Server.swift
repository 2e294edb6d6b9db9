import Dispatch

/// An HTTP/1.1 server on one epoll event loop: all socket I/O, parsing and timeouts happen on the
/// thread that calls `run()`, so a slow client costs a few hundred bytes and never a thread.
/// The loop itself only accepts, parses, writes and answers static pages; every scrape and probe
/// goes to a worker thread, admitted by its `WorkClass` limit, and comes back through
/// `ServerControl`. A worker that misses its deadline (a read stuck in the kernel) is answered
/// for by the loop with a 503, so no client waits past the deadline and no other connection waits
/// at all.
public final class HTTPServer {
    public let control: ServerControl
    public let boundPorts: [UInt16]

    private let listeners: [Socket]
    private let handler: any HTTPHandler
    private let limits: ServerLimits
    private let logger: Logger
    private let stats: ServerStats
    private let parser: RequestParser
    private let workers: WorkerPool
    private let web: any WebPolicyProvider
    /// bcrypt checks: few threads, so wrong passwords cannot take more than that many cores.
    private let authWorkers: WorkerPool
    /// bcrypt checks running or queued.
    private var authInFlight = 0

    private let epoll: Epoll
    private var connections: [UInt64: Connection] = [:]
    private var nextConnectionID: UInt64 = Token.firstConnection
    private var workInFlight = [Int](repeating: 0, count: WorkClass.allCases.count)
    private var waiting = WaitingConnections()
    private var shuttingDown = false
    private var shutdownDeadline = MonotonicTime(nanoseconds: 0)
    private var reserveDescriptor: Int32
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    private var cachedDate: (second: Int, text: String) = (0, "")
    private var lastAcceptErrorLog = MonotonicTime(nanoseconds: 0)

    private enum Token {
        static let wakeup: UInt64 = 0
        static let firstConnection: UInt64 = 1 << 32
    }

    public init(
        listeners: [Socket], handler: any HTTPHandler, limits: ServerLimits, stats: ServerStats, logger: Logger,
        web: any WebPolicyProvider = FixedWebPolicy()
    ) throws(SystemError) {
        self.listeners = listeners
        self.web = web
        self.authWorkers = WorkerPool(name: "se-http-auth", maxThreads: limits.maxConcurrentAuthChecks)
        self.handler = handler
        self.limits = limits
        self.stats = stats
        self.logger = logger
        self.parser = RequestParser(maxHeadBytes: limits.maxHeadBytes, maxHeaderCount: limits.maxHeaderCount)
        // Admission bounds the work in flight, so the pool never needs more threads than that.
        self.workers = WorkerPool(
            name: "se-http-worker", maxThreads: min(limits.maxConcurrentRequests, 64) + min(limits.maxConcurrentProbes, 32))
        self.control = try ServerControl()
        self.epoll = try Epoll()
        self.boundPorts = listeners.compactMap { $0.localPort() }
        self.reserveDescriptor = ProcessSetup.reserveDescriptor()
        try epoll.add(control.wakeup.readEnd, token: Token.wakeup, interest: .readable)
        for (index, listener) in listeners.enumerated() {
            try epoll.add(listener.fd, token: UInt64(index + 1), interest: .readable)
        }
    }

    /// Serves until `control.requestShutdown()`, then finishes in-flight responses (bounded by
    /// `shutdownGrace`) and closes everything.
    ///
    /// Timeouts are swept at most every 250 ms while events arrive; once the loop goes quiet, one
    /// sweep finds the earliest moment a connection can time out and the loop sleeps until then
    /// (or for ever, with no connection): an idle exporter does not wake up between scrapes.
    public func run() {
        var lastSweep = MonotonicTime.now()
        var nextExpiry: MonotonicTime? = nil
        var changed = false  // events since the last sweep: its nextExpiry may be stale
        while true {
            let events = epoll.wait(timeoutMilliseconds: Self.waitMilliseconds(changed: changed || shuttingDown, until: nextExpiry))
            for event in events { handle(event) }
            changed = changed || !events.isEmpty
            if control.shutdownRequested && !shuttingDown { beginShutdown() }
            let now = MonotonicTime.now()
            if lastSweep.seconds(until: now) >= 0.25 || nextExpiry.map({ $0 <= now }) == true {
                nextExpiry = sweepTimeouts(now: now)
                lastSweep = now
                changed = false
            }
            if shuttingDown && (connections.isEmpty || shutdownDeadline < now) { break }
        }
        for connection in Array(connections.values) { close(connection) }
        for listener in listeners where !shuttingDown { listener.close() }
        ProcessSetup.closeDescriptor(reserveDescriptor)
        control.wakeup.close()
    }

    // MARK: events

    private func handle(_ event: Epoll.Event) {
        switch event.token {
        case Token.wakeup:
            control.wakeup.drain()
            for completion in control.takeCompletions() {
                switch completion.kind {
                case .work(let work, let response): finishWork(work, response, connectionID: completion.connectionID)
                case .authentication(let allowed): finishAuthentication(allowed, connectionID: completion.connectionID)
                }
            }
        case 1...UInt64(listeners.count):
            acceptAll(listeners[Int(event.token) - 1])
        default:
            guard let connection = connections[event.token] else { return }
            if connection.tls != nil, event.readable || event.writable, !event.hangup {
                // TLS may wait for the other direction than the phase suggests (see TLSSession).
                if case .writing = connection.phase { flush(connection) } else { readable(connection) }
                return
            }
            if event.readable || event.hangup { readable(connection) }
            if event.writable, connections[connection.id] != nil, case .writing = connection.phase { flush(connection) }
        }
    }

    private func acceptAll(_ listener: Socket) {
        for _ in 0..<64 {
            switch listener.accept() {
            case .accepted(let socket):
                guard !shuttingDown, makeRoom() else {
                    refuse(socket)
                    continue
                }
                register(socket)
            case .wouldBlock:
                return
            case .failed(let error):
                if error.isTooManyFiles { shedOneConnection(listener) }
                logAcceptError(error)
                return
            }
        }
    }

    /// Below the connection limit, or brought below it by closing the connection that has waited
    /// longest for a request head; false when every connection is busy with a request.
    private func makeRoom() -> Bool {
        guard connections.count >= limits.maxConnections else { return true }
        guard let oldest = waiting.takeOldest(in: connections) else { return false }
        logger.debug("closing connection", ["reason": "evicted at --web.max-connections"])
        stats.recordEvictedConnection()
        close(oldest)
        return true
    }

    /// Over the connection limit: a short 503 and close, without waiting for the request.
    private func refuse(_ socket: Socket) {
        stats.recordRefusedConnection()
        let body = "too many open connections\n"
        let text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.close()
    }

    /// EMFILE: release the reserved descriptor, accept and close the pending connection so the
    /// listener does not stay readable forever, then reserve again.
    private func shedOneConnection(_ listener: Socket) {
        ProcessSetup.closeDescriptor(reserveDescriptor)
        if case .accepted(let socket) = listener.accept() { refuse(socket) }
        reserveDescriptor = ProcessSetup.reserveDescriptor()
    }

    private func logAcceptError(_ error: SystemError) {
        let now = MonotonicTime.now()
        guard lastAcceptErrorLog.seconds(until: now) > 10 || lastAcceptErrorLog.nanoseconds == 0 else { return }
        lastAcceptErrorLog = now
        logger.warn("accept failed", ["err": error.description])
    }

    private func register(_ socket: Socket) {
        let id = nextConnectionID
        nextConnectionID += 1
        socket.setNoDelay()
        do {
            try epoll.add(socket.fd, token: id, interest: .readable)
        } catch {
            socket.close()
            return
        }
        let connection = Connection(id: id, socket: socket, now: .now())
        if let context = web.policyForNewConnection().tls {
            guard let session = context.session(fd: socket.fd) else {
                epoll.remove(socket.fd)
                socket.close()
                return
            }
            connection.tls = session
        }
        connections[id] = connection
        startWaiting(connection)
    }

    /// The connection waits for a request head: it may be evicted for a new one from now on.
    private func startWaiting(_ connection: Connection) {
        connection.readingGeneration &+= 1
        waiting.append(connection, among: connections)
    }

    // MARK: reading

    private func readable(_ connection: Connection) {
        switch connection.phase {
        case .reading:
            readInbound(connection)
            guard connections[connection.id] != nil else { return }
            parseInbound(connection)
        case .draining:
            if drain(connection) { close(connection) }
        case .processing, .writing, .authenticating:
            // Only hang-ups arrive here (interest is off while busy): the client is gone.
            close(connection)
        }
    }

    /// Bytes buffered per connection: twice the head limit, so pipelined requests fit.
    private var inboundCap: Int { limits.maxHeadBytes * 2 + 1024 }

    /// Reads what is available, up to `inboundCap` (the parser answers 431 beyond the head limit).
    private func readInbound(_ connection: Connection) {
        if let tls = connection.tls, !tls.established {
            guard advanceHandshake(connection, tls) else { return }
        }
        let cap = inboundCap
        while connection.inbound.count < cap {
            let result = scratch.withUnsafeMutableBytes { connection.receive(into: $0) }
            switch result {
            case .transferred(let n):
                if case .reading(_, false) = connection.phase, connection.servedRequests > 0 {
                    connection.phase = .reading(started: .now(), partial: true)  // header timeout from the first byte
                } else if case .reading(let started, false) = connection.phase {
                    connection.phase = .reading(started: started, partial: true)
                }
                connection.inbound.append(contentsOf: scratch[0..<n])
            case .wouldBlock:
                if connection.tls != nil { try? epoll.modify(connection.socket.fd, token: connection.id, interest: connection.interestAfterBlockedRead) }
                return
            case .closed, .failed:
                connection.peerClosed = true
                return
            }
        }
    }

    /// Drives the TLS handshake one step; true once it is done (then reading goes on). The read
    /// header timeout runs from accept, so it bounds the handshake too.
    private func advanceHandshake(_ connection: Connection, _ tls: TLSSession) -> Bool {
        if !tls.checkedFirstByte {
            var first: UInt8 = 0
            switch withUnsafeMutableBytes(of: &first, { connection.socket.peek(into: $0) }) {
            case .transferred:
                tls.checkedFirstByte = true
                // 0x16: a TLS handshake record (RFC 8446 §5.1). Anything else is most likely plain
                // HTTP, which gets Go's answer rather than a TLS alert it cannot read.
                guard first == 0x16 else {
                    answerPlainHTTPOnTLSPort(connection)
                    return false
                }
            case .wouldBlock:
                return false
            case .closed, .failed:
                close(connection)
                return false
            }
        }
        switch tls.handshake() {
        case .done:
            return true
        case .wantReadable:
            try? epoll.modify(connection.socket.fd, token: connection.id, interest: .readable)
        case .wantWritable:
            try? epoll.modify(connection.socket.fd, token: connection.id, interest: .writable)
        case .failed(let reason):
            logger.debug("closing connection", ["reason": reason])
            close(connection)
        }
        return false
    }

    /// What Go's net/http writes when a plain request reaches a TLS listener.
    private func answerPlainHTTPOnTLSPort(_ connection: Connection) {
        stats.record(handler: "other", code: 400)
        connection.tls = nil
        connection.outbound = Array("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n".utf8)
        connection.written = 0
        connection.closeAfterWrite = true
        connection.phase = .writing(started: .now())
        flush(connection)
    }

    private func parseInbound(_ connection: Connection) {
        guard !connection.inbound.isEmpty else {
            if connection.peerClosed { close(connection) }
            return
        }
        switch parser.parse(connection.inbound[...]) {
        case .incomplete where connection.inbound.count >= inboundCap:
            // Reading stopped at the cap, so no more bytes will come to complete the head: answer
            // now instead of letting level-triggered epoll report the same bytes for ever.
            connection.pending = Connection.Pending(isHead: false, keepAlive: false, handlerLabel: "other")
            send(.text(.headersTooLarge, "request head larger than \(limits.maxHeadBytes) bytes\n", close: true), on: connection)
        case .incomplete:
            if connection.peerClosed { close(connection) }
        case .failure(let failure):
            let response = HTTPResponse.text(failure.status, failure.reason + "\n", close: true)
            connection.pending = Connection.Pending(isHead: false, keepAlive: false, handlerLabel: "other")
            send(response, on: connection)
        case .request(let request, let consumed):
            connection.inbound.removeFirst(consumed)
            dispatch(request, on: connection)
        }
    }

    private func dispatch(_ request: HTTPRequest, on connection: Connection) {
        let pending = Connection.Pending(
            // A client that pipelined requests and then half-closed still reads every answer: the
            // connection closes after the last request it sent, not after the first.
            isHead: request.method == "HEAD", keepAlive: request.keepAlive && !(connection.peerClosed && connection.inbound.isEmpty),
            handlerLabel: handler.handlerLabel(for: request))
        connection.pending = pending
        if shuttingDown {
            send(.text(.serviceUnavailable, "shutting down\n", close: true), on: connection)
            return
        }
        if let auth = web.policy().auth {
            switch auth.check(authorization: request.header("authorization")) {
            case .allowed: break
            case .denied:
                send(BasicAuth.unauthorized, on: connection)
                return
            case .verify(let credentials):
                startAuthentication(credentials, with: auth, request: request, on: connection)
                return
            }
        }
        route(request, on: connection)
    }

    private func route(_ request: HTTPRequest, on connection: Connection) {
        switch handler.route(request) {
        case .respond(let response):
            send(response, on: connection)
        case .work(let work, let seconds):
            startWork(work, seconds: seconds, request: request, on: connection)
        }
    }

    /// The bcrypt check on an auth worker; past the queue bound a 429 at once, so a flood of wrong
    /// passwords costs at most `maxConcurrentAuthChecks` cores and never delays cached clients.
    private func startAuthentication(_ credentials: BasicAuth.Credentials, with auth: BasicAuth, request: HTTPRequest, on connection: Connection) {
        guard authInFlight < limits.maxConcurrentAuthChecks + limits.maxQueuedAuthChecks else {
            send(.text(.tooManyRequests, "too many authentication attempts in progress\n", headers: [HTTPHeader("Retry-After", "1")]), on: connection)
            return
        }
        authInFlight += 1
        connection.authenticating = request
        connection.phase = .authenticating(deadline: MonotonicTime.now().adding(seconds: limits.authTimeout))
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .none)
        let id = connection.id, control = self.control
        authWorkers.submit {
            let allowed = auth.verify(credentials)
            control.complete(ServerControl.Completion(connectionID: id, kind: .authentication(allowed: allowed)))
        }
    }

    private func finishAuthentication(_ allowed: Bool, connectionID: UInt64) {
        authInFlight -= 1
        guard let connection = connections[connectionID], case .authenticating = connection.phase,
              let request = connection.authenticating else { return }
        connection.authenticating = nil
        if allowed && !shuttingDown {
            route(request, on: connection)
        } else {
            send(allowed ? .text(.serviceUnavailable, "shutting down\n", close: true) : BasicAuth.unauthorized, on: connection)
        }
    }

    private func startWork(_ work: WorkClass, seconds: Double, request: HTTPRequest, on connection: Connection) {
        let limit = limits.maxConcurrent(work)
        guard workInFlight[work.rawValue] < limit else {
            let flag = work == .scrape ? "--web.max-requests" : "--web.max-probes"
            send(.text(.serviceUnavailable, "too many concurrent \(work == .scrape ? "scrapes" : "probes") (\(flag)=\(limit))\n"), on: connection)
            return
        }
        workInFlight[work.rawValue] += 1
        stats.setInFlight(workInFlight[work.rawValue], work)
        let deadline = MonotonicTime.now().adding(seconds: seconds)
        connection.phase = .processing(work: work, deadline: deadline)
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .none)
        let id = connection.id, handler = self.handler, control = self.control
        // The completion is handed back to run once the worker counts itself free: the client's
        // next request then finds it idle instead of starting another thread (WorkerPool.submitThen).
        workers.submitThen {
            let completion = ServerControl.Completion(connectionID: id, kind: .work(work, handler.response(to: request, deadline: deadline)))
            return { control.complete(completion) }
        }
    }

    private func finishWork(_ work: WorkClass, _ response: HTTPResponse, connectionID: UInt64) {
        workInFlight[work.rawValue] -= 1
        stats.setInFlight(workInFlight[work.rawValue], work)
        // Gone, or already answered late (then closed): the connection ID is never reused.
        guard let connection = connections[connectionID], case .processing = connection.phase else { return }
        send(response, on: connection)
    }

    // MARK: writing

    private func send(_ response: HTTPResponse, on connection: Connection) {
        let pending = connection.pending ?? Connection.Pending(isHead: false, keepAlive: false, handlerLabel: "other")
        connection.pending = nil
        stats.record(handler: pending.handlerLabel, code: response.status.code)
        let keepAlive = pending.keepAlive && !response.close && !shuttingDown
        var response = response
        for extra in web.policy().headers where !response.headers.contains(where: { $0.name.lowercased() == extra.name.lowercased() }) {
            response.headers.append(extra)
        }
        var bytes = response.head(date: httpDate(), keepAlive: keepAlive)
        if !pending.isHead { bytes.append(contentsOf: response.body) }
        connection.outbound = bytes
        connection.written = 0
        connection.closeAfterWrite = !keepAlive
        connection.servedRequests += 1
        connection.phase = .writing(started: .now())
        flush(connection)
    }

    private func flush(_ connection: Connection) {
        while connection.written < connection.outbound.count {
            let result = connection.outbound.withUnsafeBytes {
                connection.transmit(UnsafeRawBufferPointer(rebasing: $0[connection.written...]))
            }
            switch result {
            case .transferred(let n):
                connection.written += n
            case .wouldBlock:
                try? epoll.modify(connection.socket.fd, token: connection.id, interest: connection.interestAfterBlockedWrite)
                return
            case .closed, .failed:
                close(connection)
                return
            }
        }
        connection.outbound = []
        connection.written = 0
        if connection.closeAfterWrite {
            startDraining(connection)
            return
        }
        connection.phase = .reading(started: .now(), partial: !connection.inbound.isEmpty)
        startWaiting(connection)
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .readable)
        if connection.tls?.hasPending == true {
            readable(connection)  // bytes OpenSSL already holds raise no epoll event
        } else if !connection.inbound.isEmpty {
            parseInbound(connection)  // a pipelined request
        }
    }

    /// Half-closes and waits briefly for the client's EOF (a lingering close).
    private func startDraining(_ connection: Connection) {
        connection.tls?.shutdown()
        connection.socket.shutdownWrite()
        if connection.peerClosed {
            close(connection)
            return
        }
        connection.inbound = []
        connection.phase = .draining(started: .now())
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .readable)
    }

    /// True when the client has closed its side.
    private func drain(_ connection: Connection) -> Bool {
        for _ in 0..<16 {
            switch scratch.withUnsafeMutableBytes({ connection.socket.read(into: $0) }) {
            case .transferred: continue
            case .wouldBlock: return false
            case .closed, .failed: return true
            }
        }
        return false
    }

    private func close(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        epoll.remove(connection.socket.fd)
        connection.tls = nil  // SSL_free before the descriptor number can be reused
        connection.socket.close()
    }

    // MARK: timeouts and shutdown

    /// How long the loop may sleep: 250 ms while events keep coming (the sweep cadence), else
    /// until the earliest expiry the last sweep found, or without end when there is none.
    static func waitMilliseconds(changed: Bool, until expiry: MonotonicTime?, now: MonotonicTime = .now()) -> Int32 {
        if changed { return 250 }
        guard let expiry else { return -1 }
        let milliseconds = (now.seconds(until: expiry) * 1000).rounded(.up) + 1
        return Int32(max(0, min(milliseconds, Double(Int32.max))))
    }

    /// Closes or answers the connections past their time; returns when the next one expires.
    private func sweepTimeouts(now: MonotonicTime) -> MonotonicTime? {
        var earliest: MonotonicTime? = nil
        for connection in Array(connections.values) {
            let (expiry, reason) = self.expiry(of: connection)
            guard expiry < now else {
                earliest = earliest.map { min($0, expiry) } ?? expiry
                continue
            }
            switch connection.phase {
            case .processing, .authenticating:
                answerLate(connection)  // now writing the 503: its write timeout comes next
                let next = self.expiry(of: connection).at
                if connections[connection.id] != nil { earliest = earliest.map { min($0, next) } ?? next }
            default:
                if let reason { logger.debug("closing connection", ["reason": reason]) }
                close(connection)
            }
        }
        return earliest
    }

    /// When a connection in its current phase times out, and what the log calls it.
    private func expiry(of connection: Connection) -> (at: MonotonicTime, reason: String?) {
        switch connection.phase {
        case .reading(let started, let partial):
            let limit = partial || connection.servedRequests == 0 ? limits.readHeaderTimeout : limits.idleTimeout
            return (started.adding(seconds: limit), partial ? "request head timeout" : "idle timeout")
        case .writing(let started):
            return (started.adding(seconds: limits.writeTimeout), "write timeout")
        case .draining(let started):
            return (started.adding(seconds: 2), nil)
        case .processing(_, let deadline), .authenticating(let deadline):
            return (deadline.adding(seconds: limits.lateAnswerGrace), nil)
        }
    }

    /// The worker has not answered by the deadline (it is stuck, or the machine is overloaded):
    /// the client gets a 503 now and the connection closes; the worker stays counted in flight
    /// until it returns, and its answer is then dropped.
    private func answerLate(_ connection: Connection) {
        logger.warn("request not answered by its deadline", ["handler": connection.pending?.handlerLabel ?? "other"])
        stats.recordLateAnswer()
        connection.pending?.keepAlive = false
        send(.text(.serviceUnavailable, "the request did not finish before its deadline\n", close: true), on: connection)
    }

    private func beginShutdown() {
        shuttingDown = true
        shutdownDeadline = MonotonicTime.now().adding(seconds: limits.shutdownGrace)
        for listener in listeners {
            epoll.remove(listener.fd)
            listener.close()
        }
        for connection in Array(connections.values) {
            switch connection.phase {
            case .reading, .draining: close(connection)
            case .writing: connection.closeAfterWrite = true
            case .processing, .authenticating: break
            }
        }
    }

    private func httpDate() -> String {
        let now = WallClock.now()
        let second = Int(now)
        if cachedDate.second != second { cachedDate = (second, WallClock.httpDate(now)) }
        return cachedDate.text
    }
}
