import Foundation
import Glibc
import Synchronization

/// A TCP listener on 127.0.0.1 and an ephemeral port for the faults a real server does not
/// produce: it accepts and never answers, answers garbage, or closes at once. Each connection
/// reads once (the request, whatever it is) and then behaves as told. Shared by the unit tests
/// and the integration tests (Redis, nginx).
public final class FakeTCPServer: Sendable {
    public enum Behaviour: Sendable {
        /// Accepts, reads, never writes, keeps the connection open until `stop`.
        case silent
        /// Writes these bytes after the first read, then closes.
        case reply([UInt8])
        /// Closes without reading.
        case close
    }

    public let port: UInt16
    private let listener: Int32
    private let held = Mutex<[Int32]>([])
    private let accepted = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)

    public var connections: Int { accepted.load(ordering: .acquiring) }

    public init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw ChildProcessError("fake server: bind failed") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        Thread.detachNewThread { [self] in
            acceptEach(on: fd) { client in
                accepted.wrappingAdd(1, ordering: .releasing)
                serve(client, behaviour)
            }
            done.signal()
        }
    }

    private func serve(_ client: Int32, _ behaviour: Behaviour) {
        switch behaviour {
        case .close:
            close(client)
        case .silent:
            var chunk = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &chunk, chunk.count)
            held.withLock { $0.append(client) }
        case .reply(let bytes):
            var chunk = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &chunk, chunk.count)
            sendAll(client, bytes)
            close(client)
        }
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        _ = done.wait(timeout: .now() + 5)
        close(listener)
        for fd in held.withLock({ $0 }) { close(fd) }
    }
}

/// Accepts connections on `listener` until it is shut down, handing each to `handle` in turn (the
/// fakes serve one connection at a time).
func acceptEach(on listener: Int32, _ handle: (Int32) -> Void) {
    while true {
        let client = accept(listener, nil, nil)
        if client < 0 {
            if errno == EINTR { continue }
            return
        }
        handle(client)
    }
}

/// Writes all of `bytes` to a blocking socket, stopping early if the peer goes away.
func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { return }
        offset += n
    }
}
