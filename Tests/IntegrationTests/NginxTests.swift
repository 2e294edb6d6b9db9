import Foundation
import TestSupport
import Testing
@testable import ExporterCore

/// Real nginx with stub_status on a loopback port, Debian's prometheus-nginx-exporter beside the
/// collector on the same page, and hand-written faults.
@Suite(.serialized, .timeLimit(.minutes(10))) struct NginxTests {
    final class Nginx {
        let process: ChildProcess
        let port: UInt16
        let dir = NSTemporaryDirectory() + "nginx-it-\(UUID().uuidString)"

        /// `http` lets a test add directives to the http block (keepalive_timeout…).
        init(http: String = "") throws {
            let dir = self.dir
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            port = try TLSIntegrationTests.freePort()
            let temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "\($0)_temp_path \(dir);" }.joined(separator: " ")
            let config = """
                daemon off; pid \(dir)/nginx.pid; error_log \(dir)/error.log; worker_processes 1;
                events { worker_connections 64; }
                http { log_format timed '\(Self.timedFormat)'; access_log \(dir)/access.log timed; \(temp) \(http)
                  server { listen 127.0.0.1:\(port); location = /stub_status { stub_status; } location = /fail { return 500; }
                    location = /missing { return 404; } location / { return 200 "hello\\n"; } } }
                """
            try config.write(toFile: "\(dir)/nginx.conf", atomically: true, encoding: .utf8)
            process = try ChildProcess([try tool("nginx"), "-c", "\(dir)/nginx.conf", "-p", dir], stderr: .file("\(dir)/stderr.log"))
            let port = self.port, process = self.process
            let ready = Wait.until(timeout: 10, interval: 0.01) {
                (try? Socket.connect(host: "127.0.0.1", port: port)).map { $0.close(); return true } ?? !process.isRunning
            }
            guard ready, process.isRunning else { throw TestFailure("nginx did not start: \((try? String(contentsOfFile: "\(dir)/stderr.log", encoding: .utf8)) ?? "")") }
        }

        /// combined plus $request_time, the access-log format the tail is given.
        static let timedFormat = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#
        var accessLog: String { dir + "/access.log" }

        /// The status nginx answered `path` with.
        func status(_ path: String) throws -> Int {
            let socket = try Socket.connect(host: "127.0.0.1", port: port)
            defer { socket.close() }
            try socket.writeAll(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
            while socket.waitUntil(readable: true, timeoutMilliseconds: 5000) {
                guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
                bytes.append(contentsOf: chunk[0..<n])
            }
            return Int(String(decoding: bytes.prefix(12), as: UTF8.self).split(separator: " ").dropFirst().first ?? "") ?? 0
        }

        deinit {
            process.killGroup()
            process.wait(timeout: 5)
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static func scrape(_ urls: [String], timeout: Double = 3, deadline: Double = 5) throws -> String {
        let collector = NginxCollector(targets: try urls.map { try NginxTarget.parse($0) }, timeout: timeout, logger: .disabled)
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: deadline), logger: .disabled, exposition: ExpositionStats())
        return TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats()))
    }

    /// name → (type, value) of an exposition without labels other than `addr`.
    static func series(_ text: String, addr: String? = nil) -> [String: (type: String, value: Double)] {
        var types: [String: String] = [:], out: [String: (type: String, value: Double)] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 4, words[1] == "TYPE" { types[String(words[2])] = String(words[3]) }
            guard !line.hasPrefix("#"), line.hasPrefix("nginx_"), let last = words.last, let value = Double(last) else { continue }
            let name = String(words[0].prefix { $0 != "{" })
            if let addr, !line.contains("addr=\"\(addr)\"") { continue }
            out[name] = (types[name] ?? "", value)
        }
        return out
    }

    @Test func sameNamesTypesAndValuesAsNginxPrometheusExporter() throws {
        let nginx = try Nginx()
        let url = "http://127.0.0.1:\(nginx.port)/stub_status"
        let peerPort = try TLSIntegrationTests.freePort()
        let peer = try ChildProcess([try tool("prometheus-nginx-exporter"), "-nginx.scrape-uri=\(url)", "-web.listen-address=127.0.0.1:\(peerPort)"])
        defer { peer.killGroup(); peer.wait(timeout: 5) }
        var before = ""
        #expect(Wait.until(timeout: 10, interval: 0.02) {
            before = (try? httpGet(port: peerPort, path: "/metrics")) ?? ""
            return before.contains("nginx_up 1")
        })
        let ours = Self.series(try Self.scrape([url]), addr: url)
        let after = Self.series(try httpGet(port: peerPort, path: "/metrics"))
        let theirs = Self.series(before)
        #expect(Set(ours.keys) == Set(theirs.keys), "ours \(ours.keys.sorted()) theirs \(theirs.keys.sorted())")
        for (name, entry) in theirs {
            #expect(ours[name]?.type == entry.type, "\(name)")
            // Each scrape is itself a request: our value lies between the peer's before and after.
            if let value = ours[name]?.value, let later = after[name]?.value, entry.type == "counter" {
                #expect(value >= entry.value && value <= later, "\(name): \(entry.value) ≤ \(value) ≤ \(later)")
            }
        }
        #expect(ours["nginx_up"]?.value == 1)
    }

    @Test func downGarbageSilentAndWrongPagesFailAloneWithinTheDeadline() throws {
        let nginx = try Nginx()
        let silent = try FakeTCPServer(.silent), garbage = try FakeTCPServer(.reply(Array("\u{0}\u{1}garbage\r\n\r\n".utf8)))
        defer { silent.stop(); garbage.stop() }
        let good = "http://127.0.0.1:\(nginx.port)/stub_status"
        let urls = [good, "http://127.0.0.1:\(nginx.port)/", "http://127.0.0.1:\(nginx.port)/missing", "http://127.0.0.1:\(silent.port)/stub_status",
                    "http://127.0.0.1:\(garbage.port)/stub_status", "http://127.0.0.1:1/stub_status"]
        let started = Date()
        let text = try Self.scrape(urls, timeout: 1)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(Self.series(text, addr: good)["nginx_up"]?.value == 1)
        for url in urls.dropFirst() {
            #expect(Self.series(text, addr: url)["nginx_up"]?.value == 0, "\(url)")
            #expect(Self.series(text, addr: url)["nginx_connections_active"] == nil)
        }
    }

    /// `nginx_http_responses_total` by class, and the histogram's count, of log `web`.
    static func responses(_ exporter: ExporterProcess) throws -> (classes: [String: Double], durations: Double, rotations: Double) {
        let text = String(decoding: try exporter.get("/metrics").body, as: UTF8.self)
        var classes: [String: Double] = [:], durations = -1.0, rotations = -1.0
        for line in text.split(separator: "\n") where line.contains(#"log="web""#) {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix("nginx_http_responses_total{"), let range = line.range(of: #"status_class=""#) {
                classes[String(line[range.upperBound...].prefix(3))] = value
            }
            if line.hasPrefix("nginx_http_request_duration_seconds_count{") { durations = value }
            if line.hasPrefix("nginx_access_log_rotations_total{") { rotations = value }
        }
        return (classes, durations, rotations)
    }

    /// The real binary follows nginx's access log: 200, 404 and 500 answers counted by class, with
    /// their durations; then logrotate's way (rename, lines still written to the old file, `nginx
    /// -s reopen`, lines in the new file): nothing lost, nothing counted twice.
    @Test func accessLogCountsResponsesByClassAcrossARotation() throws {
        let nginx = try Nginx()
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.nginx",
            "--nginx.access-log=\(nginx.accessLog),name=web,format=\(Nginx.timedFormat)",
        ])
        let asked = try ["/", "/", "/", "/missing", "/missing", "/fail"].map { try nginx.status($0) }
        #expect(asked == [200, 200, 200, 404, 404, 500])
        var seen: (classes: [String: Double], durations: Double, rotations: Double) = ([:], 0, 0)
        let first = ["1xx": 0.0, "2xx": 3, "3xx": 0, "4xx": 2, "5xx": 1]
        #expect(Wait.until(timeout: 10, interval: 0.05) { seen = (try? Self.responses(exporter)) ?? seen; return seen.classes == first },
                "\(seen)")
        #expect(seen.durations == 6 && seen.rotations == 0)

        guard rename(nginx.accessLog, nginx.accessLog + ".1") == 0 else { throw TestFailure("rename") }
        #expect(try nginx.status("/fail") == 500)  // written to the renamed file: nginx has not reopened
        let reopen = try run(try tool("nginx"), ["-c", "\(nginx.dir)/nginx.conf", "-p", nginx.dir, "-s", "reopen"])
        #expect(reopen.status == 0, "\(reopen.stderr)")
        #expect(Wait.until(timeout: 10, interval: 0.02) { FileManager.default.fileExists(atPath: nginx.accessLog) })
        #expect(try [nginx.status("/"), nginx.status("/missing")] == [200, 404])
        let second = ["1xx": 0.0, "2xx": 4, "3xx": 0, "4xx": 3, "5xx": 2]
        #expect(Wait.until(timeout: 10, interval: 0.05) { seen = (try? Self.responses(exporter)) ?? seen; return seen.classes == second },
                "\(seen)")
        #expect(seen.durations == 9 && seen.rotations == 1)
    }

    /// The connection to nginx is kept between scrapes: nginx accepts one connection for three
    /// scrapes; `keepalive_requests 3` makes nginx end it with `Connection: close`, and the next
    /// scrape connects anew; a kept connection nginx closed meanwhile (`keepalive_timeout`) is
    /// retried on a new one, not reported down.
    @Test func keepsTheConnectionToNginxAndReconnectsWhenNginxClosesIt() throws {
        let nginx = try Nginx(http: "keepalive_requests 3; keepalive_timeout 1s;")
        let url = "http://127.0.0.1:\(nginx.port)/stub_status"
        let collector = NginxCollector(targets: [try NginxTarget.parse(url)], timeout: 3, logger: .disabled)
        func scrape() throws -> [String: (type: String, value: Double)] {
            let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: 5), logger: .disabled, exposition: ExpositionStats())
            return Self.series(TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats())))
        }
        let first = try scrape()
        let accepted = first["nginx_connections_accepted"]?.value ?? -1
        #expect(first["nginx_up"]?.value == 1 && collector.connections.count == 1)
        #expect(try scrape()["nginx_connections_accepted"]?.value == accepted)
        let third = try scrape()  // the third request on the connection: nginx closes it
        #expect(third["nginx_connections_accepted"]?.value == accepted && collector.connections.count == 0)
        let fourth = try scrape()
        #expect(fourth["nginx_up"]?.value == 1 && fourth["nginx_connections_accepted"]?.value == accepted + 1)
        // nginx closes the idle kept connection after 1 s: wait until only the asking one is active.
        #expect(Wait.until(timeout: 10, interval: 0.1) {
            ((try? httpGet(port: nginx.port, path: "/stub_status")) ?? "").hasPrefix("Active connections: 1 ")
        })
        let fifth = try scrape()
        #expect(fifth["nginx_up"]?.value == 1 && collector.connections.count == 1)
        #expect((fifth["nginx_connections_accepted"]?.value ?? 0) > accepted + 1)
    }
}
