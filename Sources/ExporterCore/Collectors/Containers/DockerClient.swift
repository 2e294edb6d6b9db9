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
/// connection of its own (`Connection: close`), so a batch runs several at once from one thread:
/// poll(2) over the open sockets, everything bounded by the collector deadline.
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
    /// `paths`; a non-2xx status is a `.status` failure for that path only.
    func get(_ paths: [String], concurrency: Int, deadline: MonotonicTime) -> [Result<ClientResponse, DockerClientError>] {
        struct Active {
            var index: Int
            var socket: Socket
            var buffer: [UInt8] = []
        }
        var results = [Result<ClientResponse, DockerClientError>?](repeating: nil, count: paths.count)
        var active: [Active] = []
        var next = 0
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        defer { for connection in active { connection.socket.close() } }

        while next < paths.count || !active.isEmpty {
            while active.count < max(1, concurrency) && next < paths.count {
                let index = next
                next += 1
                do throws(DockerClientError) {
                    active.append(Active(index: index, socket: try open(paths[index], deadline: deadline)))
                } catch {
                    results[index] = .failure(error)
                }
            }
            if active.isEmpty { continue }
            let left = MonotonicTime.now().seconds(until: deadline)
            guard left > 0 else { break }
            let ready = Socket.waitUntilReadable(active.map(\.socket), timeoutMilliseconds: Int32(min(left * 1000, 60_000)) + 1)
            var finished: [Int] = []
            for (slot, isReady) in ready.enumerated() where isReady {
                if let outcome = receive(&active[slot].buffer, from: active[slot].socket, scratch: &scratch) {
                    results[active[slot].index] = outcome
                    finished.append(slot)
                }
            }
            for slot in finished.reversed() {
                active[slot].socket.close()
                active.remove(at: slot)
            }
        }
        return results.map { $0 ?? .failure(.deadline) }
    }

    private func open(_ path: String, deadline: MonotonicTime) throws(DockerClientError) -> Socket {
        let socket: Socket
        do { socket = try Socket.connect(unixPath: socketPath, deadline: deadline) } catch { throw .connect(error) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: docker\r\nUser-Agent: stack_exporter\r\nAccept: application/json\r\nConnection: close\r\n\r\n".utf8)
        var offset = 0
        while offset < request.count {
            let result = request.withUnsafeBytes { socket.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .transferred(let n):
                offset += n
            case .wouldBlock:
                let left = MonotonicTime.now().seconds(until: deadline)
                guard left > 0, socket.waitUntil(readable: false, timeoutMilliseconds: Int32(min(left * 1000, 60_000)) + 1) else {
                    socket.close()
                    throw .deadline
                }
            case .closed:
                socket.close()
                throw .http(.truncated)
            case .failed(let error):
                socket.close()
                throw .io(error)
            }
        }
        return socket
    }

    /// Reads what is available; returns the outcome once the response is complete or failed.
    private func receive(_ buffer: inout [UInt8], from socket: Socket, scratch: inout [UInt8]) -> Result<ClientResponse, DockerClientError>? {
        var atEOF = false
        reading: while true {
            let result = scratch.withUnsafeMutableBytes { socket.read(into: $0) }
            switch result {
            case .transferred(let n):
                buffer.append(contentsOf: scratch[0..<n])
                // Stop reading a runaway body early; the parser reports it as too large.
                if buffer.count > parser.bodyLimit + parser.headLimit { break reading }
            case .wouldBlock:
                break reading
            case .closed:
                atEOF = true
                break reading
            case .failed(let error):
                return .failure(.io(error))
            }
        }
        do {
            guard let response = try parser.parse(buffer, atEOF: atEOF) else {
                if buffer.count > parser.bodyLimit + parser.headLimit { return .failure(.http(.tooLarge(limit: parser.bodyLimit))) }
                return nil
            }
            guard (200..<300).contains(response.status) else {
                return .failure(.status(response.status, Self.message(response.body)))
            }
            return .success(response)
        } catch {
            return .failure(.http(error))
        }
    }

    /// Docker errors are `{"message": "..."}`.
    private static func message(_ body: [UInt8]) -> String {
        guard !body.isEmpty, body.count < 4096, let json = try? JSONParser.parse(body), let text = json["message"]?.string else {
            return ""
        }
        return String(text.prefix(200))
    }
}
