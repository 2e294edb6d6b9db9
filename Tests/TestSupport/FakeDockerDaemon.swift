import Foundation
import Glibc
import Synchronization

/// A unix-socket server that answers Docker API paths with canned raw responses, for fault
/// injection: a route returning nil accepts the request and never answers. In TestSupport so
/// that the unit tests and the real binary's integration tests share it.
public final class FakeDockerDaemon: Sendable {
    public let path: String
    private let listener: Int32
    private let held = Mutex<[Int32]>([])
    private let done = DispatchSemaphore(value: 0)

    public init(_ route: @escaping @Sendable (String) -> [UInt8]?) throws {
        path = "/tmp/fake-docker-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw ChildProcessError("fake daemon: bind \(path) failed") }
        listener = fd
        Thread.detachNewThread { [self] in
            acceptEach(on: fd) { client in
                var request: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while request.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
                    let n = read(client, &chunk, chunk.count)
                    if n <= 0 { break }
                    request.append(contentsOf: chunk[0..<n])
                }
                let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
                let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                guard let answer = route(target) else {
                    self.held.withLock { $0.append(client) }
                    return
                }
                sendAll(client, answer)
                close(client)
            }
            self.done.signal()
        }
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        _ = done.wait(timeout: .now() + 5)
        close(listener)
        for fd in held.withLock({ $0 }) { close(fd) }
        unlink(path)
    }

    public static func json(_ body: String, status: String = "200 OK") -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }
}
