import Foundation
import Testing
@testable import ExporterCore

/// Lines as nginx 1.22 writes them with the `combined` format and with a custom one; escapes as
/// ngx_http_log_module writes them (`\x22` by default, `\"` with escape=json).
@Suite struct AccessLogParserTests {
    static let combined = try? AccessLogFormat("combined")
    static let timed = try? AccessLogFormat(#"$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time "$http_user_agent""#)

    func parse(_ format: AccessLogFormat?, _ line: String) -> AccessLogEntry? {
        guard let format else { Issue.record("format did not compile"); return nil }
        return format.parse(Array(line.utf8))
    }

    @Test func parsesCombined() {
        let line = #"127.0.0.1 - - [02/Dec/2026:13:25:51 +0000] "GET /missing HTTP/1.1" 404 153 "-" "curl/7.88.1""#
        #expect(parse(Self.combined, line) == AccessLogEntry(status: 404, requestTime: nil))
        #expect(Self.combined?.hasRequestTime == false)
        let user = #"10.1.2.3 - alice [02/Dec/2026:13:25:51 +0000] "POST /a?b=c d HTTP/2.0" 502 0 "https://x/" "Mozilla/5.0 (X11; Linux) \"quoted\"""#
        #expect(parse(Self.combined, user)?.status == 502)
    }

    @Test func parsesACustomFormatWithRequestTime() {
        let line = #"::1 [02/Dec/2026:13:25:51 +0000] "GET / HTTP/1.1" 200 6 0.200 "curl/7.88.1""#
        #expect(parse(Self.timed, line) == AccessLogEntry(status: 200, requestTime: 0.2))
        #expect(parse(Self.timed, #"::1 [t] "GET / HTTP/1.1" 500 6 12 "a""#) == AccessLogEntry(status: 500, requestTime: 12))
        #expect(Self.timed?.hasRequestTime == true)
    }

    @Test func quotedFieldsKeepTheirEscapes() {
        // escape=default writes a quote as \x22; escape=json as \"; a backslash as \\ in both.
        let hex = #"1.2.3.4 - - [t] "GET /\x22 \x22 HTTP/1.1" 200 1 "-" "a\x22 \x22b""#
        #expect(parse(Self.combined, hex)?.status == 200)
        let json = #"1.2.3.4 - - [t] "GET /\" \" HTTP/1.1" 301 1 "\\" "a\" \"b""#
        #expect(parse(Self.combined, json)?.status == 301)
    }

    @Test(arguments: [
        "", "garbage", "\u{0}\u{1}\u{2}", #"1.2.3.4 - - [t] "GET / HTTP/1.1" 2000 1 "-" "-""#,
        #"1.2.3.4 - - [t] "GET / HTTP/1.1" 099 1 "-" "-""#, #"1.2.3.4 - - [t] "GET / HTTP/1.1" 600 1 "-" "-""#,
        #"1.2.3.4 - - [t] "GET / HTTP/1.1" 20x 1 "-" "-""#, #"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 1 "-" "-" trailing"#,
        #"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 1 "-" "unterminated"#, #"1.2.3.4 - - [t] "GET / HTTP/1.1"#,
    ])
    func rejectsLinesOfAnotherShape(_ line: String) {
        #expect(parse(Self.combined, line) == nil)
    }

    @Test(arguments: ["-", "", "1.2.3", "abc", "1e3", "12345678901234567"])
    func rejectsRequestTimesThatAreNotNumbers(_ time: String) {
        #expect(parse(Self.timed, #"::1 [t] "GET / HTTP/1.1" 200 6 \#(time) "a""#) == nil)
    }

    @Test func compilesVariablesAndRejectsFormatsItCannotRead() throws {
        let braced = try AccessLogFormat("${status}:${request_time} $host$uri")
        #expect(braced.pieces == [.variable(["status"]), .literal(Array(":".utf8)), .variable(["request_time"]), .literal([0x20]), .variable(["host", "uri"])])
        #expect(braced.parse(Array("204:0.001 example.org/x".utf8)) == AccessLogEntry(status: 204, requestTime: 0.001))
        // A `$` not followed by a name is text, as in nginx.
        #expect(try AccessLogFormat("$status $ cost=$$x").pieces == [.variable(["status"]), .literal(Array(" $ cost=$".utf8)), .variable(["x"])])
        #expect(throws: CollectorError.self) { try AccessLogFormat("$remote_addr $body_bytes_sent") }
        #expect(throws: CollectorError.self) { try AccessLogFormat("$status$request_time") }
        #expect(throws: CollectorError.self) { try AccessLogFormat("$host$status") }
    }

    @Test func parsesAccessLogValues() throws {
        #expect(try AccessLogSpec.parse("/var/log/nginx/access.log") == AccessLogSpec(path: "/var/log/nginx/access.log", name: "/var/log/nginx/access.log"))
        #expect(try AccessLogSpec.parse("/l,name=web,format=$status, $x") == AccessLogSpec(path: "/l", name: "web", format: "$status, $x"))
        #expect(try AccessLogSpec.parse("/l,format=$status,name=x").format == "$status,name=x")
        // A misspelt option is refused, not taken as part of the path (and then missing).
        for bad in ["relative.log", "", "/l,name=", "/l,format=", "/l,colour=1", "/l,nmae=web,format=$status"] {
            #expect(throws: CollectorError.self, "\(bad)") { try AccessLogSpec.parse(bad) }
        }
    }
}
