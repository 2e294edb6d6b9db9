import Foundation
import Testing
@testable import ExporterCore

private let hashA = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"

private func parse(_ text: String) throws(WebConfigError) -> WebConfig {
    try WebConfig.parse(text, file: "web.yml", directory: "/etc/se")
}

/// The error of a file that must be refused.
private func failure(_ text: String) -> WebConfigError? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct YAMLSubsetTests {
    @Test func parsesNestedMappingsListsAndQuotes() throws {
        let text = """
            # a comment
            ---
            top:
              plain: value with spaces   # trailing comment
              single: 'it''s # not a comment'
              double: "tab\\there \\"q\\""
              list:
                - a
                - 'b'
              flow: [x, "y z", 'w']
              same_indent_list:
              - one
              empty:
              map: {}
            """
        let root = try YAMLSubsetParser.parse(text, file: "t.yml")
        guard case .mapping(let top) = root.kind, case .mapping(let entries) = top.first?.value.kind else {
            Issue.record("not a mapping: \(root)")
            return
        }
        func value(_ key: String) -> YAMLValue.Kind? { entries.first { $0.key == key }?.value.kind }
        #expect(value("plain") == .scalar("value with spaces", quoted: false))
        #expect(value("single") == .scalar("it's # not a comment", quoted: true))
        #expect(value("double") == .scalar("tab\there \"q\"", quoted: true))
        #expect(value("list") == .sequence([YAMLValue(kind: .scalar("a", quoted: false), line: 8), YAMLValue(kind: .scalar("b", quoted: true), line: 9)]))
        if case .sequence(let items)? = value("flow") {
            #expect(items.map(\.kind) == [.scalar("x", quoted: false), .scalar("y z", quoted: true), .scalar("w", quoted: true)])
        } else {
            Issue.record("flow list not parsed")
        }
        if case .sequence(let items)? = value("same_indent_list") { #expect(items.count == 1) } else { Issue.record("same-indent list") }
        #expect(value("empty") == .empty)
        #expect(value("map") == .mapping([]))
        #expect(entries.first { $0.key == "list" }?.line == 7)
    }

    @Test func emptyAndCommentOnlyDocumentsAreEmptyMappings() throws {
        for text in ["", "\n\n", "# only a comment\n", "---\n"] {
            #expect(try YAMLSubsetParser.parse(text, file: "t").kind == .mapping([]))
        }
    }
}

@Suite struct WebConfigTests {
    @Test func decodesAFullNodeExporterStyleFile() throws {
        let config = try parse("""
            tls_server_config:
              cert_file: server.crt
              key_file: /abs/server.key
              client_auth_type: "RequireAndVerifyClientCert"
              client_ca_file: ca/clients.pem
              min_version: TLS12
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
              curve_preferences:
                - X25519
                - CurveP256
              prefer_server_cipher_suites: false
              client_allowed_sans:
                - prometheus.example
                - 10.0.0.1
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Content-Security-Policy: default-src 'self'
            basic_auth_users:
              alice: \(hashA)
              "bob smith": '\(hashA)'
            """)
        let tls = try #require(config.tls)
        #expect(tls.certFile == "/etc/se/server.crt")
        #expect(tls.keyFile == "/abs/server.key")
        #expect(tls.clientCAFile == "/etc/se/ca/clients.pem")
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.cipherSuites == ["ECDHE-RSA-AES128-GCM-SHA256"])
        #expect(tls.curves == ["X25519", "P-256"])
        #expect(tls.preferServerCipherSuites == false)
        #expect(tls.allowedSANs == ["prometheus.example", "10.0.0.1"])
        #expect(config.http2 == false)
        #expect(config.headers == [HTTPHeader("X-Frame-Options", "deny"), HTTPHeader("Content-Security-Policy", "default-src 'self'")])
        #expect(config.users == ["alice": hashA, "bob smith": hashA])
    }

    @Test func anEmptyTLSSectionMeansPlainHTTPAsInTheToolkit() throws {
        let config = try parse("tls_server_config:\n  min_version: TLS13\nbasic_auth_users:\n  a: \(hashA)\n")
        #expect(config.tls == nil)
        #expect(config.tlsSectionEmpty)
        #expect(try parse("").tls == nil)
    }

    /// YAML the subset refuses, then valid YAML with wrong keys or values: each with its line.
    @Test(arguments: [
        ("a:\n\tb: c\n", 2, "tab"),
        ("a:\n  b: c\n   d: e\n", 3, "bad indentation"),
        ("a:\n    b: c\n  d: e\n", 3, "bad indentation"),
        ("a: b\na: c\n", 2, "duplicate key"),
        ("a: \"open\n", 1, "unterminated"),
        ("a: &anchor b\n", 1, "unsupported"),
        ("a: |\n  text\n", 1, "unsupported"),
        ("a: [b, c\n", 1, "flow list"),
        ("a: b: c\n", 1, "mapping value"),
        ("a:\n  - b: c\n", 2, "mappings inside list items"),
        ("  a: b\n", 1, "column 1"),
        ("just text\n", 1, "key: value"),
        ("a:b\n", 1, "key: value"),
        ("a: \"\\q\"\n", 1, "escape"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_fiel: c\n", 4, "unknown key \"cert_fiel\" in tls_server_config"),
        ("basic_auth_user:\n  a: b\n", 1, "unknown key \"basic_auth_user\""),
        ("http_server_config:\n  http3: true\n", 2, "unknown key \"http3\""),
        ("tls_server_config:\n  key_file: b\n", 1, "missing cert_file"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n", 4, "invalid client_auth_type"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", 4, "client_auth_type"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS11\n", 4, "unknown TLS version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n", 5, "below min_version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n", 5, "unknown cipher suite"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [CurveP999]\n", 4, "unknown curve"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: maybe\n", 4, "true or false"),
        ("tls_server_config:\n  cert: abc\n", 2, "inline cert"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n", 4, "needs client_auth_type"),
        ("basic_auth_users:\n  alice: plaintext\n", 2, "not a bcrypt hash"),
        ("basic_auth_users:\n  alice: [a]\n", 2, "must be a string"),
        ("http_server_config:\n  headers:\n    Content-Length: 5\n", 3, "can not be configured"),
        ("http_server_config:\n  headers:\n    Authorization: x\n", 3, "can not be configured"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", 3, "invalid value"),
        ("rate_limit:\n  burst: 5\n", 1, "not supported"),
        ("tls_server_config: yes\n", 1, "must be a mapping"),
    ])
    func refusesWithLineAndReason(_ text: String, _ line: Int, _ message: String) throws {
        let error = try #require(failure(text), "accepted \(text.debugDescription)")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("web.yml:\(line): "))
        #expect(!error.description.contains("\n"), "one line: \(error)")
    }

    @Test func relativePathsAreRelativeToTheFilesDirectory() {
        #expect(WebConfig.directory(of: "/etc/se/web.yml") == "/etc/se")
        #expect(WebConfig.directory(of: "web.yml") == ".")
        #expect(WebConfig.directory(of: "/web.yml") == "/")
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        do {
            _ = try WebConfig.load(path: "/nonexistent/web.yml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/web.yml: cannot read"))
        }
    }
}

@Suite struct SecurityDocTests {
    /// The example in docs/security.md is a file this parser accepts.
    @Test func theDocumentedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/security.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "```yaml\n"))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        let config = try WebConfig.parse(String(doc[start.upperBound..<end.lowerBound]), file: "security.md", directory: "/etc/stack_exporter")
        #expect(config.tls?.certFile == "/etc/stack_exporter/tls/server.crt")
        #expect(config.tls?.clientAuth == .requireAndVerifyClientCert)
        #expect(config.tls?.curves == ["X25519", "P-256"])
        #expect(config.users.keys.sorted() == ["prometheus"])
        #expect(config.headers.count == 3)
    }
}
