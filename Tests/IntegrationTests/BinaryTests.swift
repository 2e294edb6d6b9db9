import Foundation
import Testing
@testable import ExporterCore

/// The parser Prometheus' Python client uses (Debian's python3-prometheus-client), in both formats.
private let pythonParser = """
import sys
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_families
text = sys.stdin.read()
parse = om_families if sys.argv[1] == "openmetrics" else text_string_to_metric_families
families = list(parse(text))
samples = sum(len(f.samples) for f in families)
assert samples > 0, "no samples"
print(len(families), samples)
"""

@Suite(.serialized, .timeLimit(.minutes(2))) struct BinaryTests {
    @Test func outputPassesPromtoolInBothFormats() throws {
        let exporter = try ExporterProcess()
        let promtool = try tool("promtool")
        let text = try exporter.get("/metrics", headers: ["Accept": "text/plain"])
        #expect(text.status == 200)
        let result = try run(promtool, ["check", "metrics"], input: text.body)
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")

        // promtool (2.42) reads with the 0.0.4 parser; on OpenMetrics its only complaint may be that
        // a counter's HELP names the family (`process_cpu_seconds`) rather than the sample
        // (`process_cpu_seconds_total`), as the OpenMetrics spec requires. Anything else fails.
        let om = try exporter.get("/metrics", headers: ["Accept": "application/openmetrics-text;version=1.0.0"])
        let body = String(decoding: om.body, as: UTF8.self)
        let omResult = try run(promtool, ["check", "metrics"], input: om.body)
        let complaints = (omResult.stdout + omResult.stderr).split(separator: "\n").filter { !$0.isEmpty }
        for complaint in complaints {
            let name = String(complaint.split(separator: " ").first ?? "")
            let base = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
            let explained = complaint.hasSuffix("no help text") && body.contains("# TYPE \(base) counter\n")
            #expect(explained, "promtool on OpenMetrics: \(complaint)")
        }
        #expect(omResult.status == 0 || !complaints.isEmpty)
    }

    @Test func outputParsesWithTheOfficialPythonParser() throws {
        let exporter = try ExporterProcess()
        for (accept, format) in [("text/plain", "text"), ("application/openmetrics-text;version=1.0.0", "openmetrics")] {
            let response = try exporter.get("/metrics", headers: ["Accept": accept, "Accept-Encoding": "gzip"])
            #expect(response.headers["content-encoding"] == "gzip")
            let body = Data(try Gzip.decompress(Array(response.body)))
            let result = try run("/usr/bin/python3", ["-c", pythonParser, format], input: body)
            #expect(result.status == 0, "python parser (\(format)): \(result.stderr)")
            let counts = result.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(counts.count == 2 && counts[0] >= 10, "families, samples: \(result.stdout)")
        }
    }

    @Test func sigtermStopsCleanlyWithinFiveSeconds() throws {
        let exporter = try ExporterProcess()
        #expect(try exporter.get("/-/ready").status == 200)
        let outcome = exporter.terminate()
        #expect(outcome?.status == 0)
        #expect((outcome?.seconds ?? 99) < 5)
    }

    @Test func badFlagsExitWithStatusTwoAndOneLine() throws {
        let binary = try Package.binary()
        for arguments in [["--no-such-flag"], ["--web.max-requests=lots"], ["--collector.timeout"]] {
            let result = try run(binary, arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("stack_exporter: error: "))
        }
    }

    @Test func helpListsEveryFlagWithItsDefault() throws {
        let result = try run(try Package.binary(), ["--help"])
        #expect(result.status == 0)
        for flag in ["--web.listen-address", "--web.telemetry-path", "--web.max-requests", "--collector.timeout",
                     "collector.disable-defaults", "--log.level", "--log.format", "(default: :9630)", "(default: 40)"] {
            #expect(result.stdout.contains(flag), "--help lacks \(flag)")
        }
        let version = try run(try Package.binary(), ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("stack_exporter, version "))
    }

    @Test func listenFailureExitsNonZero() throws {
        let holder = try ExporterProcess()
        let result = try run(try Package.binary(), ["--web.listen-address=127.0.0.1:\(holder.port)"], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot listen"))
    }

    @Test func jsonLogsAreJSON() throws {
        let result = try run(try Package.binary(), ["--web.listen-address=127.0.0.1:1", "--log.format=json"], timeout: 10)
        let line = try #require(result.stderr.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["level"] as? String == "error")
    }
}
