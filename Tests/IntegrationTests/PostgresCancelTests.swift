import Foundation
import Testing
@testable import ExporterCore

/// A server that takes every login (AuthenticationOk, no password) and then never answers: not
/// a query, not a cancel request (its connection is held open and never read). The PostgreSQL
/// frontend/backend protocol, "Message Flow" and "Message Formats" (protocol 3.0).
final class SilentPostgres: @unchecked Sendable {
    // @unchecked: `held` is guarded by `lock`; the listener is only closed by `stop()`.
    let listener: Socket
    let port: UInt16
    private let lock = NSLock()
    private var held: [Socket] = []
    private var stopped = false

    init() throws {
        listener = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        guard let port = listener.localPort() else { throw TestFailure("no port") }
        self.port = port
        Thread.detachNewThread { [self] in accept() }
    }

    deinit { stop() }

    func stop() {
        let sockets = lock.withLock { () -> [Socket] in
            guard !stopped else { return [] }
            stopped = true
            defer { held = [] }
            return held
        }
        sockets.forEach { $0.close() }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func accept() {
        while !isStopped {
            guard listener.waitUntil(readable: true, timeoutMilliseconds: 100), case .accepted(let socket) = listener.accept() else { continue }
            lock.withLock { held.append(socket) }
            Thread.detachNewThread { [self] in serve(socket) }
        }
        listener.close()
    }

    private func serve(_ socket: Socket) {
        while let packet = try? Self.readStartup(socket) {
            switch packet.code {
            case 80_877_103, 80_877_104:  // SSLRequest, GSSENCRequest: not supported
                guard (try? socket.writeAll([UInt8(ascii: "N")])) != nil else { return }
            case 80_877_102:  // CancelRequest: held open, never answered (as a stopped postmaster)
                return
            default:
                var reply = Self.message("R", Self.int32(0))  // AuthenticationOk
                for (name, value) in [("server_version", "15.0"), ("server_encoding", "UTF8"), ("client_encoding", "UTF8"),
                                      ("standard_conforming_strings", "on"), ("integer_datetimes", "on"), ("DateStyle", "ISO, MDY")] {
                    reply += Self.message("S", Array(name.utf8) + [0] + Array(value.utf8) + [0])
                }
                reply += Self.message("K", Self.int32(4242) + Self.int32(1)) + Self.message("Z", [UInt8(ascii: "I")])
                _ = try? socket.writeAll(reply)
                // Queries are read and never answered, until the client goes away.
                while !isStopped, let bytes = try? socket.read(upTo: 65536, deadline: .now().adding(seconds: 1)), !bytes.isEmpty {}
                return
            }
        }
    }

    private static func readStartup(_ socket: Socket) throws -> (length: Int, code: UInt32) {
        let head = try readExactly(socket, 8)
        let length = Int(UInt32(head[0]) << 24 | UInt32(head[1]) << 16 | UInt32(head[2]) << 8 | UInt32(head[3]))
        let code = UInt32(head[4]) << 24 | UInt32(head[5]) << 16 | UInt32(head[6]) << 8 | UInt32(head[7])
        guard length >= 8, length < 10_000 else { throw TestFailure("bad startup packet") }
        _ = try readExactly(socket, length - 8)
        return (length, code)
    }

    private static func readExactly(_ socket: Socket, _ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let more = try socket.read(upTo: count - bytes.count, deadline: .now().adding(seconds: 30))
            guard !more.isEmpty else { throw TestFailure("closed") }
            bytes += more
        }
        return bytes
    }

    private static func int32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    private static func message(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        [type.asciiValue ?? 0] + int32(UInt32(body.count + 4)) + body
    }
}

extension PostgresTests {
    /// #12.7: every scrape logs in, its pipeline is never answered, the deadline cancels it. The
    /// cancels run on one reused thread, at most one per server, each given up after its timeout:
    /// the thread count stays flat and every scrape answers within its deadline.
    @Test func cancelsAgainstAServerThatNeverAnswersDoNotPileUpThreads() throws {
        let fake = try SilentPostgres()
        defer { fake.stop() }
        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.postgres",
            "--postgres.dsn=postgresql://monitor@127.0.0.1:\(fake.port)/postgres?sslmode=disable&gssencmode=disable",
        ])
        func threads() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(exporter.exporter.process.pid)/task")) ?? []).count
        }
        let first = try exporter.metrics(timeout: 0.6)
        #expect(sampleValue(first.body, "pg_up") == 0)
        let start = threads()
        for scrape in 0..<15 {
            let (body, seconds) = try exporter.metrics(timeout: 0.6)
            #expect(seconds < 1.0, "scrape \(scrape) took \(seconds) s")
            #expect(sampleValue(body, "pg_up") == 0, "scrape \(scrape)")
        }
        #expect(exporter.log.contains("query cancelled at the scrape deadline"), "\(exporter.log)")
        #expect(threads() <= start + 3, "threads: \(start) after the first scrape, \(threads()) after 15 more")
    }
}
