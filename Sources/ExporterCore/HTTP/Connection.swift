/// One client connection, owned by the event loop thread.
final class Connection {
    enum Phase {
        /// Reading a request head. `started` is when the timed wait began; `partial` whether
        /// bytes of the next request have arrived (then the header timeout applies, else idle).
        case reading(started: MonotonicTime, partial: Bool)
        /// A worker is producing the response of `work`, due by `deadline`.
        case processing(work: WorkClass, deadline: MonotonicTime)
        /// A worker is checking the request's password (bcrypt), due by `deadline`.
        case authenticating(deadline: MonotonicTime)
        case writing(started: MonotonicTime)
        /// After an error response: discard input until EOF, so closing does not reset the
        /// connection before the client read the answer.
        case draining(started: MonotonicTime)
    }

    struct Pending {
        var isHead: Bool
        var keepAlive: Bool
        var handlerLabel: String
    }

    let id: UInt64
    let socket: Socket
    var phase: Phase
    var inbound: [UInt8] = []
    var outbound: [UInt8] = []
    var written = 0
    var closeAfterWrite = false
    var peerClosed = false
    var servedRequests = 0
    var pending: Pending?
    /// Counts the times the connection started waiting for a request head (see `WaitingConnections`).
    var readingGeneration: UInt64 = 0
    /// Set on a TLS listener: every read and write goes through it.
    var tls: TLSSession?
    /// The request whose password a worker is checking.
    var authenticating: HTTPRequest?

    init(id: UInt64, socket: Socket, now: MonotonicTime) {
        self.id = id
        self.socket = socket
        self.phase = .reading(started: now, partial: false)
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        tls?.read(into: buffer) ?? socket.read(into: buffer)
    }

    func transmit(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        tls?.write(bytes) ?? socket.write(bytes)
    }

    /// What to wait for after a read returned `.wouldBlock`: readability, unless TLS needs to
    /// write first (and the reverse after a write).
    var interestAfterBlockedRead: Epoll.Interest { tls?.waitsForWritable == true ? .writable : .readable }
    var interestAfterBlockedWrite: Epoll.Interest { tls.map { $0.waitsForWritable ? .writable : .readable } ?? .writable }
}
