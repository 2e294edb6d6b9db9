import Testing
@testable import ExporterCore

/// Gzip.Verifier over zlib's own output: whole, cut, with garbage, several members, damaged, fed
/// in every chunk size from one byte to all at once.
@Suite struct GzipVerifierTests {
    static let text = Array((0..<20_000).map { "line \($0) of a pg_dump\n" }.joined().utf8)

    static func verdict(_ bytes: [UInt8], chunk: Int) throws -> Gzip.Verifier.Verdict {
        let verifier = try Gzip.Verifier()
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            let early = bytes[offset..<end].withUnsafeBytes { verifier.feed($0) }
            if let early { return early }
            offset = end
        }
        return verifier.finish()
    }

    static let chunks = [1, 2, 7, 4096, 1 << 30]

    @Test(arguments: chunks) func wholeStreamIsValid(_ chunk: Int) throws {
        let gz = try Gzip.compress(Self.text)
        #expect(try Self.verdict(gz, chunk: chunk) == .valid)
    }

    @Test(arguments: chunks) func concatenatedMembersAreValid(_ chunk: Int) throws {
        let gz = try Gzip.compress(Self.text) + Gzip.compress(Array("tail\n".utf8))
        #expect(try Self.verdict(gz, chunk: chunk) == .valid)
    }

    @Test(arguments: chunks) func cutAnywhereIsTruncated(_ chunk: Int) throws {
        let gz = try Gzip.compress(Self.text)
        for cut in [3, 10, gz.count / 2, gz.count - 8, gz.count - 1] {
            #expect(try Self.verdict(Array(gz[..<cut]), chunk: chunk) == .truncated, "cut at \(cut) of \(gz.count)")
        }
    }

    @Test(arguments: chunks) func bytesAfterTheLastMemberAreTrailingGarbage(_ chunk: Int) throws {
        let gz = try Gzip.compress(Self.text)
        #expect(try Self.verdict(gz + Array("garbage".utf8), chunk: chunk) == .trailingGarbage)
        #expect(try Self.verdict(gz + [0x1F], chunk: chunk) == .trailingGarbage, "one byte of a header that never comes")
        #expect(try Self.verdict(gz + [0, 0, 0, 0], chunk: chunk) == .trailingGarbage, "tape padding: gzip warns, we refuse")
    }

    @Test func damagedDataOrChecksumIsCorrupt() throws {
        var gz = try Gzip.compress(Self.text)
        gz[gz.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        guard case .corrupt(let message) = try Self.verdict(gz, chunk: 4096) else { Issue.record("not corrupt"); return }
        #expect(message.contains("check"), "\(message)")
        var body = try Gzip.compress(Self.text)
        for i in 20..<60 { body[i] ^= 0x5A }
        guard case .corrupt = try Self.verdict(body, chunk: 4096) else { Issue.record("damaged body not corrupt"); return }
    }

    @Test func emptyAndNotGzip() throws {
        #expect(try Self.verdict([], chunk: 10) == .empty)
        #expect(try Self.verdict(Array("-- PostgreSQL database dump\n".utf8), chunk: 10) == .notGzip)
        #expect(try Self.verdict([0x1F], chunk: 10) == .truncated)
    }
}
