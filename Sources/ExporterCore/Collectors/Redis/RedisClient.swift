/// Why a server could not be scraped. `reason` is a short stable word for the
/// `redis_exporter_last_scrape_error` label and the check; `description` says what happened.
enum RedisClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case connect(SystemError)
    case io(SystemError)
    case closed
    case protocolError(RESPError)
    case auth(String)
    case command(String, String)
    case tls(String)
    case tooLarge(Int)
    /// The scrape's deadline came first (a server that accepts and never answers).
    case deadline

    var reason: String {
        switch self {
        case .connect(let error): error.isConnectionRefused ? "connection_refused" : error.isTimedOut ? "timeout" : "connect"
        case .io: "io"
        case .closed: "closed"
        case .protocolError, .tooLarge: "protocol"
        case .auth: "auth"
        case .command: "command"
        case .tls: "tls"
        case .deadline: "timeout"
        }
    }

    var description: String {
        switch self {
        case .connect(let error): "\(error)"
        case .io(let error): "\(error)"
        case .closed: "connection closed by the server"
        case .protocolError(let error): "\(error)"
        case .auth(let message): "authentication failed: \(message)"
        case .command(let command, let message): "\(command) failed: \(message)"
        case .tls(let message): "TLS: \(message)"
        case .tooLarge(let limit): "reply larger than \(limit) bytes"
        case .deadline: "no answer before the scrape deadline"
        }
    }
}

/// What one scrape of one server returned, before it becomes metrics.
struct RedisReplies: Sendable, Equatable {
    var info = RedisInfo()
    /// CONFIG GET results (name → value); empty where CONFIG is not allowed.
    var config: [String: String] = [:]
    var slowlogLength: Double?
    var slowlogLastID: Double?
    var slowlogLastMicroseconds: Double?
    /// LATENCY LATEST: event, Unix time of the latest spike, its duration in ms.
    var latency: [(event: String, timestamp: Double, latestMilliseconds: Double)] = []
    var connectSeconds = 0.0
    var pingSeconds: Double?

    static func == (a: RedisReplies, b: RedisReplies) -> Bool {
        a.info == b.info && a.config == b.config && a.slowlogLength == b.slowlogLength && a.slowlogLastID == b.slowlogLastID
            && a.slowlogLastMicroseconds == b.slowlogLastMicroseconds && a.latency.elementsEqual(b.latency) { $0 == $1 }
    }
}

/// The commands of one scrape, in round trips: AUTH alone (its failure must not be mistaken for
/// the next command's), PING alone (its round trip is the latency metric), then everything else
/// pipelined in one write.
enum RedisCommands {
    static func stages(for target: RedisTarget, configCommand: String) -> [[[String]]] {
        var stages: [[[String]]] = []
        if let password = target.password {
            stages.append([target.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]])
        }
        stages.append([["PING"]])
        var last: [[String]] = [["INFO", "ALL"]]
        if !configCommand.isEmpty {
            for name in ["maxmemory*", "maxclients", "io-threads", "databases"] { last.append([configCommand, "GET", name]) }
        }
        last += [["SLOWLOG", "LEN"], ["SLOWLOG", "GET", "1"], ["LATENCY", "LATEST"]]
        stages.append(last)
        return stages
    }

    /// AUTH with a password the server does not need is not an error worth failing for.
    static func isHarmlessAuthError(_ message: String) -> Bool {
        message.contains("without any password configured") || message.contains("no password is set")
    }

    /// Turns the replies of the last stage into values; INFO is required, the rest optional
    /// (CONFIG may be renamed or denied by an ACL; a proxy may not know SLOWLOG or LATENCY).
    static func interpret(_ replies: [RESPValue], configCommand: String) throws(RedisClientError) -> RedisReplies {
        guard let first = replies.first else { throw .command("INFO", "no reply") }
        if let message = first.errorMessage { throw message.hasPrefix("NOAUTH") ? .auth(message) : .command("INFO", message) }
        var result = RedisReplies()
        if case .bulk(let bytes?) = first {
            result.info = parseRedisInfo(bytes: bytes)
        } else {
            guard let text = first.text else { throw .command("INFO", "reply is not a string") }
            result.info = parseRedisInfo(text)
        }
        var rest = replies.dropFirst()
        if !configCommand.isEmpty {
            for reply in rest.prefix(4) { config(reply, into: &result.config) }
            rest = rest.dropFirst(4)
        }
        let tail = Array(rest)
        if tail.count > 0, let length = tail[0].integer { result.slowlogLength = Double(length) }
        if tail.count > 1, let entry = tail[1].elements?.first?.elements, entry.count >= 3 {
            result.slowlogLastID = entry[0].integer.map(Double.init)
            result.slowlogLastMicroseconds = entry[2].integer.map(Double.init)
        }
        if tail.count > 2 { result.latency = latency(tail[2]) }
        return result
    }

    private static func config(_ reply: RESPValue, into config: inout [String: String]) {
        guard let items = reply.elements else { return }
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].text, let value = items[index + 1].text { config[name] = value }
            index += 2
        }
    }

    private static func latency(_ reply: RESPValue) -> [(event: String, timestamp: Double, latestMilliseconds: Double)] {
        (reply.elements ?? []).compactMap { entry in
            guard let fields = entry.elements, fields.count >= 3, let event = fields[0].text,
                  let time = fields[1].integer, let latest = fields[2].integer else { return nil }
            return (event, Double(time), Double(latest))
        }
    }
}

/// One scrape of one server on a connection of its own, driven by `PollLoop`: connect, (TLS),
/// then each stage written whole and its replies read until all have arrived.
struct RedisSession: PollTask {
    typealias Output = Result<RedisReplies, RedisClientError>

    let target: RedisTarget
    let configCommand: String
    let tlsContext: RedisTLSContext?
    private let stages: [[[String]]]
    private var stage = 0
    private var transport: RedisTransport?
    private var connecting = false
    private var outgoing: [UInt8] = []
    private var sent = 0
    private var buffer: [UInt8] = []
    private var parsed = 0
    private var replies: [RESPValue] = []
    private var started = MonotonicTime.now()
    private var stageStarted = MonotonicTime.now()
    private var pingSeconds: Double?
    private var connectSeconds = 0.0
    private let decoder = RESPDecoder()
    /// Largest amount buffered for one stage.
    static let bufferLimit = 8 << 20

    init(target: RedisTarget, configCommand: String, tlsContext: RedisTLSContext?) {
        self.target = target
        self.configCommand = configCommand
        self.tlsContext = tlsContext
        self.stages = RedisCommands.stages(for: target, configCommand: configCommand)
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<Output> {
        started = .now()
        do throws(RedisClientError) {
            switch target.endpoint {
            case .tcp(let host, let port):
                let (socket, connected) = try RedisTransport.startConnect(host: host, port: port)
                transport = RedisTransport(socket: socket, tls: nil)
                if target.tls {
                    guard let tlsContext else { throw .tls("no TLS settings") }
                    transport?.tls = try tlsContext.stream(fd: socket.fd, serverName: host)
                }
                connecting = !connected
                if connecting { return .wait(.write(socket.fd)) }
            case .unix(let path):
                transport = RedisTransport(socket: try RedisTransport.connect(unixPath: path, deadline: deadline), tls: nil)
            }
        } catch {
            return finish(.failure(error))
        }
        return connected()
    }

    mutating func resume() -> TaskStep<Output> {
        guard let transport else { return finish(.failure(.deadline)) }
        if connecting {
            if let error = transport.socket.connectOutcome(target.label) { return finish(.failure(.connect(error))) }
            connecting = false
            return connected()
        }
        if transport.isHandshaking { return handshake() }
        return sent < outgoing.count ? send() : receive()
    }

    mutating func cancel() -> Output {
        let handshaking = transport?.isHandshaking == true
        close()
        // A plain server reads a ClientHello as the start of an inline command and waits for more.
        return .failure(handshaking ? .tls("handshake timed out (is the port speaking TLS?)") : .deadline)
    }

    private mutating func connected() -> TaskStep<Output> {
        connectSeconds = started.secondsElapsed()
        if transport?.isHandshaking == true { return handshake() }
        beginStage()
        return send()
    }

    private mutating func handshake() -> TaskStep<Output> {
        guard let transport else { return finish(.failure(.deadline)) }
        switch transport.handshake() {
        case .transferred:
            connectSeconds = started.secondsElapsed()
            beginStage()
            return send()
        case .wantRead: return .wait(.read(transport.socket.fd))
        case .wantWrite: return .wait(.write(transport.socket.fd))
        case .closed: return finish(.failure(.tls("connection closed during the handshake")))
        case .failed(let error): return finish(.failure(error))
        }
    }

    private mutating func beginStage() {
        outgoing = stages[stage].flatMap(RESP.command)
        sent = 0
        replies.removeAll(keepingCapacity: true)
        stageStarted = .now()
    }

    private mutating func send() -> TaskStep<Output> {
        guard let transport else { return finish(.failure(.deadline)) }
        while sent < outgoing.count {
            switch outgoing.withUnsafeBytes({ transport.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }) {
            case .transferred(let n): sent += n
            case .wantRead: return .wait(.read(transport.socket.fd))
            case .wantWrite: return .wait(.write(transport.socket.fd))
            case .closed: return finish(.failure(.closed))
            case .failed(let error): return finish(.failure(error))
            }
        }
        return .wait(.read(transport.socket.fd))
    }

    /// Reads what is there and decodes complete replies; the stage ends when all have arrived.
    private mutating func receive() -> TaskStep<Output> {
        guard let transport else { return finish(.failure(.deadline)) }
        var waitFor = Poll.Interest.read(transport.socket.fd)
        reading: while true {
            // Uninitialised scratch: a zeroed 16 KiB array per read was 2 % of a scrape (memset).
            let result = withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { scratch in
                let result = transport.read(into: scratch)
                if case .transferred(let n) = result { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n])) }
                return result
            }
            switch result {
            case .transferred:
                if buffer.count > Self.bufferLimit { return finish(.failure(.tooLarge(Self.bufferLimit))) }
            case .wantRead: break reading
            case .wantWrite:
                waitFor = .write(transport.socket.fd)
                break reading
            case .closed:
                if case .failure(let error) = decodeReplies() { return finish(.failure(error)) }
                return replies.count >= stages[stage].count ? stageDone() : finish(.failure(.closed))
            case .failed(let error):
                return finish(.failure(error))
            }
        }
        if case .failure(let error) = decodeReplies() { return finish(.failure(error)) }
        return replies.count >= stages[stage].count ? stageDone() : .wait(waitFor)
    }

    private mutating func decodeReplies() -> Result<Void, RedisClientError> {
        do {
            while replies.count < stages[stage].count, let (value, next) = try decoder.decode(buffer, from: parsed) {
                replies.append(value)
                parsed = next
            }
            if parsed == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                parsed = 0
            }
            return .success(())
        } catch {
            return .failure(.protocolError(error))
        }
    }

    /// Checks the stage's replies and starts the next stage, or finishes.
    private mutating func stageDone() -> TaskStep<Output> {
        let commands = stages[stage]
        if commands.first?.first == "AUTH", let message = replies.first?.errorMessage, !RedisCommands.isHarmlessAuthError(message) {
            return finish(.failure(.auth(message)))
        }
        if commands.first?.first == "PING" {
            if let message = replies.first?.errorMessage {
                return finish(.failure(message.hasPrefix("NOAUTH") ? .auth(message) : .command("PING", message)))
            }
            pingSeconds = stageStarted.secondsElapsed()
        }
        stage += 1
        guard stage < stages.count else {
            do {
                var result = try RedisCommands.interpret(replies, configCommand: configCommand)
                result.connectSeconds = connectSeconds
                result.pingSeconds = pingSeconds
                return finish(.success(result))
            } catch {
                return finish(.failure(error))
            }
        }
        beginStage()
        return send()
    }

    private mutating func finish(_ output: Output) -> TaskStep<Output> {
        close()
        return .done(output)
    }

    private mutating func close() {
        transport?.close()
        transport = nil
    }
}
