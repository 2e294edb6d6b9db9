import Testing
@testable import ExporterCore

/// `--http.endpoint` syntax, URLs and Location resolution: pure, on literal text.
@Suite struct HTTPEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080/health?x=1#frag", false, "127.0.0.1", 8080, "/health?x=1", "127.0.0.1:8080"),
        ("HTTPS://Example.COM", true, "example.com", 443, "/", "example.com"),
        ("https://[::1]:8443?q", true, "::1", 8443, "/?q", "[::1]:8443"),
        ("http://[::1]/", false, "::1", 80, "/", "[::1]"),
    ])
    func parsesURLs(_ text: String, _ tls: Bool, _ host: String, _ port: Int, _ path: String, _ authority: String) throws {
        let url = try HTTPURL.parse(text)
        #expect(url.isTLS == tls && url.host == host && Int(url.port) == port && url.pathAndQuery == path)
        #expect(url.authority == authority)
    }

    @Test(arguments: ["ftp://x/", "http://", "http://:80/", "http://h:0/", "http://h:65536/", "http://u:pw@h/", "http://h/a b",
                      "http://[::1/", "http://[1.2.3.4]/", "http://::1/", "127.0.0.1:80"])
    func rejectsURLs(_ text: String) {
        #expect(throws: HTTPURL.ParseError.self) { try HTTPURL.parse(text) }
    }

    @Test(arguments: [
        ("http://a:81/x/y?q", "https://b/c", "https://b/c"),
        ("http://a:81/x/y?q", "//b:82/c", "http://b:82/c"),
        ("http://a:81/x/y?q", "/z", "http://a:81/z"),
        ("http://a:81/x/y?q", "z?w", "http://a:81/x/z?w"),
        ("http://a:81/x/y?q", "?r", "http://a:81/x/y?r"),
        ("https://a/", "next#f", "https://a/next"),
    ])
    func resolvesLocation(_ base: String, _ location: String, _ expected: String) throws {
        #expect(try HTTPURL.parse(base).resolving(location).description == expected)
    }

    @Test func parsesOptionsWithCommasInsideValues() throws {
        let e = try HTTPEndpoint.parse(
            "http://127.0.0.1:9/a,b?C=1,2,name=web,expect=200|3xx,method=head,header=Accept: a, b,body-regex=ok|fine,insecure")
        #expect(e.text == "http://127.0.0.1:9/a,b?C=1,2")
        #expect(e.url.pathAndQuery == "/a,b?C=1,2")
        #expect(e.name == "web")
        #expect(e.expect.accepts(200) && e.expect.accepts(302) && !e.expect.accepts(201) && !e.expect.accepts(404))
        #expect(e.method == .HEAD)
        #expect(e.headers == [HTTPField(name: "Accept", value: "a, b")])
        #expect(e.bodyRegex?.matches(Array("all fine".utf8)) == true)
        #expect(e.bodyRegex?.matches(Array("bad".utf8)) == false)
        #expect(e.insecure)
    }

    @Test func defaultsAreBlackboxs() throws {
        let e = try HTTPEndpoint.parse("https://127.0.0.1/")
        #expect(e.name == "https://127.0.0.1/" && e.method == .GET && !e.insecure && e.caFile == nil && e.bodyRegex == nil)
        #expect((200...299).allSatisfy(e.expect.accepts) && !e.expect.accepts(301) && !e.expect.accepts(500))
    }

    @Test(arguments: [
        "http://h/,nmae=x", "http://h/,expect=2yy", "http://h/,expect=600", "http://h/,method=POST", "http://h/,header=NoColon",
        "http://h/,header=Bad Name: v", "http://h/,body-regex=(", "http://h/,body-regex=", "http://h/,insecure=yes",
        "http://h/,ca=/nonexistent/ca.pem", "http://h/,name=",
    ])
    func rejectsOptions(_ text: String) {
        #expect(throws: HTTPEndpoint.ParseError.self) { try HTTPEndpoint.parse(text) }
    }

    @Test func requestHeadCarriesHostAndHeadersWithoutInjection() throws {
        let e = try HTTPEndpoint.parse("http://[::1]:8080/p?q,header=X-A: 1,header=Host: other")
        let head = String(decoding: e.requestHead(for: e.url), as: UTF8.self)
        #expect(head == "GET /p?q HTTP/1.1\r\nUser-Agent: stack_exporter\r\nX-A: 1\r\nHost: other\r\nConnection: close\r\n\r\n")
        #expect(throws: HTTPEndpoint.ParseError.self) { try HTTPEndpoint.header("X: a\r\nEvil: 1") }
    }

    @Test func lastModifiedParsesIMFFixdate() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
    }

    @Test func addressHashIsBlackboxs() {
        // blackbox 0.23 reports 3668918509 for 127.0.0.1 (FNV-1a over the four bytes).
        #expect(HTTPProbeMetrics.fnv32a([127, 0, 0, 1]) == 3_668_918_509)
    }
}

@Suite struct HTTPProbeMetricsTests {
    @Test func namesAreWrittenAsGoWritesThem() {
        var name = DistinguishedName()
        name.commonName = ["shop.example"]
        name.organization = ["Acme, Inc."]
        name.organizationalUnit = ["ops", "web"]
        name.country = ["DE"]
        #expect(HTTPProbeMetrics.goName(name) == "CN=shop.example,OU=ops+OU=web,O=Acme\\, Inc.,C=DE")
        #expect(HTTPProbeMetrics.escape("#x ") == "\\#x\\ ")
        #expect(HTTPProbeMetrics.goName(DistinguishedName()) == "")
    }
}
