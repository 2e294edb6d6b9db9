import Testing
@testable import ExporterCore

/// stub_status pages as nginx 1.22 writes them (https://nginx.org/en/docs/http/ngx_http_stub_status_module.html).
@Suite struct StubStatusTests {
    static let page = "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n"

    @Test func parsesThePage() throws {
        #expect(try parseStubStatus(Self.page) == StubStatus(
            active: 291, accepted: 16_630_948, handled: 16_630_948, requests: 31_070_465, reading: 6, writing: 179, waiting: 106))
    }

    @Test func countersBeyondInt64DoNotTrap() throws {
        let page = "Active connections: 1\nserver accepts handled requests\n 99999999999999999999999 1 1\nReading: 0 Writing: 1 Waiting: 0\n"
        #expect(try parseStubStatus(page).accepted == 1e23)
    }

    @Test(arguments: [
        "", "ok\n", "<html><body>502 Bad Gateway</body></html>", "Active connections: x\nserver accepts handled requests\n 1 1 1\nReading: 0 Writing: 1 Waiting: 0\n",
        "Active connections: 1\nserver accepts handled requests\n 1 1\nReading: 0 Writing: 1 Waiting: 0\n",
        "Active connections: 1\nserver accepts handled requests\n 1 -1 1\nReading: 0 Writing: 1 Waiting: 0\n",
        "Active connections: 1\nserver accepts handled requests\n 1 1 1\nReading: 0 Writing: 1\n",
    ])
    func rejectsOtherPages(_ text: String) {
        #expect(throws: ParseError.self) { try parseStubStatus(text) }
    }

    @Test func parsesURLs() throws {
        let target = try NginxTarget.parse("http://127.0.0.1:8080/stub_status")
        #expect(target.host == "127.0.0.1" && target.port == 8080 && target.path == "/stub_status")
        #expect(try NginxTarget.parse("http://[::1]/basic_status").hostField == "[::1]:80")
        #expect(try NginxTarget.parse("http://localhost").path == "/")
        for bad in ["https://h/s", "127.0.0.1:8080/stub_status", "http://:80/x", "http://u:p@h/x", "http://h:0/x", "http://h:99999/"] {
            #expect(throws: CollectorError.self, "\(bad)") { try NginxTarget.parse(bad) }
        }
    }

    @Test func failedPagesAreUpZeroAlone() {
        var families = NginxMetrics.empty()
        guard let status = try? parseStubStatus(Self.page) else { Issue.record("page"); return }
        NginxMetrics.add(status, addr: "http://a/s", to: &families)
        families[0].add(["http://b/s"], 0)
        let text = TextFormat.render(text: Normalizer.normalize(families.filter { !$0.samples.isEmpty }, stats: ExpositionStats()))
        #expect(text.contains("nginx_up{addr=\"http://a/s\"} 1\nnginx_up{addr=\"http://b/s\"} 0\n"))
        #expect(text.contains("# TYPE nginx_http_requests_total counter\nnginx_http_requests_total{addr=\"http://a/s\"} 31070465\n"))
        #expect(!text.contains("connections_active{addr=\"http://b/s\"}"))
    }
}
