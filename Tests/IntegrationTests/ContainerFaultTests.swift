import Foundation
import Glibc
import Testing
@testable import ExporterCore
import TestSupport

/// Docker socket faults through the real binary: the containers collector fails alone, once in
/// the log, and never holds the scrape past its deadline.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ContainerFaultTests {
    /// The binary with stderr in a file, so the test can count log lines.
    final class LoggedExporter {
        let exporter: ExporterProcess
        var port: UInt16 { exporter.port }
        var logText: String { exporter.log }

        init(_ arguments: [String]) throws {
            exporter = try ExporterProcess(arguments)
        }

        func metrics(timeoutHeader: String? = nil) throws -> (text: String, seconds: Double) {
            let started = Date()
            let socket = try Socket.connect(host: "127.0.0.1", port: port)
            defer { socket.close() }
            var request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            if let timeoutHeader { request += "X-Prometheus-Scrape-Timeout-Seconds: \(timeoutHeader)\r\n" }
            try socket.writeAll(Array((request + "\r\n").utf8))
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while socket.waitUntil(readable: true, timeoutMilliseconds: 20_000) {
                guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
                bytes.append(contentsOf: chunk[0..<n])
            }
            return (String(decoding: bytes, as: UTF8.self), Date().timeIntervalSince(started))
        }
    }

    @Test func missingSocketFailsTheCollectorOnlyAndLogsOnce() throws {
        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--collector.loadavg",
            "--docker.host=unix:///tmp/sexp-missing-\(getpid()).sock",
        ])
        for _ in 0..<3 {
            let (text, _) = try exporter.metrics()
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 0)
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "loadavg"]) == 1)
            #expect(sampleValue(text, "node_load1", [:]) != nil)
        }
        let failures = exporter.logText.split(separator: "\n").filter { $0.contains("collector=containers") }
        #expect(failures.count == 1, "\(exporter.logText)")
        #expect(failures.first?.contains("No such file or directory") == true)
    }

    @Test func daemonThatAcceptsAndNeverAnswersCannotHoldTheScrape() throws {
        // Listening without ever accepting: connects complete in the backlog, nobody answers.
        let path = "/tmp/sexp-silent-\(getpid()).sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && listen(fd, 16) == 0)

        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--collector.loadavg", "--docker.host=unix://\(path)",
        ])
        for _ in 0..<2 {
            let (text, seconds) = try exporter.metrics(timeoutHeader: "2")
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(seconds < 3, "scrape took \(seconds) s")
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 0)
            #expect(sampleValue(text, "node_load1", [:]) != nil)
        }
    }
    /// Issue #12: a daemon whose stats name a block device 1e300:0 or -1e19:0 (the stats path is
    /// taken when inspect says Pid 0) killed the process with SIGILL in Int(_:). Now the entry is
    /// dropped, the good one reported, and the exporter keeps serving.
    @Test func outOfRangeNumbersInStatsDoNotKillTheProcess() throws {
        let id = String(repeating: "ab", count: 32)
        let daemon = try FakeDockerDaemon { path in
            if path == "/version" { return FakeDockerDaemon.json(#"{"Version":"27.1.1","ApiVersion":"1.46","MinAPIVersion":"1.24"}"#) }
            if path.contains("/containers/json") {
                return FakeDockerDaemon.json(#"[{"Id":"\#(id)","Names":["/odd"],"Image":"x","State":"running","Status":"Up","Labels":{}}]"#)
            }
            if path.split(separator: "?").first?.hasSuffix("/containers/\(id)/json") == true {  // with ?size=true too
                return FakeDockerDaemon.json(#"{"Id":"\#(id)","Name":"/odd","State":{"Status":"running","Running":true,"Pid":0},"HostConfig":{}}"#)
            }
            if path.contains("/stats") {
                return FakeDockerDaemon.json(#"{"cpu_stats":{"cpu_usage":{"total_usage":5000000000}},"blkio_stats":{"io_service_bytes_recursive":["#
                    + #"{"major":1e300,"minor":0,"op":"Read","value":1},{"major":-1e19,"minor":0,"op":"Read","value":2},"#
                    + #"{"major":8,"minor":1e300,"op":"Write","value":3},{"major":8,"minor":0,"op":"Read","value":4096}]}}"#)
            }
            return FakeDockerDaemon.json(#"{"message":"no such container"}"#, status: "404 Not Found")
        }
        defer { daemon.stop() }
        let exporter = try LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--collector.loadavg", "--docker.host=unix://\(daemon.path)",
        ])
        for _ in 0..<2 {
            let (text, _) = try exporter.metrics()
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 1, "\(exporter.logText)")
            #expect(sampleValue(text, "container_cpu_usage_seconds_total", ["name": "odd"]) == 5)
            #expect(sampleValue(text, "container_fs_reads_bytes_total", ["name": "odd", "device": "8:0"]) == 4096)
            #expect(!text.contains("e+300:") && !text.contains("e+19:") && !text.contains(":1e"))
        }
        #expect(exporter.exporter.process.isRunning, "\(exporter.logText)")
        #expect(try exporter.exporter.get("/-/healthy").status == 200)
    }
}
