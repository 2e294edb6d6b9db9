import Testing
@testable import ExporterCore

struct TLSPEMTests {
    @Test func decodesBase64WithWhitespace() {
        #expect(Base64.decode(ArraySlice("aGVs\nbG8=\r\n".utf8)) == Array("hello".utf8))
        #expect(Base64.decode(ArraySlice("aGVsbG8".utf8)) == Array("hello".utf8))
        #expect(Base64.decode(ArraySlice("aGV$bG8=".utf8)) == nil)
        #expect(Base64.decode(ArraySlice("aG=Vs".utf8)) == nil)
    }

    @Test func splitsBlocksAndSkipsKeys() throws {
        let text = """
            explanatory text
            -----BEGIN PRIVATE KEY-----
            not base64 at all !!!
            -----END PRIVATE KEY-----
            -----BEGIN CERTIFICATE-----
            AQID
            -----END CERTIFICATE-----
            """
        let blocks = try PEM.blocks(Array(text.utf8))
        #expect(blocks.map(\.label) == ["PRIVATE KEY", "CERTIFICATE"])
        #expect(blocks[1].der == [1, 2, 3])
    }

    @Test(arguments: [
        "-----BEGIN CERTIFICATE-----\nAQID\n",
        "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE",
    ])
    func rejectsCorruptCertificateBlocks(_ text: String) {
        #expect(throws: PEM.DecodeError.self) { try PEM.blocks(Array(text.utf8)) }
    }

    @Test(arguments: [
        ("", CertificateFileProblem.empty),
        ("\n  \n", .empty),
        ("hello world", .noCertificate),
        ("-----BEGIN CERTIFICATE-----\n@@\n-----END CERTIFICATE-----\n", .corruptPEM),
        ("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n", .invalidCertificate),
    ])
    func classifiesBadFiles(_ text: String, _ problem: CertificateFileProblem) {
        #expect(CertificateFileParser.parse(Array(text.utf8)).problem == problem)
    }

    @Test func binaryGarbageIsNoCertificate() {
        var bytes: [UInt8] = [0x30, 0x82, 0xFF, 0xFF]
        for i in 0..<4096 { bytes.append(UInt8(truncatingIfNeeded: i &* 2654435761 >> 7)) }
        #expect(CertificateFileParser.parse(bytes).problem == .noCertificate)
    }

    @Test func keyOnlyFileIsNeitherCertificateNorError() {
        let content = CertificateFileParser.parse(Array("-----BEGIN EC PRIVATE KEY-----\nAQID\n-----END EC PRIVATE KEY-----\n".utf8))
        #expect(content.certificates.isEmpty)
        #expect(content.problem == nil)
    }

    @Test(arguments: [
        ([UInt8]([10, 0, 0, 1]), "10.0.0.1"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8::1"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1], "192.0.2.1"),
        ([0x20, 0x01, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], "2001:1:0:1::1"),
    ])
    func formatsIPAddressesAsGo(_ bytes: [UInt8], _ text: String) {
        #expect(IPAddressText.format(bytes) == text)
    }
}

struct TLSTargetTests {
    @Test func parsesEndpointOptions() throws {
        let t = try TLSTarget.parse("db.internal:5432,sni=db.example.com,starttls=postgres")
        #expect(t.host == "db.internal" && t.port == 5432 && t.serverName == "db.example.com" && t.startTLS == .postgres)
        #expect(t.text == "db.internal:5432")
        let v6 = try TLSTarget.parse("[::1]:443")
        #expect(v6.host == "::1" && v6.serverName == "::1" && v6.startTLS == StartTLS.none)
    }

    @Test(arguments: ["", "example.com", "example.com:0", "example.com:99999", ":443", "a:443,sni", "a:443,foo=1",
                      "a:443,starttls=smtp-nope", "::1:443", "a b:443", "a/b:443"])
    func rejectsBadEndpoints(_ text: String) {
        #expect(throws: TLSTarget.ParseError.self) { try TLSTarget.parse(text) }
    }

    @Test func allowListWildcards() {
        let allow = ProbeAllowList(patterns: ["*.example.com", "127.0.0.1", "db?"])
        #expect(allow.allows("www.example.com"))
        #expect(allow.allows("WWW.EXAMPLE.COM"))
        #expect(!allow.allows("example.com"))
        #expect(allow.allows("127.0.0.1"))
        #expect(!allow.allows("127.0.0.2"))
        #expect(!allow.allows("db1"))  // only * is special
        #expect(ProbeAllowList(patterns: ["*"]).allows("anything"))
        #expect(!ProbeAllowList(patterns: []).allows("localhost"))
    }

    @Test func postgresSSLRequestIsLength8Code80877103() {
        let bytes = StartTLS.postgresSSLRequest
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }, code = bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
        #expect(length == 8 && code == 80_877_103)
    }
}
