/// Why an HTTP probe failed; `description` goes to the log (blackbox logs it too and exports no reason).
enum HTTPProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    case resolve(String)
    case connect(String)
    case tls(String)
    /// The deadline passed in the phase named (connect, tls, processing, transfer).
    case timeout(String)
    case http(String)
    case redirect(String)
    case tooManyRedirects(Int)
    /// A redirect of `/probe` to a host outside the allow-list.
    case redirectNotAllowed(String)
    /// Still running when the collector had to answer (stuck in getaddrinfo).
    case abandoned

    var description: String {
        switch self {
        case .resolve(let s), .connect(let s), .http(let s), .redirect(let s): s
        case .tls(let s): "TLS: \(s)"
        case .timeout(let phase): "timed out in the \(phase) phase"
        case .tooManyRedirects(let n): "stopped after \(n) redirects"
        case .redirectNotAllowed(let host): "redirect to host \"\(host)\" outside the probe allow-list"
        case .abandoned: "no result before the scrape deadline (stuck resolving the name?)"
        }
    }
}

/// Seconds spent in each phase of blackbox's `probe_http_duration_seconds`.
struct HTTPPhases: Sendable, Equatable {
    var resolve = 0.0, connect = 0.0, tls = 0.0, processing = 0.0, transfer = 0.0

    static func + (a: HTTPPhases, b: HTTPPhases) -> HTTPPhases {
        HTTPPhases(resolve: a.resolve + b.resolve, connect: a.connect + b.connect, tls: a.tls + b.tls,
                   processing: a.processing + b.processing, transfer: a.transfer + b.transfer)
    }
}

/// What one request (one hop of a redirect chain) gave.
struct HTTPHopResult: Sendable {
    var head: ResponseHead?
    var contentLength = -1
    var bodyLength = 0
    /// The first bytes of the body, only when a regex needs them.
    var body: [UInt8] = []
    var phases = HTTPPhases()
    var tls: OpenSSL.Handshake?
    var error: HTTPProbeError?
}

/// One request on a connection of its own, as a `PollTask`: connect to the resolved address,
/// TLS handshake for https, write the request, read the response through `HTTPResponseStream`.
/// Every step is non-blocking, so the hop ends at the loop's deadline whatever the server does.
struct HTTPHopTask: PollTask {
    private enum Phase { case connecting, handshaking, sending, receiving }

    let url: HTTPURL
    let address: ResolvedAddress
    private let request: [UInt8]
    private let tlsContext: OpenSSL.ClientContext?
    private let verify: Bool
    private var socket: Socket?
    private var tls: OpenSSLStream?
    private var phase = Phase.connecting
    private var sent = 0
    private var firstByteSeen = false
    private var stream: HTTPResponseStream
    private var result = HTTPHopResult()
    private var started = MonotonicTime.now()
    private var phaseStarted = MonotonicTime.now()

    init(url: HTTPURL, address: ResolvedAddress, request: [UInt8], stream: HTTPResponseStream,
         tlsContext: OpenSSL.ClientContext?, verify: Bool) {
        self.url = url
        self.address = address
        self.request = request
        self.stream = stream
        self.tlsContext = tlsContext
        self.verify = verify
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<HTTPHopResult> {
        started = .now()
        phaseStarted = started
        do {
            let (socket, connected) = try Socket.startConnect(host: address.text, port: url.port)
            self.socket = socket
            return connected ? connectDone(socket) : .wait(.write(socket.fd))
        } catch {
            return fail(.connect(error.description))
        }
    }

    mutating func resume() -> TaskStep<HTTPHopResult> {
        guard let socket else { return fail(.connect("no socket")) }
        switch phase {
        case .connecting:
            if let error = socket.connectOutcome(url.authority) { return fail(.connect(error.description)) }
            return connectDone(socket)
        case .handshaking: return handshake()
        case .sending: return send(socket)
        case .receiving: return receive(socket)
        }
    }

    mutating func cancel() -> HTTPHopResult {
        let name = switch phase {
        case .connecting: "connect"
        case .handshaking: "tls"
        case .sending: "processing"
        case .receiving: stream.head == nil ? "processing" : "transfer"
        }
        close()
        result.error = .timeout(name)
        return result
    }

    private mutating func connectDone(_ socket: Socket) -> TaskStep<HTTPHopResult> {
        result.phases.connect = phaseStarted.secondsElapsed()
        phaseStarted = .now()
        socket.setNoDelay()
        guard url.isTLS else {
            phase = .sending
            return send(socket)
        }
        guard let tlsContext else { return fail(.tls("no TLS context")) }
        do {
            tls = try OpenSSLStream(context: tlsContext, fd: socket.fd, serverName: url.host, verify: verify)
        } catch {
            return fail(.tls(error.description))
        }
        phase = .handshaking
        return handshake()
    }

    private mutating func handshake() -> TaskStep<HTTPHopResult> {
        guard let tls, let socket else { return fail(.tls("no session")) }
        switch tls.handshake() {
        case .wantRead: return .wait(.read(socket.fd))
        case .wantWrite: return .wait(.write(socket.fd))
        case .closed: return fail(.tls("connection closed by the server during the handshake"))
        case .failed(let message): return fail(.tls(message))
        case .transferred:
            result.tls = tls.session()
            result.phases.tls = phaseStarted.secondsElapsed()
            phaseStarted = .now()
            phase = .sending
            return send(socket)
        }
    }

    private mutating func send(_ socket: Socket) -> TaskStep<HTTPHopResult> {
        while sent < request.count {
            switch write(socket) {
            case .transferred(let n): sent += n
            case .wantRead: return .wait(.read(socket.fd))
            case .wantWrite: return .wait(.write(socket.fd))
            case .closed: return fail(.http("connection closed while sending the request"))
            case .failed(let message): return fail(.http(message))
            }
        }
        phase = .receiving
        return .wait(.read(socket.fd))
    }

    /// Reads what is there; the first byte ends `processing`, the end of the body `transfer`.
    private mutating func receive(_ socket: Socket) -> TaskStep<HTTPHopResult> {
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let step = scratch.withUnsafeMutableBytes { read(socket, into: $0) }
            do {
                switch step {
                case .transferred(let n):
                    if !firstByteSeen { markFirstByte() }
                    if try stream.feed(scratch[0..<n]) { return finish() }
                case .wantRead: return .wait(.read(socket.fd))
                case .wantWrite: return .wait(.write(socket.fd))
                case .closed:
                    try stream.finish()
                    return finish()
                case .failed(let message): return fail(.http(message))
                }
            } catch {
                return fail(.http(error.description))
            }
        }
    }

    private mutating func markFirstByte() {
        firstByteSeen = true
        result.phases.processing = phaseStarted.secondsElapsed()
        phaseStarted = .now()
    }

    private mutating func finish() -> TaskStep<HTTPHopResult> {
        result.phases.transfer = phaseStarted.secondsElapsed()
        close()
        return .done(result)
    }

    private mutating func fail(_ error: HTTPProbeError) -> TaskStep<HTTPHopResult> {
        close()
        result.error = error
        return .done(result)
    }

    /// Also keeps what was read: a body that stalls or breaks after the head still reports the
    /// status, as blackbox does (Go returns the response before reading the body).
    private mutating func close() {
        result.head = stream.head
        result.contentLength = stream.contentLength
        result.bodyLength = stream.bodyLength
        result.body = stream.kept
        tls?.shutdown()
        tls = nil
        socket?.close()
        socket = nil
    }

    private func read(_ socket: Socket, into buffer: UnsafeMutableRawBufferPointer) -> OpenSSLStream.Step {
        if let tls { return tls.read(into: buffer) }
        switch socket.read(into: buffer) {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wantRead
        case .closed: return .closed
        case .failed(let error): return .failed(error.description)
        }
    }

    private func write(_ socket: Socket) -> OpenSSLStream.Step {
        request.withUnsafeBytes { all in
            let rest = UnsafeRawBufferPointer(rebasing: all[sent...])
            if let tls { return tls.write(rest) }
            switch socket.write(rest) {
            case .transferred(let n): return .transferred(n)
            case .wouldBlock: return .wantWrite
            case .closed: return .closed
            case .failed(let error): return .failed(error.description)
            }
        }
    }
}
