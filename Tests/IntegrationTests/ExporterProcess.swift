import Foundation
import Testing
@testable import ExporterCore

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

/// Runs a command to completion and returns its exit status and output.
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil, timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning { process.terminate(); throw TestFailure("\(executable) timed out") }
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Finds an executable on PATH or in the usual Debian places; a missing tool is a test failure,
/// never a skip (CI installs them).
func tool(_ name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"] {
        let candidate = dir + "/" + name
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw TestFailure("\(name) is not installed (scripts/test installs it)")
}

/// The real binary listening on 127.0.0.1 with an ephemeral port, read from its log.
final class ExporterProcess {
    let process = Process()
    let port: UInt16
    private let errors = Pipe()

    /// `wrapper` runs the binary through another program (e.g. `prlimit --nofile=…`).
    init(_ arguments: [String] = [], wrapper: [String] = []) throws {
        let binary = try Package.binary()
        let command = wrapper + [binary, "--web.listen-address=127.0.0.1:0"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        var found: UInt16? = nil
        while found == nil && Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "msg=listening address=127.0.0.1:") {
                let digits = seen[range.upperBound...].prefix { $0.isNumber }
                found = UInt16(digits)
            }
        }
        guard let found else {
            process.terminate()
            throw TestFailure("exporter did not start: \(seen)")
        }
        port = found
    }

    deinit {
        if process.isRunning { process.terminate() }
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
        while process.isRunning && Date().timeIntervalSince(started) < timeout { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else { return nil }
        return (process.terminationStatus, Date().timeIntervalSince(started))
    }
}
