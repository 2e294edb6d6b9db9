import Synchronization

/// A stub_status URL: `http://host[:port]/path` (plain HTTP: stub_status is served on loopback or
/// an internal port; https:// would need the TLS session of rediss:// and is not offered yet).
struct NginxTarget: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: UInt16
    var path: String
    /// The URL as given, for the `addr` label and logs.
    var url: String

    var description: String { url }

    static func parse(_ url: String) throws(CollectorError) -> NginxTarget {
        guard url.hasPrefix("http://") else {
            throw CollectorError("invalid --nginx.status-url \(url): only http:// URLs are supported", configuration: true)
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard !authority.contains("@"), let address = ListenAddress(parsing: authority.contains(":") && !authority.hasSuffix("]") ? String(authority) : "\(authority):80"),
              !address.host.isEmpty, address.port > 0, !path.contains(" ") else {
            throw CollectorError("invalid --nginx.status-url \(url): expected http://host[:port]/path", configuration: true)
        }
        return NginxTarget(host: address.host, port: address.port, path: path, url: url)
    }

    /// The Host field: the authority as the URL has it.
    var hostField: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a stub_status page could not be read.
enum NginxClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case connect(SystemError)
    case exchange(HTTPExchange.Failure)
    case status(Int)
    case parse(ParseError)
    case deadline

    var description: String {
        switch self {
        case .connect(let error): "\(error)"
        case .exchange(.io(let error)): "\(error)"
        case .exchange(.http(let error)): "\(error)"
        case .status(let code): "HTTP status \(code)"
        case .parse(let error): "not a stub_status page: \(error)"
        case .deadline: "no answer before the scrape deadline"
        }
    }
}

/// Connections to nginx kept open between scrapes, one per URL: a scrape then costs nginx and us
/// no socket, connect, close and TIME_WAIT (the kernel's part was half of a scrape's CPU,
/// scripts/bench-nginx). nginx closes an idle one after `keepalive_timeout` (75 s) or after
/// `keepalive_requests`; the next GET on it fails and is retried once on a new connection.
final class NginxConnections: Sendable {
    private let idle = Mutex<[String: Socket]>([:])

    init() {}

    deinit { idle.withLock { $0.values.forEach { $0.close() } } }

    func take(_ url: String) -> Socket? { idle.withLock { $0.removeValue(forKey: url) } }

    /// Keeps `socket` for the next scrape of `url` (closing one already kept, which cannot happen
    /// while one request per URL runs at a time).
    func keep(_ socket: Socket, for url: String) {
        idle.withLock { $0.updateValue(socket, forKey: url) }?.close()
    }

    var count: Int { idle.withLock { $0.count } }
}

/// One GET of a stub_status page, driven by `PollLoop`: on the connection kept from the last
/// scrape if there is one (retried once on a new connection if that fails), else a new one.
struct StubStatusRequest: PollTask {
    typealias Output = Result<StubStatus, NginxClientError>

    let target: NginxTarget
    let connections: NginxConnections?
    private var socket: Socket?
    private var connecting = false
    private var reused = false
    private var exchange: HTTPExchange

    init(target: NginxTarget, connections: NginxConnections? = nil) {
        self.target = target
        self.connections = connections
        exchange = Self.exchange(target, keepAlive: connections != nil)
    }

    /// The page is a few hundred bytes; anything much larger is not stub_status.
    private static func exchange(_ target: NginxTarget, keepAlive: Bool) -> HTTPExchange {
        let parser = HTTPResponseParser(bodyLimit: 64 * 1024)
        return keepAlive ? .keepAliveGet(target.path, host: target.hostField, accept: "text/plain", parser: parser)
            : .get(target.path, host: target.hostField, accept: "text/plain", parser: parser)
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<Output> {
        if let kept = connections?.take(target.url) {
            socket = kept
            reused = true
            return resume()
        }
        return connect()
    }

    private mutating func connect() -> TaskStep<Output> {
        do {
            let (socket, connected) = try Socket.startConnect(host: target.host, port: target.port)
            self.socket = socket
            connecting = !connected
            return connecting ? .wait(.write(socket.fd)) : resume()
        } catch {
            return .done(.failure(.connect(error)))
        }
    }

    mutating func resume() -> TaskStep<Output> {
        guard let socket else { return .done(.failure(.deadline)) }
        if connecting {
            connecting = false
            if let error = socket.connectOutcome(target.url) { return finish(.failure(.connect(error))) }
        }
        switch exchange.step(socket) {
        case .wait(let interest): return .wait(interest)
        case .waitUntil(let interest, let until): return .waitUntil(interest, until)
        case .done(.failure(let failure)):
            guard reused else { return finish(.failure(.exchange(failure))) }
            // The kept connection was closed by nginx meanwhile: once more on a new one.
            socket.close()
            self.socket = nil
            reused = false
            exchange = Self.exchange(target, keepAlive: true)
            return connect()
        case .done(.success(let response)):
            guard response.status == 200 else { return finish(.failure(.status(response.status))) }
            do {
                let status = try parseStubStatus(String(decoding: response.body, as: UTF8.self))
                return finish(.success(status), keep: response.header("connection")?.lowercased() != "close")
            } catch {
                return finish(.failure(.parse(error)))
            }
        }
    }

    mutating func cancel() -> Output {
        socket?.close()
        socket = nil
        return .failure(.deadline)
    }

    /// Closes the connection, or keeps it for the next scrape after a whole response nginx did
    /// not end with `Connection: close`.
    private mutating func finish(_ output: Output, keep: Bool = false) -> TaskStep<Output> {
        if let socket {
            if keep, let connections { connections.keep(socket, for: target.url) } else { socket.close() }
        }
        socket = nil
        return .done(output)
    }
}
