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

/// One GET of a stub_status page on a connection of its own, driven by `PollLoop`.
struct StubStatusRequest: PollTask {
    typealias Output = Result<StubStatus, NginxClientError>

    let target: NginxTarget
    private var socket: Socket?
    private var connecting = false
    private var exchange: HTTPExchange

    init(target: NginxTarget) {
        self.target = target
        // The page is a few hundred bytes; anything much larger is not stub_status.
        exchange = HTTPExchange.get(target.path, host: target.hostField, accept: "text/plain", parser: HTTPResponseParser(bodyLimit: 64 * 1024))
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<Output> {
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
        case .done(.failure(let failure)): return finish(.failure(.exchange(failure)))
        case .done(.success(let response)):
            guard response.status == 200 else { return finish(.failure(.status(response.status))) }
            do { return finish(.success(try parseStubStatus(String(decoding: response.body, as: UTF8.self)))) } catch {
                return finish(.failure(.parse(error)))
            }
        }
    }

    mutating func cancel() -> Output {
        socket?.close()
        socket = nil
        return .failure(.deadline)
    }

    private mutating func finish(_ output: Output) -> TaskStep<Output> {
        socket?.close()
        socket = nil
        return .done(output)
    }
}
