import Dispatch

/// An HTTP/1.1 server on one epoll event loop: all socket I/O, parsing and timeouts happen on the
/// thread that calls `run()`, so a slow client costs a few hundred bytes and never a thread.
/// Blocking work (scrapes) goes to worker threads and comes back through `ServerControl`.
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

    private let epoll: Epoll
    private var connections: [UInt64: Connection] = [:]
    private var nextConnectionID: UInt64 = Token.firstConnection
    private var workInFlight = 0
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

    public init(listeners: [Socket], handler: any HTTPHandler, limits: ServerLimits, stats: ServerStats, logger: Logger) throws(SystemError) {
        self.listeners = listeners
        self.handler = handler
        self.limits = limits
        self.stats = stats
        self.logger = logger
        self.parser = RequestParser(maxHeadBytes: limits.maxHeadBytes, maxHeaderCount: limits.maxHeaderCount)
        self.workers = WorkerPool(name: "se-http-worker", maxThreads: min(limits.maxConcurrentRequests, 64))
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
    public func run() {
        var lastSweep = MonotonicTime.now()
        while true {
            for event in epoll.wait(timeoutMilliseconds: 250) { handle(event) }
            if control.shutdownRequested && !shuttingDown { beginShutdown() }
            let now = MonotonicTime.now()
            if lastSweep.seconds(until: now) >= 0.25 {
                sweepTimeouts(now: now)
                lastSweep = now
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
            for completion in control.takeCompletions() { finishWork(completion) }
        case 1...UInt64(listeners.count):
            acceptAll(listeners[Int(event.token) - 1])
        default:
            guard let connection = connections[event.token] else { return }
            if event.readable || event.hangup { readable(connection) }
            if event.writable, connections[connection.id] != nil, case .writing = connection.phase { flush(connection) }
        }
    }

    private func acceptAll(_ listener: Socket) {
        for _ in 0..<64 {
            switch listener.accept() {
            case .accepted(let socket):
                guard connections.count < limits.maxConnections, !shuttingDown else {
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
        connections[id] = Connection(id: id, socket: socket, now: .now())
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
        case .processing, .writing:
            // Only hang-ups arrive here (interest is off while busy): the client is gone.
            close(connection)
        }
    }

    /// Reads what is available, up to twice the head limit (the parser answers 431 beyond it).
    private func readInbound(_ connection: Connection) {
        let cap = limits.maxHeadBytes * 2 + 1024
        while connection.inbound.count < cap {
            let result = scratch.withUnsafeMutableBytes { connection.socket.read(into: $0) }
            switch result {
            case .transferred(let n):
                if case .reading(_, false) = connection.phase, connection.servedRequests > 0 {
                    connection.phase = .reading(started: .now(), partial: true)  // header timeout from the first byte
                } else if case .reading(let started, false) = connection.phase {
                    connection.phase = .reading(started: started, partial: true)
                }
                connection.inbound.append(contentsOf: scratch[0..<n])
            case .wouldBlock:
                return
            case .closed, .failed:
                connection.peerClosed = true
                return
            }
        }
    }

    private func parseInbound(_ connection: Connection) {
        guard !connection.inbound.isEmpty else {
            if connection.peerClosed { close(connection) }
            return
        }
        switch parser.parse(connection.inbound[...]) {
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
            isHead: request.method == "HEAD", keepAlive: request.keepAlive && !connection.peerClosed,
            handlerLabel: handler.handlerLabel(for: request))
        connection.pending = pending
        if shuttingDown {
            send(.text(.serviceUnavailable, "shutting down\n", close: true), on: connection)
            return
        }
        if let response = handler.immediateResponse(to: request) {
            send(response, on: connection)
            return
        }
        guard workInFlight < limits.maxConcurrentRequests else {
            send(.text(.serviceUnavailable, "too many concurrent scrapes (--web.max-requests=\(limits.maxConcurrentRequests))\n"), on: connection)
            return
        }
        workInFlight += 1
        stats.setInFlight(workInFlight)
        connection.phase = .processing
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .none)
        let id = connection.id, handler = self.handler, control = self.control
        workers.submit {
            control.complete(ServerControl.Completion(connectionID: id, response: handler.response(to: request)))
        }
    }

    private func finishWork(_ completion: ServerControl.Completion) {
        workInFlight -= 1
        stats.setInFlight(workInFlight)
        guard let connection = connections[completion.connectionID] else { return }
        send(completion.response, on: connection)
    }

    // MARK: writing

    private func send(_ response: HTTPResponse, on connection: Connection) {
        let pending = connection.pending ?? Connection.Pending(isHead: false, keepAlive: false, handlerLabel: "other")
        connection.pending = nil
        stats.record(handler: pending.handlerLabel, code: response.status.code)
        let keepAlive = pending.keepAlive && !response.close && !shuttingDown
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
                connection.socket.write(UnsafeRawBufferPointer(rebasing: $0[connection.written...]))
            }
            switch result {
            case .transferred(let n):
                connection.written += n
            case .wouldBlock:
                try? epoll.modify(connection.socket.fd, token: connection.id, interest: .writable)
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
        try? epoll.modify(connection.socket.fd, token: connection.id, interest: .readable)
        if !connection.inbound.isEmpty { parseInbound(connection) }  // a pipelined request
    }

    /// Half-closes and waits briefly for the client's EOF (a lingering close).
    private func startDraining(_ connection: Connection) {
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
        connection.socket.close()
    }

    // MARK: timeouts and shutdown

    private func sweepTimeouts(now: MonotonicTime) {
        for connection in Array(connections.values) {
            switch connection.phase {
            case .reading(let started, let partial):
                let limit = partial || connection.servedRequests == 0 ? limits.readHeaderTimeout : limits.idleTimeout
                if started.seconds(until: now) > limit {
                    logger.debug("closing connection", ["reason": partial ? "request head timeout" : "idle timeout"])
                    close(connection)
                }
            case .writing(let started):
                if started.seconds(until: now) > limits.writeTimeout {
                    logger.debug("closing connection", ["reason": "write timeout"])
                    close(connection)
                }
            case .draining(let started):
                if started.seconds(until: now) > 2 { close(connection) }
            case .processing:
                break
            }
        }
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
            case .processing: break
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
