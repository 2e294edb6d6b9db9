import Foundation
import Testing
@testable import ExporterCore

@Suite struct ContainerHTTPResponseParserTests {
    let parser = HTTPResponseParser(bodyLimit: 1024)

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func contentLength() throws {
        let raw = bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        let response = try #require(try parser.parse(raw, atEOF: false))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.body == bytes("{}"))
    }

    @Test func incompleteUntilAllBytesArrive() throws {
        let raw = bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
        #expect(try parser.parse(raw, atEOF: false) == nil)
        #expect(try parser.parse(Array(raw.prefix(10)), atEOF: false) == nil)
        #expect(throws: HTTPResponseError.truncated) { try parser.parse(raw, atEOF: true) }
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let raw = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n")
        let response = try #require(try parser.parse(raw, atEOF: false))
        #expect(String(decoding: response.body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(response.header("x-trailer") == "yes")
        // Every strict prefix is incomplete, never an error.
        for cut in 1..<raw.count { #expect(try parser.parse(Array(raw.prefix(cut)), atEOF: false) == nil) }
    }

    @Test func recordedPodmanResponses() throws {
        let parser = HTTPResponseParser(bodyLimit: 1 << 20)
        let stats = try #require(try parser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("docker/podman-stats-running.http")))), atEOF: true))
        #expect(stats.status == 200)
        #expect(stats.header("transfer-encoding") == "chunked")
        #expect(String(decoding: stats.body, as: UTF8.self).hasPrefix("{\"read\""))
        let missing = try #require(try parser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("docker/podman-stats-404.http")))), atEOF: true))
        #expect(missing.status == 404)
        #expect(missing.body.isEmpty)
    }

    @Test func bodyUntilCloseWithoutFraming() throws {
        let raw = bytes("HTTP/1.0 200 OK\r\n\r\nhello")
        #expect(try parser.parse(raw, atEOF: false) == nil)
        #expect(try parser.parse(raw, atEOF: true)?.body == bytes("hello"))
    }

    @Test func noBodyFor204() throws {
        #expect(try parser.parse(bytes("HTTP/1.1 204 No Content\r\n\r\n"), atEOF: false)?.body == [])
    }

    @Test func oversizedBodiesAreRefused() {
        #expect(throws: HTTPResponseError.tooLarge(limit: 1024)) {
            try parser.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n"), atEOF: false)
        }
        #expect(throws: HTTPResponseError.tooLarge(limit: 1024)) {
            try parser.parse(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n"), atEOF: false)
        }
        let big = [UInt8]("HTTP/1.1 200 OK\r\n\r\n".utf8) + [UInt8](repeating: 65, count: 2000)
        #expect(throws: HTTPResponseError.tooLarge(limit: 1024)) { try parser.parse(big, atEOF: false) }
        let hugeHead = [UInt8]("HTTP/1.1 200 OK\r\nX: ".utf8) + [UInt8](repeating: 65, count: 70_000)
        #expect(throws: HTTPResponseError.self) { try parser.parse(hugeHead, atEOF: false) }
    }

    @Test(arguments: [
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: HTTPResponseError.self) { try parser.parse(Array(text.utf8), atEOF: true) }
    }

    @Test func emptyConnectionIsTruncated() {
        #expect(throws: HTTPResponseError.truncated) { try parser.parse([], atEOF: true) }
    }
}
