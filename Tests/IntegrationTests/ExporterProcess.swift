import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// Paths of the package, found from this file.
enum Package {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The stack_exporter binary: $STACK_EXPORTER_BIN, else the newest of .build/{debug,release}.
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["STACK_EXPORTER_BIN"] { return path }
        let candidates = ["debug", "release"].map { "\(root)/.build/\($0)/stack_exporter" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        let newest = candidates.max { modified($0) < modified($1) }
        guard let newest else { throw TestFailure("stack_exporter binary not built: run swift build first") }
        return newest
    }

    private static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and output (see `runCommand`).
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
         timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try runCommand([executable] + arguments, input: input, environment: environment, timeout: timeout)
    return (result.status, result.stdout, result.stderr)
}

/// Finds an executable on PATH or in the usual Debian places; a missing tool is a test failure,
/// never a skip (CI installs them).
func tool(_ name: String) throws -> String {
    try ChildProcess.resolve(name)
}

/// The real binary listening on 127.0.0.1, its log (stderr) in a file the tests can read.
/// Without `port` it listens on an ephemeral port, read from its log.
final class ExporterProcess {
    let process: ChildProcess
    let port: UInt16
    let logPath: String

    /// `wrapper` runs the binary through another program (e.g. `prlimit --nofile=…`).
    init(_ arguments: [String] = [], wrapper: [String] = [], environment: [String: String]? = nil, port fixed: UInt16? = nil) throws {
        let binary = try Package.binary()
        logPath = NSTemporaryDirectory() + "stack-exporter-\(getpid())-\(UUID().uuidString).log"
        let listen = "--web.listen-address=127.0.0.1:\(fixed ?? 0)"
        process = try ChildProcess(wrapper + [binary, listen] + arguments, environment: environment, stderr: .file(logPath))
        var found: UInt16? = nil
        let logPath = self.logPath, process = self.process
        Wait.until(timeout: 10, interval: 0.01) {
            let text = Self.read(logPath)
            if let range = text.range(of: "msg=listening address=127.0.0.1:") {
                found = UInt16(text[range.upperBound...].prefix { $0.isNumber })
            }
            return found != nil || !process.isRunning
        }
        guard let found else {
            process.stop(timeout: 2)
            let log = Self.read(logPath)
            unlink(logPath)
            throw TestFailure("exporter did not start: \(log)")
        }
        port = found
    }

    deinit {
        process.stop(timeout: 5)
        unlink(logPath)
    }

    /// Everything the exporter has logged so far.
    var log: String { Self.read(logPath) }
    var logText: String { log }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// One request with the given headers; returns status, headers and body.
    func get(_ path: String, headers: [String: String] = [:]) throws -> (status: Int, headers: [String: String], body: Data) {
        let socket = try Socket.connect(host: "127.0.0.1", port: port)
        defer { socket.close() }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try socket.writeAll(Array((request + "\r\n").utf8))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while socket.waitUntil(readable: true, timeoutMilliseconds: 15_000) {
            guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else { throw TestFailure("no response head") }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (status, fields, Data(bytes[end.upperBound...]))
    }

    /// SIGTERM, then the exit status and how long it took.
    func terminate(timeout: Double = 8) -> (status: Int32, seconds: Double)? {
        let started = Date()
        process.terminate()
        guard let status = process.wait(timeout: timeout) else { return nil }
        return (status, Date().timeIntervalSince(started))
    }
}
