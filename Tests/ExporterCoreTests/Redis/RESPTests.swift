import Testing
@testable import ExporterCore

/// The RESP codec on raw bytes (https://redis.io/docs/reference/protocol-spec/).
@Suite struct RESPTests {
    func decode(_ text: String) throws -> RESPValue? {
        try RESPDecoder().decode(Array(text.utf8))?.value
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() {
        #expect(String(decoding: RESP.command(["AUTH", "mon", "p@ss wörd"]), as: UTF8.self) == "*3\r\n$4\r\nAUTH\r\n$3\r\nmon\r\n$10\r\np@ss wörd\r\n")
        #expect(String(decoding: RESP.command([]), as: UTF8.self) == "*0\r\n")
    }

    @Test func decodesEveryType() throws {
        #expect(try decode("+PONG\r\n") == .simple("PONG"))
        #expect(try decode("-NOAUTH Authentication required.\r\n") == .error("NOAUTH Authentication required."))
        #expect(try decode(":-42\r\n") == .integer(-42))
        #expect(try decode("$5\r\nhe\r\no\r\n") == .bulk(Array("he\r\no".utf8)))
        #expect(try decode("$0\r\n\r\n") == .bulk([]))
        #expect(try decode("$-1\r\n") == .bulk(nil))
        #expect(try decode("*-1\r\n") == .array(nil))
        #expect(try decode("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n") == .array([.bulk(Array("maxmemory".utf8)), .bulk(Array("0".utf8))]))
        #expect(try decode("*1\r\n*4\r\n$7\r\ncommand\r\n:1796197173\r\n:119\r\n:361\r\n")?.elements?.first?.elements?.count == 4)
        #expect(try decode("_\r\n") == .bulk(nil))
        #expect(try decode("#t\r\n") == .boolean(true))
        #expect(try decode(",1.5\r\n") == .double(1.5))
        #expect(try decode("%1\r\n+a\r\n:1\r\n") == .array([.simple("a"), .integer(1)]))
    }

    @Test func incompleteRepliesAskForMore() throws {
        for partial in ["", "+PON", "+PONG\r", "$5\r\nhel", "$5\r\nhello\r", "*2\r\n:1\r\n", ":12"] {
            #expect(try decode(partial) == nil, "\(partial.debugDescription)")
        }
    }

    @Test func repliesFollowEachOther() throws {
        let bytes = Array("+OK\r\n:7\r\n".utf8)
        let first = try #require(try RESPDecoder().decode(bytes))
        #expect(first.value == .simple("OK"))
        #expect(try RESPDecoder().decode(bytes, from: first.next)?.value == .integer(7))
    }

    @Test(arguments: [
        "HTTP/1.1 400 Bad Request\r\n", "?what\r\n", ":12a\r\n", ":99999999999999999999999\r\n", "$-2\r\n", "$99999999999\r\n",
        "$3\r\nabcXY", "*99999999\r\n", "+a\rb\r\n", "#x\r\n", ",notanumber\r\n",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(throws: RESPError.self) { try RESPDecoder().decode(Array(text.utf8)) }
    }

    @Test func boundsDepthAndLineLength() {
        let deep = String(repeating: "*1\r\n", count: 20) + ":1\r\n"
        #expect(throws: RESPError.self) { try RESPDecoder().decode(Array(deep.utf8)) }
        var decoder = RESPDecoder()
        decoder.maxLine = 16
        #expect(throws: RESPError.self) { try decoder.decode(Array(("+" + String(repeating: "a", count: 40)).utf8)) }
        decoder.maxElements = 3
        #expect(throws: RESPError.self) { try decoder.decode(Array("*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n".utf8)) }
    }
}
