import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// The real binary over the fixture trees, its whole `/metrics` against a golden file: what
/// node_exporter's `end-to-end-test.sh` does with `collector/fixtures/` and `e2e-output.txt`.
///
/// Every host collector runs (`--collector.disable-defaults` plus each of `HostCollectors.modules`,
/// so a new one joins by itself) with `--path.procfs`, `--path.sysfs` and `--path.rootfs` on
/// `Tests/ExporterCoreTests/Fixtures/`. A series that goes missing, is renamed or changes a label
/// fails the test, and so does a path flag that stops being wired: the live /proc, /sys and /
/// answer other values, devices and an other OS than the fixtures.
///
/// What the flags do not redirect is normalised (the value, or the label values, become a
/// placeholder; names and label names stay), and only that:
/// - `process_*`: the exporter's own process from the live /proc/self, as node_exporter's.
/// - `node_time_seconds`: the clock. The time zone is pinned instead (TZ=UTC in the environment).
/// - `node_timex_*`: adjtimex(2), the live kernel clock, has no path either.
/// - `node_uname_info`: uname(2) has no path to point at fixtures; its label values are the machine's.
/// - `node_filesystem_{size,free,avail}_bytes`, `…_files`, `…_files_free`: the mount table is the
///   fixture's (`proc/self/mounts`, with the default excludes only `/dev/vda` on `/` is left),
///   but `/` is statfs'ed through `--path.rootfs`, a directory on the test machine's disk. Its
///   labels, `readonly` and `device_error` are compared.
/// - `stack_exporter_build_info` labels, `node_`/`stack_exporter_scrape_collector_duration_seconds`,
///   `stack_exporter_http_requests_total`.
/// netclass reads the fixture's sysfs files: the netlink dump is used only when sysfs is the real
/// `/sys` (`NetClassCollector.usesNetlink`); diskstats gets `--path.udev.data` in the fixtures.
///
/// After a change to the output, `UPDATE_GOLDEN=1 swift test --filter EndToEndGoldenTests`
/// rewrites `Fixtures/golden/e2e-output.prom`; review its diff like code.
@Suite(.timeLimit(.minutes(10))) struct EndToEndGoldenTests {
    static let fixtures = Package.root + "/Tests/ExporterCoreTests/Fixtures"
    static let golden = fixtures + "/golden/e2e-output.prom"
    static let hostCollectors = HostCollectors.modules.map(\.name)

    static var arguments: [String] {
        ["--collector.disable-defaults"] + hostCollectors.map { "--collector.\($0)" } + [
            "--path.procfs=\(fixtures)/host/proc", "--path.sysfs=\(fixtures)/host/sys",
            "--path.rootfs=\(fixtures)/e2e/rootfs", "--path.udev.data=\(fixtures)/host/no-udev-data",
        ]
    }

    @Test func wholeScrapeOverFixturesMatchesGolden() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        let exporter = try ExporterProcess(Self.arguments, environment: environment)
        // The second scrape is compared: it has a request behind it, so the request counter exists.
        #expect(try exporter.get("/metrics").status == 200)
        let response = try exporter.get("/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        for name in Self.hostCollectors {
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": name]) == 1, "\(name): \(exporter.log)")
        }
        if let difference = try GoldenFile.difference(VolatileSeries.normalise(text), file: Self.golden) {
            Issue.record(Comment(rawValue: difference))
        }
    }

    @Test func normalisingKeepsNamesAndLabelsAndReplacesOnlyLiveParts() {
        let text = """
            # HELP process_open_fds Number of open file descriptors.
            process_open_fds 12
            node_time_seconds 1.7e+09
            node_load1 0.25
            node_filesystem_size_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"} 270553174016
            node_filesystem_readonly{device="/dev/vda",fstype="ext4",mountpoint="/"} 0
            node_uname_info{nodename="vm",version="#1 SMP \\"x\\" y"} 1

            """
        #expect(VolatileSeries.normalise(text) == """
            # HELP process_open_fds Number of open file descriptors.
            process_open_fds <live>
            node_time_seconds <live>
            node_load1 0.25
            node_filesystem_size_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"} <live>
            node_filesystem_readonly{device="/dev/vda",fstype="ext4",mountpoint="/"} 0
            node_uname_info{nodename="<live>",version="<live>"} 1

            """)
    }
}

/// The parts of a scrape over fixtures that come from the live process or machine (see
/// `EndToEndGoldenTests`), replaced by `<live>` so the rest can be compared byte for byte.
enum VolatileSeries {
    static let placeholder = "<live>"
    static let valuePrefixes = ["process_", "node_timex_"]
    static let values: Set<String> = [
        "node_time_seconds",
        "node_filesystem_avail_bytes", "node_filesystem_free_bytes", "node_filesystem_size_bytes",
        "node_filesystem_files", "node_filesystem_files_free",
        "node_scrape_collector_duration_seconds", "stack_exporter_scrape_collector_duration_seconds",
        "stack_exporter_http_requests_total",
    ]
    static let labelValues: Set<String> = ["node_uname_info", "stack_exporter_build_info"]

    static func normalise(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(normalise(line:)).joined(separator: "\n")
    }

    static func normalise(line: Substring) -> String {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " ") else { return String(line) }
        let name = String(line.prefix { $0 != "{" && $0 != " " })
        var series = String(line[..<space])
        var value = String(line[line.index(after: space)...])
        if values.contains(name) || valuePrefixes.contains(where: name.hasPrefix) { value = placeholder }
        if labelValues.contains(name) { series = replacingLabelValues(series) }
        return series + " " + value
    }

    /// `name{a="x",b="y \"z\""}` → `name{a="<live>",b="<live>"}`: each quoted value, escapes and all.
    static func replacingLabelValues(_ series: String) -> String {
        var result = "", inValue = false, escaped = false
        for character in series {
            if !inValue {
                result.append(character)
                if character == "\"" { inValue = true; result += placeholder }
            } else if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inValue = false
                result.append(character)
            }
        }
        return result
    }
}
