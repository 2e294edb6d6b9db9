import Foundation
import Synchronization
import Testing
@testable import ExporterCore
import TestSupport

/// A collector for tests: fixed families, an optional delay, and a call counter.
final class ScriptedCollector: Collector {
    let delay: Double
    let families: [MetricFamily]
    let failure: String?
    private let calls = Atomic<Int>(0)

    init(delay: Double = 0, families: [MetricFamily] = [], failure: String? = nil) {
        self.delay = delay
        self.families = families
        self.failure = failure
    }

    var callCount: Int { calls.load(ordering: .relaxed) }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        calls.wrappingAdd(1, ordering: .relaxed)
        ProcessSetup.sleep(seconds: delay)
        if let failure { throw CollectorError(failure) }
        return families
    }
}

/// A collector that blocks until it is opened (a read stuck in the kernel), counting the calls
/// that entered it so tests wait for that event rather than sleep.
final class GateCollector: Collector {
    let mayBlock: Bool
    private let gate = DispatchSemaphore(value: 0)
    private let entries = Atomic<Int>(0)
    private let opened = Atomic<Bool>(false)

    init(mayBlock: Bool) { self.mayBlock = mayBlock }

    var entered: Int { entries.load(ordering: .acquiring) }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        entries.wrappingAdd(1, ordering: .releasing)
        if !opened.load(ordering: .acquiring) { gate.wait() }
        gate.signal()  // passes the opening on to any other waiter
        return [gauge("test_gate_value", 1)]
    }

    func open() {
        opened.store(true, ordering: .releasing)
        gate.signal()
    }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes; true if it held.
func waitUntil(timeout: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    try Wait.until(timeout: timeout, interval: 0.005, condition)
}

/// The real HTTP server with the real handler on 127.0.0.1 and an ephemeral port, run on its own
/// thread for the duration of a test.
final class TestServer: Sendable {
    let port: UInt16
    let control: ServerControl
    let stats = ServerStats()
    private let finished = DispatchSemaphore(value: 0)

    convenience init(collectors: [(name: String, collector: any Collector)] = [], limits: ServerLimits = ServerLimits(),
                     settings: ExporterHandler.Settings = ExporterHandler.Settings(), logger: Logger = .disabled,
                     web: any WebPolicyProvider = FixedWebPolicy()) throws {
        try self.init(limits: limits, logger: logger, web: web) { stats in
            let exposition = ExpositionStats()
            let scraper = Scraper(collectors: collectors, logger: .disabled, exposition: exposition)
            return ExporterHandler(settings: settings, scraper: scraper, serverStats: stats, exposition: exposition, logger: .disabled)
        }
    }

    /// A server with any handler (the server's own behaviour, apart from the exporter's routes).
    /// `logger` is the server's own (a capturing sink lets a test wait for what it logs).
    init(limits: ServerLimits = ServerLimits(), logger: Logger = .disabled, web: any WebPolicyProvider = FixedWebPolicy(),
         handler makeHandler: @escaping @Sendable (ServerStats) -> any HTTPHandler) throws {
        let ready = DispatchSemaphore(value: 0)
        let box = Mutex<(UInt16, ServerControl)?>(nil)
        let failure = Mutex<String?>(nil)
        let finished = self.finished, stats = self.stats
        Thread.detachNewThread {
            do {
                let listener = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
                let server = try HTTPServer(
                    listeners: [listener], handler: makeHandler(stats), limits: limits, stats: stats, logger: logger, web: web)
                box.withLock { $0 = (server.boundPorts.first ?? 0, server.control) }
                ready.signal()
                server.run()
            } catch {
                failure.withLock { $0 = String(describing: error) }
                ready.signal()
            }
            finished.signal()
        }
        ready.wait()
        guard let (port, control) = box.withLock({ $0 }) else {
            throw CollectorError("server did not start: \(failure.withLock { $0 } ?? "?")")
        }
        self.port = port
        self.control = control
    }

    /// Requests shutdown and waits for `run()` to return; true if it did within `timeout`.
    @discardableResult
    func stop(timeout: Double = 6) -> Bool {
        control.requestShutdown()
        return finished.wait(timeout: .now() + timeout) == .success
    }

    func client() throws -> RawClient { try RawClient(port: port) }
}

/// A minimal HTTP/1.1 client over a raw socket, so tests can send exactly the bytes they want.
final class RawClient {
    let socket: Socket
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port)
    }

    deinit { socket.close() }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ text: String) throws { try socket.writeAll(Array(text.utf8)) }
    func send(bytes: [UInt8]) throws { try socket.writeAll(bytes) }

    func get(_ path: String, headers: [String: String] = [:]) throws -> Response {
        var request = "GET \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try send(request + "\r\n")
        return try readResponse()
    }

    /// Reads one response; `head` for responses to HEAD, which carry no body.
    func readResponse(head: Bool = false, timeout: Double = 10) throws -> Response {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw CollectorError("bad status line \(headText)") }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard try fill(deadline: deadline) else { throw CollectorError("connection closed mid-body") }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill(deadline: deadline) else { throw CollectorError("connection closed before a response") }
        }
    }

    /// True when the server closed the connection (EOF or reset) within `timeout`.
    func isClosedByServer(within timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            switch read(deadline: deadline) {
            case .data: continue
            case .closed: return true
            case .timedOut: return false
            }
        }
        return false
    }

    private enum ReadOutcome { case data, closed, timedOut }

    private func read(deadline: Date) -> ReadOutcome {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0, socket.waitUntil(readable: true, timeoutMilliseconds: Int32(remaining * 1000)) else {
            return .timedOut
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        switch chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) {
        case .transferred(let n): buffer.append(contentsOf: chunk[0..<n]); return .data
        case .wouldBlock: return .data
        case .closed, .failed: return .closed
        }
    }

    private func fill(deadline: Date) throws -> Bool {
        switch read(deadline: deadline) {
        case .data: return true
        case .closed: return false
        case .timedOut: throw CollectorError("timed out waiting for the server")
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
        return nil
    }
}

/// Parses the text exposition into `name{labels}` → value, for assertions.
func parseExposition(_ text: String) -> [String: Double] {
    var result: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        let value = String(line[line.index(after: space)...])
        result[String(line[..<space])] = value == "+Inf" ? .infinity : value == "-Inf" ? -.infinity : Double(value)
    }
    return result
}

func gauge(_ name: String, _ value: Double, labels: [Label] = []) -> MetricFamily {
    MetricFamily(FamilyDescriptor(name: name, type: .gauge, help: "Test gauge."), samples: [Sample(labels: labels, value: value)])
}
