import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// A TLS client in Python's `ssl` (OpenSSL underneath, but a different client stack than curl):
/// argv port, CA file, TLS version ("1.2", "1.3" or "any"), then optional client cert and key.
/// Prints `ok <version> <status>` or `fail <reason>`; with PIPELINE set it sends two requests in
/// one write and appends how many 200s came back.
private let pythonClient = """
import os, socket, ssl, sys
port, ca, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
if version != "any":
    v = ssl.TLSVersion.TLSv1_2 if version == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = v
if len(sys.argv) > 5:
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            last = b"GET /-/ready HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n"
            first = b"GET /-/healthy HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" if os.environ.get("PIPELINE") else b""
            tls.sendall(first + last)
            data = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                data += chunk
            count = [str(data.count(b"HTTP/1.1 200 OK"))] if first else []
            print("ok", tls.version(), data.split(b" ")[1].decode() if data else "empty", *count)
except Exception as e:
    print("fail", type(e).__name__, str(e).replace("\\n", " "))
"""

/// Certificates (root → intermediate → leaf for 127.0.0.1), a bcrypt user and a web config file in
/// a temporary directory; the file names its certificates relatively, as users' files do.
private final class WebFixture {
    let certs: CertFactory
    var configPath: String { certs.path("web.yml") }

    init() throws {
        certs = try CertFactory()
        try certs.chain(leafCN: "localhost", leafDays: 30)
    }

    static func hash(_ password: String) throws -> String {
        try #require(try Crypt.bcrypt(password: Array(password.utf8), cost: 4))
    }

    func write(_ text: String) throws {
        // Written beside and renamed, as editors and config management do.
        try text.write(toFile: configPath + ".tmp", atomically: false, encoding: .utf8)
        guard rename(configPath + ".tmp", configPath) == 0 else { throw TestFailure("rename over \(configPath) failed") }
    }

    func writeTLS(users: [String: String] = [:], extra: String = "") throws {
        var text = "tls_server_config:\n  cert_file: chain.pem\n  key_file: leaf.key\n\(extra)"
        if !users.isEmpty {
            text += "basic_auth_users:\n" + users.map { "  \($0.key): '\($0.value)'\n" }.joined()
        }
        try write(text)
    }

    /// curl over TLS, trusting the test root; returns the status code.
    func curl(_ port: UInt16, _ path: String = "/metrics", user: String? = nil) throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", certs.path("root.pem")]
        if let user { arguments += ["-u", user] }
        let result = try run(try tool("curl"), arguments + ["https://127.0.0.1:\(port)\(path)"])
        return Int(result.stdout) ?? -1
    }

    func python(_ port: UInt16, version: String, clientCert: String? = nil, pipelined: Bool = false) throws -> String {
        var arguments = ["-c", pythonClient, String(port), certs.path("root.pem"), version]
        if let clientCert { arguments += [certs.path(clientCert + ".pem"), certs.path(clientCert + ".key")] }
        let environment = pipelined ? ProcessInfo.processInfo.environment.merging(["PIPELINE": "1"]) { $1 } : nil
        return try run("/usr/bin/python3", arguments, environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; true if it held.
func waitFor(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    let tick = DispatchSemaphore(value: 0)  // never signalled: a bounded pause between checks
    while Date() < deadline {
        if try condition() { return true }
        _ = tick.wait(timeout: .now() + .milliseconds(20))
    }
    return try condition()
}

@Suite(.serialized, .timeLimit(.minutes(10))) struct WebConfigIntegrationTests {
    @Test func tlsWithBasicAuthThroughCurl() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS(users: ["alice": try WebFixture.hash("s3cret")])
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        #expect(try fixture.curl(exporter.port, user: "alice:s3cret") == 200)
        #expect(try fixture.curl(exporter.port) == 401)
        #expect(try fixture.curl(exporter.port, user: "alice:wrong") == 401)
        #expect(try fixture.curl(exporter.port, "/-/healthy") == 401, "health endpoints are protected as in exporter-toolkit")
        #expect(!exporter.log.contains("s3cret"))
    }

    @Test func tlsWithoutAuthServesEveryone() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        #expect(try fixture.curl(exporter.port) == 200)
    }

    @Test func pythonNegotiatesTLS12And13AndMaxVersionRefuses13() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        #expect(try fixture.python(exporter.port, version: "1.2") == "ok TLSv1.2 200")
        #expect(try fixture.python(exporter.port, version: "1.3") == "ok TLSv1.3 200")

        let capped = try WebFixture()
        try capped.writeTLS(extra: "  max_version: TLS12\n")
        let old = try ExporterProcess(["--web.config.file=\(capped.configPath)", "--collector.disable-defaults"])
        #expect(try capped.python(old.port, version: "1.2") == "ok TLSv1.2 200")
        let refused = try capped.python(old.port, version: "1.3")
        #expect(refused.hasPrefix("fail"), "\(refused)")
    }

    @Test func requireAndVerifyClientCertAcceptsSignedAndRefusesNone() throws {
        let fixture = try WebFixture()
        try fixture.certs.clientCertificate("client", cn: "prometheus")
        try fixture.certs.selfSigned("stranger", cn: "stranger")
        try fixture.writeTLS(extra: "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: root.pem\n")
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        for version in ["1.2", "1.3"] {
            #expect(try fixture.python(exporter.port, version: version, clientCert: "client") == "ok TLSv\(version) 200")
            let none = try fixture.python(exporter.port, version: version)
            #expect(none.hasPrefix("fail") || none.hasSuffix("empty"), "TLS \(version) without a client cert: \(none)")
            let stranger = try fixture.python(exporter.port, version: version, clientCert: "stranger")
            #expect(stranger.hasPrefix("fail") || stranger.hasSuffix("empty"), "TLS \(version) untrusted cert: \(stranger)")
        }
    }

    @Test func clientAllowedSANsAdmitsOnlyListedNames() throws {
        let fixture = try WebFixture()
        try fixture.certs.clientCertificate("client", cn: "prometheus")
        let policy = "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: root.pem\n"
        try fixture.writeTLS(extra: policy + "  client_allowed_sans: [other, prometheus]\n")
        let allowing = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        #expect(try fixture.python(allowing.port, version: "any", clientCert: "client") == "ok TLSv1.3 200")

        try fixture.writeTLS(extra: policy + "  client_allowed_sans: [other]\n")
        let refusing = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        let refused = try fixture.python(refusing.port, version: "any", clientCert: "client")
        #expect(refused.hasPrefix("fail") || refused.hasSuffix("empty"), "\(refused)")
    }

    /// Two requests in one TLS write: the second is answered although its bytes sat in OpenSSL's
    /// buffer, where epoll cannot see them.
    @Test func pipelinedRequestsOverTLSAreAllAnswered() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        let result = try fixture.python(exporter.port, version: "any", pipelined: true)
        #expect(result.hasPrefix("ok ") && result.hasSuffix(" 2"), "\(result)")
    }

    @Test func plainHTTPToTheTLSPortGetsGosAnswer() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        let response = try exporter.get("/metrics")
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self) == "Client sent an HTTP request to an HTTPS server.\n")
        #expect(try fixture.curl(exporter.port) == 200, "still serving TLS")
    }

    /// A client that sends the start of a ClientHello and then nothing is cut at the read-header
    /// timeout, and other clients are served meanwhile.
    @Test func aStalledHandshakeIsCutAtTheHeaderTimeout() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess([
            "--web.config.file=\(fixture.configPath)", "--collector.disable-defaults", "--web.read-header-timeout=1s",
        ])
        let stalled = try Socket.connect(host: "127.0.0.1", port: exporter.port)
        defer { stalled.close() }
        try stalled.writeAll([0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00])  // record and handshake header, no body
        let started = Date()
        #expect(try fixture.curl(exporter.port) == 200)
        #expect(Date().timeIntervalSince(started) < 1, "served while the handshake stalls")
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(stalled.waitUntil(readable: true, timeoutMilliseconds: 4000), "not closed")
        let result = buffer.withUnsafeMutableBytes { stalled.read(into: $0) }
        #expect(result == .closed, "\(result)")
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds > 0.7 && seconds < 3, "closed after \(seconds) s")
    }

    @Test func sighupKeepsTheOldConfigWhenTheNewOneIsBrokenAndSwitchesPasswords() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS(users: ["alice": try WebFixture.hash("first")])
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        #expect(try fixture.curl(exporter.port, user: "alice:first") == 200)

        try fixture.write("tls_server_config:\n  cert_file: chain.pem\n  key_fiel: leaf.key\n")
        exporter.process.signal(SIGHUP)
        #expect(try waitFor { exporter.log.contains("web config not reloaded") }, "\(exporter.log)")
        #expect(exporter.log.contains("web.yml:3: unknown key"))
        #expect(exporter.process.isRunning)
        #expect(try fixture.curl(exporter.port, user: "alice:first") == 200, "old config kept")

        try fixture.writeTLS(users: ["alice": try WebFixture.hash("second")])
        exporter.process.signal(SIGHUP)
        #expect(try waitFor { exporter.log.components(separatedBy: "msg=\"web config reloaded\"").count == 2 }, "\(exporter.log)")
        #expect(try fixture.curl(exporter.port, user: "alice:first") == 401)
        #expect(try fixture.curl(exporter.port, user: "alice:second") == 200)
    }

    @Test func sighupWithoutAWebConfigOnlyLogs() throws {
        let exporter = try ExporterProcess(["--collector.disable-defaults"])
        exporter.process.signal(SIGHUP)
        #expect(try waitFor { exporter.log.contains("no --web.config.file to reload") })
        #expect(exporter.process.isRunning)
        #expect(try exporter.get("/-/ready").status == 200)
    }

    /// A renewed certificate written over the old files is served to new connections without a
    /// signal (checked at most once a second).
    @Test func aRotatedCertificateIsServedWithoutARestart() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS()
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        let served = "import ssl, sys; print(ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1]))))"
        func current() throws -> String { try run("/usr/bin/python3", ["-c", served, String(exporter.port)]).stdout }
        let before = try current()
        #expect(before.contains("BEGIN CERTIFICATE"))
        let renewed = try fixture.certs.selfSigned("renewed", cn: "renewed.example", san: "IP:127.0.0.1")
        let renewedPEM = try String(contentsOfFile: renewed, encoding: .utf8)
        #expect(rename(fixture.certs.path("renewed.key"), fixture.certs.path("leaf.key")) == 0)
        #expect(rename(renewed, fixture.certs.path("chain.pem")) == 0)
        let expected = renewedPEM.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try waitFor { try current().trimmingCharacters(in: .whitespacesAndNewlines) == expected }, "still the old certificate")
        #expect(exporter.log.contains("TLS certificate reloaded"))
    }

    @Test(arguments: [
        ("basic_auth_users:\n  alice: hunter2\n", "web.yml:2: the password of user"),
        ("tls_server_config:\n  cert_file: chain.pem\n  key_file: leaf.key\n  cipher_suites: [TLS_BOGUS]\n", "web.yml:4: unknown cipher suite"),
        ("tls_server_config:\n  cert_file: missing.pem\n  key_file: leaf.key\n", "cert_file"),
        ("tls_server_config:\n\tcert_file: a\n", "web.yml:2: tab"),
    ])
    func aBadFileStopsStartUpWithOneLine(_ text: String, _ message: String) throws {
        let fixture = try WebFixture()
        try fixture.write(text)
        let result = try run(try Package.binary(), ["--web.listen-address=127.0.0.1:0", "--web.config.file=\(fixture.configPath)"], timeout: 20)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot load --web.config.file") && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func basicAuthWithoutTLSLoadsLibcryptButNotOpenSSL() throws {
        let fixture = try WebFixture()
        try fixture.write("basic_auth_users:\n  alice: '\(try WebFixture.hash("pw"))'\n")
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults"])
        let header = "Basic " + Data("alice:pw".utf8).base64EncodedString()
        #expect(try exporter.get("/-/ready", headers: ["Authorization": header]).status == 200)
        let maps = try String(contentsOfFile: "/proc/\(exporter.process.pid)/maps", encoding: .utf8)
        #expect(maps.contains("libcrypt.so"))
        #expect(!maps.contains("libssl.so") && !maps.contains("libcrypto.so"))
    }

    /// Prometheus itself scrapes over TLS (verifying the chain against the test root) with basic
    /// auth, until `up == 1`.
    @Test func prometheusScrapesOverTLSWithBasicAuth() throws {
        let fixture = try WebFixture()
        try fixture.writeTLS(users: ["prometheus": try WebFixture.hash("scrape-pw")])
        let exporter = try ExporterProcess(["--web.config.file=\(fixture.configPath)", "--collector.disable-defaults", "--collector.loadavg"])
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(exporter.port)", job: [
            "scheme: https",
            "tls_config:", "  ca_file: \(fixture.certs.path("root.pem"))",
            "basic_auth:", "  username: prometheus", "  password: scrape-pw",
        ])
        defer { prometheus.stop() }
        let up = try prometheus.waitForQuery("up", until: { $0.contains("\"1\"") })
        #expect(up.contains("\"1\""), "up: \(up)")
        let load = try prometheus.query("node_load1")
        #expect(load.contains("\"__name__\":\"node_load1\""), "\(load)")
    }
}
