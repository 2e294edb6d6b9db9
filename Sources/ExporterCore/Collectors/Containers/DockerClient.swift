/// Why a request to the Docker API failed.
enum DockerClientError: Error, CustomStringConvertible, Equatable, Sendable {
    case connect(SystemError)
    case io(SystemError)
    case http(HTTPResponseError)
    /// The collector deadline passed before the answer was complete.
    case deadline
    /// A non-2xx status; 404 for a container means it went away.
    case status(Int, String)

    var description: String {
        switch self {
        case .connect(let error): "\(error)"
        case .io(let error): "docker API: \(error)"
        case .http(let error): "docker API: \(error)"
        case .deadline: "docker API did not answer before the scrape deadline"
        case .status(let code, let message): "docker API status \(code)\(message.isEmpty ? "" : ": " + message)"
        }
    }
}

/// Where the Docker API listens: `--docker.host`, else `DOCKER_HOST`, else the default socket.
/// Only unix sockets: the exporter reads local containers, and a TCP daemon would need TLS.
enum DockerHost {
    static let defaultValue = "unix:///var/run/docker.sock"

    static func socketPath(flag: String, flagWasSet: Bool, environment: [String: String]) throws(CollectorError) -> String {
        let chosen = flagWasSet ? flag : (environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? flag)
        let text = chosen.isEmpty ? defaultValue : chosen
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw CollectorError("--docker.host \(text): the unix socket path must be absolute") }
            return path
        }
        if text.hasPrefix("/") { return text }
        throw CollectorError("--docker.host \(text): only unix:///path sockets are supported")
    }
}

/// A minimal HTTP/1.1 client for the Docker Engine API over its unix socket. Each request uses a
/// connection of its own (`Connection: close`), so a batch runs several at once from one thread
/// (`PollLoop`), everything bounded by the deadline it is given.
struct DockerClient: Sendable {
    let socketPath: String
    let parser: HTTPResponseParser

    init(socketPath: String, bodyLimit: Int = 8 << 20) {
        self.socketPath = socketPath
        self.parser = HTTPResponseParser(bodyLimit: bodyLimit)
    }

    /// One GET; a non-2xx status is an error.
    func get(_ path: String, deadline: MonotonicTime) throws(DockerClientError) -> ClientResponse {
        let result = get([path], concurrency: 1, deadline: deadline)[0]
        switch result {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }

    /// GETs `paths`, at most `concurrency` connections open at a time. Results are in the order of
    /// `paths`; a non-2xx status is a `.status` failure for that path only, and a request still
    /// unanswered at `deadline` is a `.deadline` failure for that path only.
    func get(_ paths: [String], concurrency: Int, deadline: MonotonicTime) -> [Result<ClientResponse, DockerClientError>] {
        PollLoop.run(paths.map { DockerRequest(path: $0, client: self) }, concurrency: concurrency, deadline: deadline)
    }

    /// Docker errors are `{"message": "..."}`.
    fileprivate static func message(_ body: [UInt8]) -> String {
        guard !body.isEmpty, body.count < 4096, let json = try? JSONParser.parse(body), let text = json["message"]?.string else {
            return ""
        }
        return String(text.prefix(200))
    }
}

/// One GET on a connection of its own: connect, send the request, read until the response is
/// complete (or the daemon closes).
private struct DockerRequest: PollTask {
    let path: String
    let client: DockerClient
    private var socket: Socket?
    private var exchange: HTTPExchange

    init(path: String, client: DockerClient) {
        self.path = path
        self.client = client
        self.exchange = HTTPExchange.get(path, host: "docker", accept: "application/json", parser: client.parser)
    }

    mutating func start(deadline: MonotonicTime) -> TaskStep<Result<ClientResponse, DockerClientError>> {
        do {
            socket = try Socket.connect(unixPath: client.socketPath, deadline: deadline)
        } catch {
            return .done(.failure(.connect(error)))
        }
        return resume()
    }

    mutating func resume() -> TaskStep<Result<ClientResponse, DockerClientError>> {
        guard let socket else { return .done(.failure(.deadline)) }
        switch exchange.step(socket) {
        case .wait(let interest):
            return .wait(interest)
        case .waitUntil(let interest, let until):
            return .waitUntil(interest, until)
        case .done(let result):
            close()
            switch result {
            case .failure(.io(let error)): return .done(.failure(.io(error)))
            case .failure(.http(let error)): return .done(.failure(.http(error)))
            case .success(let response) where !(200..<300).contains(response.status):
                return .done(.failure(.status(response.status, DockerClient.message(response.body))))
            case .success(let response): return .done(.success(response))
            }
        }
    }

    mutating func cancel() -> Result<ClientResponse, DockerClientError> {
        close()
        return .failure(.deadline)
    }

    private mutating func close() {
        socket?.close()
        socket = nil
    }
}
