import CSystem
import Glibc

/// A socket descriptor. All socket system calls of the exporter live in this file, so errno and
/// EINTR handling is reviewed in one place.
public struct Socket: Sendable, Hashable {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    public enum IOResult: Equatable {
        case transferred(Int)
        case wouldBlock
        case closed
        case failed(SystemError)
    }

    // MARK: listening

    /// Binds and listens on `address`. An empty host listens on all interfaces: IPv6 dual-stack
    /// where the kernel has IPv6, else IPv4 (as Go's `:port` does for node_exporter).
    public static func listen(on address: ListenAddress, backlog: Int32 = 1024) throws(SystemError) -> Socket {
        if address.host.isEmpty {
            do { return try listen(resolved: .ipv6Any(port: address.port), backlog: backlog) } catch {
                guard error.code == EAFNOSUPPORT || error.code == EADDRNOTAVAIL else { throw error }
                return try listen(resolved: .ipv4Any(port: address.port), backlog: backlog)
            }
        }
        return try listen(resolved: SocketAddress.resolve(host: address.host, port: address.port), backlog: backlog)
    }

    private static func listen(resolved address: SocketAddress, backlog: Int32) throws(SystemError) -> Socket {
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError.lastError("socket") }
        let socket = Socket(fd: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            // Dual stack only for the wildcard; an explicit [::1] stays IPv6-only.
            var v6only: Int32 = address.isWildcard ? 0 : 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = SystemError.lastError("bind \(address)")
            socket.close()
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemError.lastError("listen")
            socket.close()
            throw error
        }
        return socket
    }

    public enum AcceptResult {
        case accepted(Socket)
        case wouldBlock
        case failed(SystemError)
    }

    /// Accepts one pending connection, non-blocking and close-on-exec.
    public func accept() -> AcceptResult {
        while true {
            let client = accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
            if client >= 0 { return .accepted(Socket(fd: client)) }
            let error = SystemError.lastError("accept")
            if error.code == EINTR || error.code == ECONNABORTED { continue }
            return error.isWouldBlock ? .wouldBlock : .failed(error)
        }
    }

    /// The port the kernel bound, for listeners on port 0.
    public func localPort() -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { return nil }
        return SocketAddress.port(of: storage)
    }

    // MARK: connecting (clients: tests, the Docker socket)

    /// Connects a blocking TCP socket, for clients that then use poll-based deadlines.
    public static func connect(host: String, port: UInt16) throws(SystemError) -> Socket {
        let address = try SocketAddress.resolve(host: host, port: port)
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.lastError("socket") }
        let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        guard rc == 0 else {
            let error = SystemError.lastError("connect \(host):\(port)")
            Glibc.close(fd)
            throw error
        }
        return Socket(fd: fd)
    }

    /// Connects a non-blocking TCP socket, waiting no later than `deadline` (connect(2) with
    /// O_NONBLOCK, poll(2) for writability, then SO_ERROR). The socket stays non-blocking, for
    /// callers that bound every later read and write with poll (TLS probes). Name resolution uses
    /// getaddrinfo(3), which cannot be bounded; numeric addresses skip it.
    public static func connect(host: String, port: UInt16, deadline: MonotonicTime) throws(SystemError) -> Socket {
        let (socket, connected) = try startConnect(host: host, port: port)
        if connected { return socket }
        let what = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard socket.waitUntil(readable: false, deadline: deadline) else {
            socket.close()
            throw SystemError("connect \(what): timed out", code: ETIMEDOUT)
        }
        if let error = socket.connectOutcome(what) {
            socket.close()
            throw error
        }
        return socket
    }

    /// Starts connecting a non-blocking TCP socket without waiting, for tasks that `PollLoop`
    /// drives: `connected` is false while connect(2) is in progress (EINPROGRESS), and then the
    /// task waits for writability and reads the outcome with `connectOutcome()`. Names resolve
    /// with getaddrinfo(3), which no deadline bounds; numeric addresses skip it.
    public static func startConnect(host: String, port: UInt16) throws(SystemError) -> (socket: Socket, connected: Bool) {
        let address = try SocketAddress.resolve(host: host, port: port)
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError.lastError("socket") }
        let socket = Socket(fd: fd)
        var rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        while rc != 0 && errno == EINTR { rc = address.withSockaddr { Glibc.connect(fd, $0, $1) } }
        if rc == 0 { return (socket, true) }
        guard errno == EINPROGRESS || errno == EALREADY else {
            let error = SystemError.lastError("connect \(address)")
            socket.close()
            throw error
        }
        return (socket, false)
    }

    /// After a `startConnect` in progress became writable: nil when connected, else why not
    /// (SO_ERROR). The socket is left open; its owner closes it.
    public func connectOutcome(_ what: String) -> SystemError? {
        var pending: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 else { return SystemError.lastError("connect \(what)") }
        return pending == 0 ? nil : SystemError("connect \(what)", code: pending)
    }

    /// Connects a non-blocking unix-domain stream socket (the Docker API socket), waiting at most
    /// until `deadline`. Linux never returns EINPROGRESS for AF_UNIX, but EAGAIN when the listen
    /// backlog is full (unix(7)); that is retried briefly until the deadline.
    public static func connect(unixPath path: String, deadline: MonotonicTime) throws(SystemError) -> Socket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < capacity else { throw SystemError("connect \(path)", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
            raw[bytes.count] = 0
        }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError.lastError("socket") }
        let socket = Socket(fd: fd)
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        while true {
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
            }
            if rc == 0 { return socket }
            let error = SystemError.lastError("connect \(path)")
            if error.code == EINTR { continue }
            if error.code == EINPROGRESS {
                guard socket.waitUntil(readable: false, deadline: deadline) else {
                    socket.close()
                    throw SystemError("connect \(path)", code: ETIMEDOUT)
                }
                var soError: Int32 = 0
                var soLength = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLength)
                if soError == 0 { return socket }
                socket.close()
                throw SystemError("connect \(path)", code: soError)
            }
            if error.isWouldBlock && MonotonicTime.now() < deadline {
                usleep(2000)
                continue
            }
            socket.close()
            throw error.isWouldBlock ? SystemError("connect \(path)", code: ETIMEDOUT) : error
        }
    }

    // MARK: I/O

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        receiving("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Like `read`, but the bytes stay queued (MSG_PEEK): the TLS listener looks at the first byte
    /// before OpenSSL consumes it.
    public func peek(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        receiving("recv") { recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_PEEK)) }
    }

    /// One receiving call, retried on EINTR; a reset counts as closed.
    private func receiving(_ operation: String, _ call: () -> Int) -> IOResult {
        while true {
            let n = call()
            if n > 0 { return .transferred(n) }
            if n == 0 { return .closed }
            let error = SystemError.lastError(operation)
            if error.code == EINTR { continue }
            if error.isWouldBlock { return .wouldBlock }
            if error.code == ECONNRESET { return .closed }
            return .failed(error)
        }
    }

    /// Writes with MSG_NOSIGNAL so a vanished client never raises SIGPIPE.
    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .transferred(n) }
            let error = SystemError.lastError("send")
            if error.code == EINTR { continue }
            if error.isWouldBlock { return .wouldBlock }
            if error.code == EPIPE || error.code == ECONNRESET { return .closed }
            return .failed(error)
        }
    }

    /// Writes everything, blocking: for test clients and simple tools only.
    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .transferred(let n): offset += n
            case .wouldBlock: _ = waitUntil(readable: false, timeoutMilliseconds: 1000)
            case .closed: throw SystemError("send", code: EPIPE)
            case .failed(let error): throw error
            }
        }
    }

    /// Waits for readiness for at most `timeoutMilliseconds`; false on timeout.
    public func waitUntil(readable: Bool, timeoutMilliseconds: Int32) -> Bool {
        Poll.wait(readable ? .read(fd) : .write(fd), milliseconds: Int(timeoutMilliseconds)) == .ready
    }

    /// Waits for readiness until `deadline`; false when it passes first.
    public func waitUntil(readable: Bool, deadline: MonotonicTime) -> Bool {
        guard MonotonicTime.now() < deadline else { return false }
        return Poll.wait(readable ? .read(fd) : .write(fd), until: deadline) == .ready
    }

    /// Writes all of `bytes` to a non-blocking socket before `deadline`.
    public func writeAll(_ bytes: [UInt8], deadline: MonotonicTime) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .transferred(let n): offset += n
            case .wouldBlock:
                guard waitUntil(readable: false, deadline: deadline) else { throw SystemError("send: timed out", code: ETIMEDOUT) }
            case .closed: throw SystemError("send", code: EPIPE)
            case .failed(let error): throw error
            }
        }
    }

    /// Reads at least one and at most `count` bytes from a non-blocking socket before `deadline`;
    /// empty when the peer closed.
    public func read(upTo count: Int, deadline: MonotonicTime) throws(SystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let result = buffer.withUnsafeMutableBytes { read(into: $0) }
            switch result {
            case .transferred(let n): return Array(buffer[..<n])
            case .closed: return []
            case .wouldBlock:
                guard waitUntil(readable: true, deadline: deadline) else { throw SystemError("read: timed out", code: ETIMEDOUT) }
            case .failed(let error): throw error
            }
        }
    }

    // MARK: netlink

    /// A NETLINK_ROUTE datagram socket whose receives time out after `receiveTimeout` seconds, so
    /// a dump can never hang a scrape.
    static func netlinkRoute(receiveTimeout: Int) throws(SystemError) -> Socket {
        let fd = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw .lastError("socket(AF_NETLINK)") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return Socket(fd: fd)
    }

    /// Sends one netlink message to the kernel (port 0).
    func sendToKernel(_ message: [UInt8]) throws(SystemError) {
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = withUnsafePointer(to: &kernel) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, generic, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
            }
        }
        guard sent == message.count else { throw .lastError("sendto(netlink)") }
    }

    /// Receives one datagram into `buffer`; its length.
    func receiveDatagram(into buffer: inout [UInt8]) throws(SystemError) -> Int {
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received >= 0 { return received }
            if errno == EINTR { continue }
            throw .lastError("recv(netlink)")
        }
    }

    public func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    public func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    public func close() { _ = Glibc.close(fd) }
}

/// `host:port`, `[v6]:port` or `:port`, as `--web.listen-address` takes it.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // a bare IPv6 literal needs brackets
        }
        self.init(host: host, port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A resolved IPv4 or IPv6 address.
struct SocketAddress: CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t
    var family: Int32
    var isWildcard: Bool
    var text: String

    var description: String { text }

    static func ipv6Any(port: UInt16) -> SocketAddress {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        address.sin6_addr = in6addr_any
        return make(address, family: AF_INET6, wildcard: true, text: "[::]:\(port)")
    }

    static func ipv4Any(port: UInt16) -> SocketAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = INADDR_ANY
        return make(address, family: AF_INET, wildcard: true, text: "0.0.0.0:\(port)")
    }

    private static func make<T>(_ value: T, family: Int32, wildcard: Bool, text: String) -> SocketAddress {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            withUnsafeBytes(of: value) { src in dst.copyMemory(from: src) }
        }
        return SocketAddress(storage: storage, length: socklen_t(MemoryLayout<T>.size), family: family, isWildcard: wildcard, text: text)
    }

    /// Numeric literals first; names through getaddrinfo(3), first result.
    static func resolve(host: String, port: UInt16) throws(SystemError) -> SocketAddress {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            return make(v4, family: AF_INET, wildcard: false, text: "\(host):\(port)")
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            return make(v6, family: AF_INET6, wildcard: false, text: "[\(host)]:\(port)")
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        guard rc == 0, let first = result, let sa = first.pointee.ai_addr else {
            throw SystemError("resolve \(host): \(String(cString: gai_strerror(rc)))", code: EINVAL)
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(first.pointee.ai_addrlen)))
        }
        return SocketAddress(storage: storage, length: first.pointee.ai_addrlen, family: first.pointee.ai_family, isWildcard: false, text: "\(host):\(port)")
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    static func port(of storage: sockaddr_storage) -> UInt16? {
        withUnsafeBytes(of: storage) { raw in
            switch Int32(storage.ss_family) {
            case AF_INET: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: return nil
            }
        }
    }
}

/// Numeric IP addresses, as inet_pton(3) accepts them.
public enum IPLiteral {
    public static func isIP(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
