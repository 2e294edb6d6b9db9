import Foundation
import TestSupport
import Testing
@testable import ExporterCore

/// Live endpoints: `openssl s_server` on 127.0.0.1 ephemeral ports, a silent listener, a plain
/// HTTP server, and PostgreSQL 15 with ssl=on for STARTTLS. Everything is started by the tests.
@Suite(.serialized, .timeLimit(.minutes(10))) struct TLSIntegrationTests {
    // MARK: helpers

    /// A server whose port is read from a line of its stdout (kept in a file).
    final class Server {
        let process: ChildProcess
        let port: UInt16
        private let output = NSTemporaryDirectory() + "tls-server-\(UUID().uuidString).out"

        init(_ arguments: [String], portLine prefix: String) throws {
            // stdin is a pipe left open: s_server ends at end-of-file on stdin.
            process = try ChildProcess(arguments, stdin: .pipe, stdout: .file(output))
            var text = ""
            var found: UInt16? = nil
            let output = self.output, process = self.process
            Wait.until(timeout: 10, interval: 0.01) {
                text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                if let range = text.range(of: prefix), text[range.upperBound...].contains("\n") {
                    found = UInt16(text[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber })
                }
                return found != nil || !process.isRunning
            }
            guard let found else {
                process.killGroup()
                throw ChildProcessError("no port in: \(text)")
            }
            port = found
        }

        deinit {
            process.killGroup()
            process.wait(timeout: 5)
            unlink(output)
        }
    }

    static func sServer(_ args: [String]) throws -> Server {
        try Server(["stdbuf", "-oL", "openssl", "s_server", "-accept", "127.0.0.1:0", "-www"] + args, portLine: "ACCEPT 127.0.0.1:")
    }

    static func prober(caFile: String?, timeout: Double = 3) throws -> TLSProber { try TLSProber(caFile: caFile, timeout: timeout) }

    static func scrape(_ targets: [String], caFile: String?, timeout: Double = 3, deadline: Double = 8, logger: Logger = .disabled) throws -> String {
        let collector = TLSCollector(
            sources: CertificateSources(patterns: [], directories: []), relativeMetrics: false,
            endpoints: try targets.map { try TLSTarget.parse($0) }, prober: try prober(caFile: caFile, timeout: timeout), logger: logger)
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: deadline), logger: logger, exposition: ExpositionStats())
        return TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats()))
    }

    static func value(_ text: String, _ metric: String, _ fragments: [String] = []) -> Double? {
        lines(text, metric, fragments).first.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    static func lines(_ text: String, _ metric: String, _ fragments: [String] = []) -> [String] {
        text.split(separator: "\n").map(String.init).filter { l in
            (l.hasPrefix(metric + "{") || l.hasPrefix(metric + " ")) && fragments.allSatisfy { l.contains($0) }
        }
    }

    static func freePort() throws -> UInt16 {
        let socket = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        defer { socket.close() }
        return socket.localPort() ?? 0
    }

    // MARK: tests

    @Test func verifiedChainWithServedRootExcludedFromEarliestExpiry() throws {
        let f = try CertFactory()
        // The root the server sends expires first (blackbox #340): clients use their own copy.
        try f.chain(leafCN: "chain.example", leafDays: 20, intermediateDays: 400, rootDays: 10)
        let server = try Self.sServer(["-cert", f.path("leaf.pem"), "-key", f.path("leaf.key"), "-cert_chain", f.path("intermediate+root.pem")])
        let target = "127.0.0.1:\(server.port)"
        let text = try Self.scrape([target + ",sni=chain.example"], caFile: f.path("root.pem"))
        let t = "target=\"\(target)\""
        #expect(Self.value(text, "ssl_probe_success", [t]) == 1)
        #expect(Self.value(text, "ssl_verify_success", [t, "reason=\"ok\""]) == 1)
        #expect(Self.value(text, "ssl_tls_version_info", [t, "version=\"TLS 1.3\""]) == 1)
        let leafEnd = try CertFactory.openSSLDate(f.path("leaf.pem")), rootEnd = try CertFactory.openSSLDate(f.path("root.pem"))
        #expect(Self.lines(text, "ssl_cert_not_after", [t]).count == 3)
        #expect(Self.value(text, "ssl_cert_not_after", [t, "cn=\"chain.example\"", "dnsnames=\",chain.example,\"", "ips=\",127.0.0.1,\"", "issuer_cn=\"Test Intermediate CA\""]) == leafEnd)
        #expect(Self.value(text, "probe_ssl_earliest_cert_expiry", [t]) == leafEnd)
        #expect(Self.value(text, "probe_ssl_last_chain_expiry_timestamp_seconds", [t]) == rootEnd)
        #expect(Self.lines(text, "ssl_verified_cert_not_after", [t, "chain_no=\"0\""]).count == 3)
        #expect(Self.value(text, "ssl_verified_cert_not_after", [t, "chain_no=\"0\"", "cn=\"Test Intermediate CA\"", "ou=\",Issuing,\""]) == (try CertFactory.openSSLDate(f.path("intermediate.pem"))))
    }

    @Test func sniSelectsTheCertificateAndFailuresKeepCertificateMetrics() throws {
        let f = try CertFactory()
        try f.selfSigned("default", cn: "default.example")
        try f.selfSigned("alt", cn: "alt.example", key: .rsa)
        let expired = try f.dated("expired", cn: "expired.example", start: "20200101000000Z", end: "20200201000000Z")
        let sni = try Self.sServer(["-cert", f.path("default.pem"), "-key", f.path("default.key"),
                                    "-servername", "alt.example", "-cert2", f.path("alt.pem"), "-key2", f.path("alt.key")])
        let old = try Self.sServer(["-cert", expired, "-key", f.path("expired.key")])
        // Trust all three, so the failures below are about names and dates only.
        let bundle = try [f.path("default.pem"), f.path("alt.pem"), expired].map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        try bundle.write(toFile: f.path("trust.pem"), atomically: true, encoding: .utf8)
        let a = "127.0.0.1:\(sni.port)", e = "127.0.0.1:\(old.port)"
        let text = try Self.scrape([a + ",sni=alt.example", a + ",sni=wrong.example", e + ",sni=expired.example"], caFile: f.path("trust.pem"))
        #expect(Self.value(text, "ssl_cert_not_after", ["target=\"\(a)\"", "cn=\"alt.example\""]) == (try CertFactory.openSSLDate(f.path("alt.pem"))))
        #expect(Self.lines(text, "ssl_verify_success", ["target=\"\(a)\"", "reason=\"ok\""]).count == 1)
        // Same target text twice is only possible with different SNI; the label is the address, so
        // check the wrong-name probe through its reason.
        #expect(Self.lines(text, "ssl_verify_success", ["target=\"\(a)\"", "mismatch"]).count == 1)
        #expect(Self.value(text, "ssl_verify_success", ["target=\"\(e)\"", "reason=\"certificate has expired\""]) == 0)
        #expect(Self.value(text, "ssl_probe_success", ["target=\"\(e)\""]) == 1)
        #expect(Self.value(text, "probe_ssl_earliest_cert_expiry", ["target=\"\(e)\""]) == 1_580_515_200)
        #expect(Self.value(text, "ssl_cert_not_after", ["target=\"\(e)\"", "cn=\"expired.example\""]) == 1_580_515_200)

        // Without SNI the default certificate comes back; self-signed and untrusted → reason.
        let plain = try Self.scrape([a], caFile: nil)
        #expect(Self.lines(plain, "ssl_cert_not_after", ["cn=\"default.example\""]).count == 1)
        #expect(Self.value(plain, "ssl_verify_success", ["self-signed certificate"]) == 0)
    }

    @Test func refusedSilentAndPlainHTTPEndpointsFailClearlyWithinTheDeadline() throws {
        let f = try CertFactory()
        try f.selfSigned("ok", cn: "ok.example")
        let good = try Self.sServer(["-cert", f.path("ok.pem"), "-key", f.path("ok.key")])
        let silent = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))  // accepts TCP, never speaks
        defer { silent.close() }
        let silentPort = silent.localPort() ?? 0
        let http = try Server(["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"], portLine: "port ")
        let refused = try Self.freePort()
        let sink = LogSink.capture()
        let logger = Logger(level: .info, format: .logfmt, sink: sink)
        let targets = ["127.0.0.1:\(good.port)", "127.0.0.1:\(refused)", "127.0.0.1:\(silentPort)", "127.0.0.1:\(http.port)"]
        let started = Date()
        let text = try Self.scrape(targets, caFile: nil, timeout: 1, deadline: 5, logger: logger)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1.8, "probes run in parallel and each ends at its timeout")
        #expect(Self.value(text, "ssl_probe_success", ["target=\"\(targets[0])\""]) == 1)
        #expect(Self.value(text, "ssl_probe_failure_info", ["target=\"\(targets[1])\"", "reason=\"connect_refused\""]) == 1)
        #expect(Self.value(text, "ssl_probe_failure_info", ["target=\"\(targets[2])\"", "reason=\"handshake_timeout\""]) == 1)
        #expect(Self.value(text, "ssl_probe_failure_info", ["target=\"\(targets[3])\"", "reason=\"handshake\""]) == 1)
        #expect(Self.value(text, "ssl_cert_not_after", ["target=\"\(targets[0])\"", "cn=\"ok.example\""]) == (try CertFactory.openSSLDate(f.path("ok.pem"))))
        #expect(sink.lines.filter { $0.contains("endpoint problem") }.count == 3)
        #expect(sink.lines.contains { $0.contains("wrong version number") })

        // A scrape deadline shorter than --tls.timeout wins.
        let short = Date()
        _ = try Self.scrape(["127.0.0.1:\(silentPort)"], caFile: nil, timeout: 10, deadline: 0.5)
        #expect(Date().timeIntervalSince(short) < 1.2)
    }

    @Test func postgresSTARTTLS() throws {
        let f = try CertFactory()
        try f.selfSigned("pg", cn: "db.example", key: .rsa)
        let base = f.dir + "/pg"
        let data = base + "/data", sock = base + "/sock"
        try FileManager.default.createDirectory(atPath: sock, withIntermediateDirectories: true)
        try CertFactory.run(["chown", "-R", "postgres:postgres", base])
        try CertFactory.run(["chmod", "755", f.dir])
        let bin = "/usr/lib/postgresql/15/bin/"
        try CertFactory.run(["runuser", "-u", "postgres", "--", bin + "initdb", "-D", data, "-A", "trust", "--no-sync", "-U", "postgres"])
        try FileManager.default.copyItem(atPath: f.path("pg.pem"), toPath: data + "/server.crt")
        try FileManager.default.copyItem(atPath: f.path("pg.key"), toPath: data + "/server.key")
        try CertFactory.run(["chown", "postgres:postgres", data + "/server.crt", data + "/server.key"])
        try CertFactory.run(["chmod", "600", data + "/server.key"])
        let port = try Self.freePort()
        let options = "-p \(port) -k \(sock) -c listen_addresses=127.0.0.1 -c ssl=on -c fsync=off"
        func pgctl(_ args: [String]) -> Int32 {
            let result = try? runCommand(["runuser", "-u", "postgres", "--", bin + "pg_ctl", "-D", data] + args, timeout: 60)
            return result?.status ?? -1
        }
        #expect(pgctl(["-o", options, "-l", base + "/log", "-w", "-t", "30", "start"]) == 0)
        defer { _ = pgctl(["-m", "immediate", "-w", "stop"]) }
        let target = "127.0.0.1:\(port)"
        let text = try Self.scrape([target + ",starttls=postgres,sni=db.example"], caFile: f.path("pg.pem"))
        #expect(Self.value(text, "ssl_probe_success", ["target=\"\(target)\""]) == 1)
        #expect(Self.value(text, "ssl_verify_success", ["reason=\"ok\""]) == 1)
        #expect(Self.value(text, "ssl_cert_not_after", ["cn=\"db.example\""]) == (try CertFactory.openSSLDate(f.path("pg.pem"))))
        // Without STARTTLS PostgreSQL does not speak TLS.
        let direct = try Self.scrape([target], caFile: nil, timeout: 2)
        #expect(Self.value(direct, "ssl_probe_success") == 0)
    }

    @Test func probeEndpoint() throws {
        let f = try CertFactory()
        try f.selfSigned("p", cn: "probe.example")
        let server = try Self.sServer(["-cert", f.path("p.pem"), "-key", f.path("p.key")])
        let silent = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        defer { silent.close() }
        let service = TLSProbeService(prober: try Self.prober(caFile: f.path("p.pem"), timeout: 5),
                                      allow: ProbeAllowList(patterns: ["127.0.0.1"]), logger: .disabled)
        var settings = ExporterHandler.Settings()
        settings.collectorTimeout = 10
        let handler = ExporterHandler(
            settings: settings, scraper: Scraper(collectors: [], logger: .disabled, exposition: ExpositionStats()),
            serverStats: ServerStats(), exposition: ExpositionStats(), logger: .disabled, probe: service)
        func request(_ query: [(String, String)], timeout: String? = nil) -> HTTPRequest {
            HTTPRequest(method: "GET", target: "/probe", path: "/probe", query: query.map { (name: $0.0, value: $0.1) }, minorVersion: 1,
                        headers: timeout.map { [HTTPHeader(ScrapeDeadline.headerName, $0)] } ?? [])
        }
        func immediateStatus(_ request: HTTPRequest) -> HTTPStatus? {
            if case .respond(let response) = handler.route(request) { return response.status }
            return nil
        }
        func respond(_ request: HTTPRequest) -> HTTPResponse {
            guard case .work(.probe, let seconds) = handler.route(request) else { return .text(.internalServerError, "not routed to a probe") }
            return handler.response(to: request, deadline: MonotonicTime.now().adding(seconds: seconds))
        }
        #expect(immediateStatus(request([])) == .badRequest)
        #expect(immediateStatus(request([("target", "no-port")])) == .badRequest)
        #expect(immediateStatus(request([("target", "127.0.0.1:443"), ("starttls", "smtp")])) == .badRequest)
        #expect(immediateStatus(request([("target", "169.254.169.254:443")])) == .forbidden)
        let ok = request([("target", "127.0.0.1:\(server.port)"), ("sni", "probe.example")])
        #expect(immediateStatus(ok) == nil)
        let body = String(decoding: respond(ok).body, as: UTF8.self)
        #expect(Self.value(body, "probe_success") == 1)
        #expect(Self.value(body, "ssl_probe_success") == 1)
        #expect(Self.value(body, "ssl_verify_success", ["reason=\"ok\""]) == 1)
        #expect(Self.value(body, "probe_ssl_earliest_cert_expiry") == (try CertFactory.openSSLDate(f.path("p.pem"))))
        #expect(!body.contains("target="))
        // Prometheus' timeout header bounds the probe (1 s - 10 % margin).
        let started = Date()
        let slow = respond(request([("target", "127.0.0.1:\(silent.localPort() ?? 0)")], timeout: "1"))
        #expect(Date().timeIntervalSince(started) < 1.3)
        #expect(Self.value(String(decoding: slow.body, as: UTF8.self), "probe_success") == 0)
    }

    // MARK: a hung endpoint in the real binary (issue #12, defect 8)

    static func threadCount(_ pid: pid_t) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
    }

    /// A listener that never accepts: the kernel completes the TCP handshake from the backlog,
    /// and no byte ever comes back, as from a wedged TLS terminator.
    static func hungListener() throws -> (socket: Socket, target: String) {
        let socket = try Socket.listen(on: ListenAddress(host: "127.0.0.1", port: 0))
        return (socket, "127.0.0.1:\(socket.localPort() ?? 0)")
    }

    @Test func hungEndpointFailsAloneAndTheRestOfTheScrapeIsKept() throws {
        let f = try CertFactory()
        let file = try f.selfSigned("ok", cn: "ok.example")
        let good = try Self.sServer(["-cert", file, "-key", f.path("ok.key")])
        let (hung, hungTarget) = try Self.hungListener()
        defer { hung.close() }
        let goodTarget = "127.0.0.1:\(good.port)"
        // --tls.timeout (5 s) is above what Prometheus allows (3 s): the scrape deadline decides.
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.tls", "--tls.file=\(file)", "--tls.ca-file=\(file)",
            "--tls.endpoint=\(goodTarget),sni=ok.example", "--tls.endpoint=\(hungTarget)",
        ])
        let notAfter = try CertFactory.openSSLDate(file)
        var threads: [Int] = []
        for _ in 0..<5 {
            let started = Date()
            let response = try exporter.get("/metrics", headers: ["X-Prometheus-Scrape-Timeout-Seconds": "3"])
            let elapsed = Date().timeIntervalSince(started)
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(response.status == 200)
            #expect(elapsed < 3, "answered within Prometheus' timeout")
            #expect(Self.value(text, "x509_cert_not_after", ["filepath=\"\(file)\""]) == notAfter)
            #expect(Self.value(text, "ssl_probe_success", ["target=\"\(goodTarget)\""]) == 1)
            #expect(Self.value(text, "ssl_probe_success", ["target=\"\(hungTarget)\""]) == 0)
            #expect(Self.value(text, "ssl_probe_failure_info", ["target=\"\(hungTarget)\"", "reason=\"handshake_timeout\""]) == 1)
            #expect(Self.value(text, "stack_exporter_scrape_collector_success", ["collector=\"tls\""]) == 1)
            threads.append(Self.threadCount(exporter.process.pid))
        }
        // A probe left running after each scrape would add a thread per scrape.
        #expect(threads.allSatisfy { $0 > 0 })
        #expect((threads.max() ?? 0) <= (threads.first ?? 0) + 2, "threads per scrape: \(threads)")
    }

    @Test func probeOfAHungTargetAnswersFailedBeforeTheScrapeTimeout() throws {
        let (hung, hungTarget) = try Self.hungListener()
        defer { hung.close() }
        // /probe is allowed for the hosts of --tls.endpoint (127.0.0.1).
        let exporter = try ExporterProcess(["--collector.disable-defaults", "--collector.tls", "--tls.endpoint=\(hungTarget)"])
        let started = Date()
        let response = try exporter.get("/probe?target=\(hungTarget)", headers: ["X-Prometheus-Scrape-Timeout-Seconds": "2"])
        let elapsed = Date().timeIntervalSince(started)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 200, "a failed probe is still a 200 (blackbox)")
        // The request's deadline is 1.8 s (2 s less 10 %); the probe must end before it, leaving
        // time to answer, not at it.
        #expect(elapsed < 1.8)
        #expect(Self.value(text, "ssl_probe_success") == 0)
        #expect(Self.value(text, "probe_success") == 0)
        #expect(Self.value(text, "ssl_probe_failure_info", ["reason=\"handshake_timeout\""]) == 1)
    }

    /// `/probe` belongs to the tls collector (and `module=http` to the http collector): with both
    /// disabled the route does not exist; with only http it answers a TLS probe 400 (HTTPProbeTests).
    @Test func probeRouteExistsOnlyWithTheTLSCollector() throws {
        let without = try ExporterProcess(["--no-collector.tls", "--no-collector.http", "--tls.probe-allow=127.0.0.1"])
        #expect(try without.get("/probe?target=127.0.0.1:1").status == 404)
        let with = try ExporterProcess(["--collector.disable-defaults", "--collector.tls", "--tls.probe-allow=127.0.0.1"])
        #expect(try with.get("/probe?target=127.0.0.1:1").status == 200)
    }
}
