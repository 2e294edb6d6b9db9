import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// Between scrapes the exporter does not run: no thread wakes up while it waits, even with a
/// keep-alive connection open (as Prometheus holds one). Before the event loop slept until the
/// next expiry it woke four times a second.
@Suite(.serialized) struct IdleWakeupTests {
    /// Context switches of every thread of `pid` (voluntary and not), from /proc.
    static func switches(_ pid: pid_t) throws -> Int {
        var total = 0
        for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
            let status = try String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)
            for line in status.split(separator: "\n") where line.contains("ctxt_switches:") {
                total += Int(line.split(separator: "\t").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
            }
        }
        return total
    }

    @Test func anIdleExporterWithAKeepAliveConnectionDoesNotWakeUp() throws {
        let exporter = try ExporterProcess(["--collector.disable-defaults", "--collector.loadavg", "--web.idle-timeout=60s"])
        // A keep-alive connection that has been served once: the idle timeout now runs (60 s).
        let socket = try Socket.connect(host: "127.0.0.1", port: exporter.port)
        defer { socket.close() }
        try socket.writeAll(Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: answer, as: UTF8.self).contains("node_load1"), socket.waitUntil(readable: true, timeoutMilliseconds: 5000) {
            guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }), n > 0 else { break }
            answer.append(contentsOf: chunk[0..<n])
        }
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        // The sweep after the last event (within 250 ms) and idle worker threads settle first.
        _ = socket.waitUntil(readable: true, timeoutMilliseconds: 600)
        let before = try Self.switches(exporter.process.pid)
        // A measurement window, not a wait for an event: nothing is expected to happen in it.
        _ = socket.waitUntil(readable: true, timeoutMilliseconds: 2000)
        let woken = try Self.switches(exporter.process.pid) - before
        #expect(woken <= 1, "\(woken) context switches in 2 s of idleness (the 250 ms tick made 8)")
    }
}
