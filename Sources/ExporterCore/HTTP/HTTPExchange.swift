/// One HTTP/1.1 request and its response on a connected non-blocking socket, one step at a time
/// for a `PollTask`: write the request, then read until `HTTPResponseParser` has the whole
/// response. The API clients (Docker, nginx stub_status) share it; each adds its own connect and
/// its own verdict on the status.
struct HTTPExchange: Sendable {
    enum Failure: Error, Equatable, Sendable {
        case io(SystemError)
        case http(HTTPResponseError)
    }

    let parser: HTTPResponseParser
    private let request: [UInt8]
    private var sent = 0
    private var buffer: [UInt8] = []

    init(request: [UInt8], parser: HTTPResponseParser) {
        self.request = request
        self.parser = parser
    }

    /// A GET with `Connection: close`: one request per connection.
    static func get(_ target: String, host: String, accept: String, parser: HTTPResponseParser) -> HTTPExchange {
        let head = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: stack_exporter\r\nAccept: \(accept)\r\nConnection: close\r\n\r\n"
        return HTTPExchange(request: Array(head.utf8), parser: parser)
    }

    /// A GET that leaves the connection open for the next one (RFC 9112 §9.3: persistence is the
    /// HTTP/1.1 default), for a client that keeps it between scrapes.
    static func keepAliveGet(_ target: String, host: String, accept: String, parser: HTTPResponseParser) -> HTTPExchange {
        let head = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: stack_exporter\r\nAccept: \(accept)\r\n\r\n"
        return HTTPExchange(request: Array(head.utf8), parser: parser)
    }

    /// Does what the socket allows now; done with the response or the failure.
    mutating func step(_ socket: Socket) -> TaskStep<Result<ClientResponse, Failure>> {
        sent < request.count ? send(on: socket) : receive(from: socket)
    }

    private mutating func send(on socket: Socket) -> TaskStep<Result<ClientResponse, Failure>> {
        while sent < request.count {
            let result = request.withUnsafeBytes { socket.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .transferred(let n): sent += n
            case .wouldBlock: return .wait(.write(socket.fd))
            case .closed: return .done(.failure(.http(.truncated)))
            case .failed(let error): return .done(.failure(.io(error)))
            }
        }
        return .wait(.read(socket.fd))
    }

    /// Reads what is available; done once the response is complete or failed.
    private mutating func receive(from socket: Socket) -> TaskStep<Result<ClientResponse, Failure>> {
        var atEOF = false
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        let cap = parser.bodyLimit + parser.headLimit
        reading: while true {
            switch scratch.withUnsafeMutableBytes({ socket.read(into: $0) }) {
            case .transferred(let n):
                buffer.append(contentsOf: scratch[0..<n])
                // Stop reading a runaway body early; the parser reports it as too large.
                if buffer.count > cap { break reading }
            case .wouldBlock:
                break reading
            case .closed:
                atEOF = true
                break reading
            case .failed(let error):
                return .done(.failure(.io(error)))
            }
        }
        do {
            guard let response = try parser.parse(buffer, atEOF: atEOF) else {
                if buffer.count > cap { return .done(.failure(.http(.tooLarge(limit: parser.bodyLimit)))) }
                // A closed socket stays readable: waiting on it again would spin until the deadline.
                return atEOF ? .done(.failure(.http(.truncated))) : .wait(.read(socket.fd))
            }
            return .done(.success(response))
        } catch {
            return .done(.failure(.http(error)))
        }
    }
}
