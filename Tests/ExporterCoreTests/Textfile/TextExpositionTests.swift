import Testing
@testable import ExporterCore

/// The text format read back as strictly as expfmt.TextParser (verdicts checked against Debian's
/// node_exporter 1.5.0 by TextfileCompatibilityTests).
@Suite struct TextExpositionTests {
    private func parse(_ text: String) throws(TextExposition.Failure) -> [TextExposition.Family] {
        try TextExposition.parse(Array(text.utf8))
    }

    @Test func familiesWithHelpTypeLabelsAndParts() throws {
        let families = try parse("""
            # HELP jobs_total Jobs run.\\nSecond line, a \\\\ backslash.
            # TYPE jobs_total counter
            jobs_total{queue="a",note="say \\"hi\\"\\n"} 3
            # TYPE latency histogram
            latency_bucket{le="0.5"} 1
            latency_bucket{le="+Inf"} 2
            latency_sum 0.7
            latency_count 2
            # TYPE rpc summary
            rpc{quantile="0.9"} 0.2
            rpc_sum 1
            rpc_count 4
            plain NaN
            neg -Inf

            """)
        #expect(families.map(\.name) == ["jobs_total", "latency", "rpc", "plain", "neg"])
        #expect(families[0].help == "Jobs run.\nSecond line, a \\ backslash." && families[0].type == .counter)
        #expect(families[0].samples[0].labels == [Label("queue", "a"), Label("note", "say \"hi\"\n")])
        #expect(families[1].samples.map(\.suffix) == ["_bucket", "_bucket", "_sum", "_count"])
        #expect(families[2].samples.map(\.suffix) == ["", "_sum", "_count"])
        #expect(families[3].type == .untyped && families[3].samples[0].value.isNaN)
        #expect(families[4].samples[0].value == -.infinity)
    }

    @Test func timestampsAreFlagged() throws {
        #expect(try parse("a 1 1700000000000\n")[0].hasTimestamps)
        #expect(try !parse("a 1\n")[0].hasTimestamps)
    }

    @Test(arguments: [
        ("bad name 1\n", 1), ("m{l=\"x} 1\n", 1), ("m{l=\"a\\q\"} 1\n", 1), ("m 1 abc\n", 1), ("m 1 \n", 1), ("m 1 2 3\n", 1),
        ("# TYPE d counter\n# TYPE d counter\n", 2), ("# HELP h a\n# HELP h b\n", 2), ("late 1\n# TYPE late gauge\n", 2),
        ("# TYPE w flibble\n", 1), ("novalue\n", 1), ("nonl 5", 1), ("# comment", 1), ("m 0x10\n", 1), ("m 1_000\n", 1),
        ("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2), ("# TYPE s summary\ns 1\n", 2), ("m{a=\"1\",a=\"2\"} 1\n", 1),
        ("m{__name__=\"x\"} 1\n", 1), ("  m 7 \n", 1), ("g 1\r\n", 1), ("ok 1\nm{a=1} 2\n", 2),
    ] as [(String, Int)])
    func refusesWhatExpfmtRefuses(_ text: String, _ line: Int) {
        #expect(throws: TextExposition.Failure.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect(error.line == line, "\(error)")
        }
    }

    @Test func acceptsWhatExpfmtAccepts() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n   \n").isEmpty)
        #expect(try parse("  # HELP x y\nx 1\n")[0].help == "y")
        #expect(try parse("  m11   7\n")[0].samples[0].value == 7)
        #expect(try parse("e{a = \"1\" , } 1\n")[0].samples[0].labels == [Label("a", "1")])
        #expect(try parse("d\t1\nm{} 2\nm5 1e3\nm6 .5\nm3 +Inf\n").count == 5)
        #expect(try parse("c 1\n# HELP c late help\n")[0].help == "late help")
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: TextExposition.Failure.self) { try TextExposition.parse(Array("m{l=\"".utf8) + [0xFF] + Array("\"} 1\n".utf8)) }
    }

    /// A histogram's sample under its bare name is dropped, the file kept (expfmt does the same).
    @Test func bareHistogramSampleIsDropped() throws {
        let families = try parse("# TYPE h histogram\nh 1\nh_count 2\n")
        #expect(families[0].samples.map(\.suffix) == ["_count"])
    }
}
