import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// The textfile collector against Debian's node_exporter on the same directory: the files that
/// the community textfile scripts of `prometheus-node-exporter-collectors` write on this machine,
/// plus a battery of broken files. Both must serve the same series with the same values and both
/// must flag the scrape error; a file node_exporter refuses and we accept (or the other way
/// round) shows up as a series on one side only.
@Suite(.serialized, .timeLimit(.minutes(10))) struct TextfileCompatibilityTests {
    static let scripts = "/usr/share/prometheus-node-exporter-collectors"

    /// Broken files, each refused whole by node_exporter 1.5.0 (checked one by one when written),
    /// and files it accepts that look odd.
    static let battery: [(String, String)] = [
        ("badname", "bad name 1\n"), ("unterminated", "m{l=\"x} 1\n"), ("badescape", "m{l=\"a\\q\"} 1\n"),
        ("badtimestamp", "m 1 abc\n"), ("timestamp", "m_ts 1 1700000000000\n"), ("duptype", "# TYPE dup counter\n# TYPE dup counter\ndup 1\n"),
        ("duphelp", "# HELP duph a\n# HELP duph b\nduph 1\n"), ("typeafter", "late 1\n# TYPE late gauge\n"),
        ("unknowntype", "# TYPE weird flibble\nweird 1\n"), ("novalue", "novalue\n"), ("nonewline", "nonl 5"),
        ("commentnonewline", "# just a comment"), ("badle", "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n"),
        ("duplabel", "m7{a=\"1\",a=\"2\"} 1\n"), ("reserved", "m8{__name__=\"x\"} 1\n"), ("extra", "m10 1 2 3\n"),
        ("indented", "  m11   7\n"), ("trailingspace", "f 1 \n"), ("crlf", "g 1\r\n"), ("hex", "m14 0x10\n"),
        // Accepted by both:
        ("specials", "m2 NaN\nm3 +Inf\nm4 -Inf\nm5 1e3\nm6 .5\n"), ("emptylabels", "m12{} 1\n"), ("trailingcomma", "m13{a=\"1\",} 1\n"),
        ("spacesinlabels", "e{a = \"1\"} 1\n"), ("indentedcomment", "  # HELP x y\nx 1\n"), ("blank", "a 1\n   \nb 2\n"),
        ("conflict1", "# TYPE cc counter\ncc 1\n"), ("conflict2", "# TYPE cc gauge\ncc 2\n"), ("dup1", "same 1\n"), ("dup2", "same 2\n"),
        ("histogram", "# TYPE jd histogram\njd_bucket{job=\"a\",le=\"1\"} 3\njd_bucket{job=\"a\",le=\"+Inf\"} 5\njd_sum{job=\"a\"} 12.5\njd_count{job=\"a\"} 5\n"),
        ("summary", "# TYPE rpc summary\nrpc{quantile=\"0.5\"} 0.2\nrpc_sum 10\nrpc_count 40\n"), ("mixed", "mixed{a=\"1\"} 1\nmixed{b=\"2\"} 2\n"),
    ]

    @Test func sameSeriesAsNodeExporter() throws {
        let directory = NSTemporaryDirectory() + "textfile-compat-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeScriptOutputs(to: directory)
        for (name, text) in Self.battery { try text.write(toFile: "\(directory)/\(name).prom", atomically: true, encoding: .utf8) }

        let nodePort = try freePort()
        let node = try ChildProcess([
            try tool("prometheus-node-exporter"), "--web.listen-address=127.0.0.1:\(nodePort)", "--collector.disable-defaults",
            "--collector.textfile", "--collector.textfile.directory=\(directory)",
        ])
        defer { node.stop() }
        let ours = try ExporterProcess([
            "--collector.disable-defaults", "--collector.textfile", "--collector.textfile.directory=\(directory)", "--web.disable-exporter-metrics",
        ])
        #expect(Wait.until(timeout: 10, interval: 0.02) { (try? Self.body(port: nodePort)) != nil })
        let expected = Self.series(try Self.body(port: nodePort))
        let actual = Self.series(String(decoding: try ours.get("/metrics").body, as: UTF8.self))
        #expect(expected["node_textfile_scrape_error"] == 1 && actual["node_textfile_scrape_error"] == 1)
        #expect(expected.keys.contains { $0.hasPrefix("apt_") }, "the apt script's metrics are part of the comparison")
        #expect(Set(actual.keys).subtracting(expected.keys).sorted() == [], "served only by stack_exporter")
        #expect(Set(expected.keys).subtracting(actual.keys).sorted() == [], "served only by node_exporter")
        for (key, value) in expected where actual[key] != nil {
            #expect(actual[key] == value || (value.isNaN && actual[key]?.isNaN == true), "\(key)")
        }
    }

    /// node_exporter answers chunked: read with the exporter's own response parser.
    static func body(port: UInt16) throws -> String {
        let socket = try Socket.connect(host: "127.0.0.1", port: port)
        defer { socket.close() }
        try socket.writeAll(Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while socket.waitUntil(readable: true, timeoutMilliseconds: 10_000) {
            guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard let response = try HTTPResponseParser(bodyLimit: 16 << 20).parse(bytes, atEOF: true) else { throw TestFailure("no response") }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The community scripts that work without special hardware, run as their systemd units do.
    static func writeScriptOutputs(to directory: String) throws {
        let commands: [(String, [String])] = [
            ("apt_info", ["/usr/bin/python3", "\(scripts)/apt_info.py"]),
            ("directory_size", ["/bin/bash", "\(scripts)/directory-size.sh", "/usr/share/doc"]),
            ("fstab_check", ["/bin/bash", "\(scripts)/fstab-check.sh"]),
        ]
        for (name, command) in commands {
            let result = try runCommand(command, timeout: 60)
            guard result.status == 0, !result.stdout.isEmpty else { throw TestFailure("\(command[1]) failed: \(result.stderr)") }
            try result.stdout.write(toFile: "\(directory)/\(name).prom", atomically: true, encoding: .utf8)
        }
    }

    /// `name{labels}` → value, without the exporters' own series.
    static func series(_ text: String) -> [String: Double] {
        let own = ["go_", "process_", "promhttp_", "node_exporter_build_info", "node_scrape_collector_", "stack_exporter_"]
        return parseSeries(text).filter { key, _ in !own.contains { key.hasPrefix($0) } }
    }
}

/// `name{a="1",b="2"}` (labels sorted, so label order does not matter) → value, from the text
/// format; Go writes `1.796197079843554e+09` where we write `1796197079.843554`, both the same double.
func parseSeries(_ text: String) -> [String: Double] {
    var result: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        let series = line[..<space], token = line[line.index(after: space)...]
        let value = token == "+Inf" ? Double.infinity : token == "-Inf" ? -Double.infinity : Double(token)
        guard let value else { continue }
        result[canonicalSeries(series)] = value
    }
    return result
}

private func canonicalSeries(_ series: Substring) -> String {
    guard let brace = series.firstIndex(of: "{") else { return String(series) }
    var pairs: [String] = [], current = "", inQuotes = false, escaped = false
    for character in series[series.index(after: brace)...].dropLast() {
        if escaped { current.append(character); escaped = false; continue }
        if character == "\\" { current.append(character); escaped = true; continue }
        if character == "\"" { inQuotes.toggle() }
        if character == "," && !inQuotes { pairs.append(current); current = ""; continue }
        current.append(character)
    }
    if !current.isEmpty { pairs.append(current) }
    return series[..<brace] + "{" + pairs.sorted().joined(separator: ",") + "}"
}
