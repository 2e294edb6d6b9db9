import Foundation
import Testing
@testable import ExporterCore

/// Reads a fixture body: `.json` as is, `.http` through the response parser.
func dockerFixture(_ name: String) throws -> JSONValue {
    let data = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("docker/" + name))))
    if name.hasSuffix(".http") {
        let response = try #require(try HTTPResponseParser(bodyLimit: 1 << 20).parse(data, atEOF: true))
        return try JSONParser.parse(response.body)
    }
    return try JSONParser.parse(data)
}

@Suite struct ContainerJSONTests {
    @Test func parsesValues() throws {
        let value = try JSONParser.parse(Array(#" {"a": [1, -2.5e3, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "o": {}} "#.utf8))
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.string == "x\"\\/\n\u{e9}\u{1F600}")
        #expect(value["o"] == .object([:]))
        #expect(try JSONParser.parse(Array("18446744073709551615".utf8)).double == Double(UInt64.max))
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONParser.parse(Array(#""a\ud800b""#.utf8)).string == "a\u{FFFD}b")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "nul", "tru", "01x", "1 2", "\"abc", "\"\u{01}\"", "\"\\x\"",
        "NaN", "Infinity", "-", "0x10", "[\"\\u12\"]", ".5", "{1:2}",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(deep.utf8)) }
        #expect(throws: Never.self) { try JSONParser.parse(Array("[[[[1]]]]".utf8)) }
    }
}

@Suite struct ContainerModelTests {
    @Test func podmanVersionNegotiates141() throws {
        let engine = try EngineVersion(json: dockerFixture("podman-version.http"))
        #expect(engine.engine == "podman")
        #expect(engine.version == "4.3.1")
        #expect(try APIVersion.negotiate(engine).description == "1.41")
    }

    @Test func negotiation() throws {
        func engine(_ api: String, min: String = "1.24") -> EngineVersion {
            EngineVersion(version: "x", apiVersion: api, minAPIVersion: min, engine: "docker")
        }
        #expect(try APIVersion.negotiate(engine("1.45")).description == "1.45")
        #expect(try APIVersion.negotiate(engine("1.99", min: "1.44")).description == "1.51")
        #expect(throws: DockerAPIError.self) { try APIVersion.negotiate(engine("1.40")) }
        #expect(throws: DockerAPIError.self) { try APIVersion.negotiate(engine("1.9")) }
        #expect(throws: DockerAPIError.self) { try APIVersion.negotiate(engine("1.99", min: "1.60")) }
        #expect(throws: DockerAPIError.self) { try EngineVersion(json: .object([:])) }
    }

    @Test func podmanList() throws {
        let list = try ContainerSummary.list(json: dockerFixture("podman-list.http"))
        #expect(list.map(\.name) == ["rec1", "rec2"])
        #expect(list.map(\.state) == ["running", "exited"])
        #expect(list[0].labels == ["org.label-schema.group": "mon"])
        #expect(list[0].image == "localhost/bb:latest")
        #expect(list[0].healthAnnotation == nil)
        #expect(throws: DockerAPIError.self) { try ContainerSummary.list(json: .object([:])) }
        #expect(throws: DockerAPIError.self) { try ContainerSummary.list(json: .array([.object([:])])) }
    }

    @Test func dockerListHealthText() throws {
        let list = try ContainerSummary.list(json: dockerFixture("docker-list.json"))
        #expect(list[0].healthAnnotation == "healthy")
        #expect(list[1].healthAnnotation == nil)
    }

    @Test func podmanInspect() throws {
        let running = try ContainerDetails(json: dockerFixture("podman-inspect-running.json"))
        #expect(running.health == "healthy")
        #expect(running.memoryLimit == 67_108_864)
        #expect(running.startedAt == 1_795_530_779.253953963)
        #expect(running.finishedAt == nil)
        let exited = try ContainerDetails(json: dockerFixture("podman-inspect-exited.json"))
        #expect(exited.exitCode == 3)
        #expect(exited.health == nil)
        #expect(exited.oomKilled == false)
    }

    @Test func dockerInspectNanoCPUsBecomeAQuota() throws {
        let web = try ContainerDetails(json: dockerFixture("docker-inspect-web.json"))
        #expect(web.cpuQuota == 150_000)
        #expect(web.cpuPeriod == 100_000)
        #expect(web.restartCount == 2)
        let batch = try ContainerDetails(json: dockerFixture("docker-inspect-batch.json"))
        #expect(batch.oomKilled)
        #expect(batch.exitCode == 137)
        #expect(batch.finishedAt == 1_714_629_901.5)  // 08:05:01.5+02:00 = 06:05:01.5Z
    }

    @Test func statsCgroupV1() throws {
        let stats = try ContainerStats(json: dockerFixture("docker-stats-cgroupv1.json"))
        #expect(stats.cpuTotal == 100_215_355)
        #expect(stats.memory(v1: "rss", v2: "anon") == 6_537_216)
        #expect(stats.memory(v1: "cache", v2: "file") == 0)
        #expect(stats.workingSet == 6_537_216)
        #expect(stats.networks.map(\.interface) == ["eth0", "eth5"])
    }

    @Test func statsCgroupV2() throws {
        let stats = try ContainerStats(json: dockerFixture("docker-stats-cgroupv2.json"))
        #expect(stats.memory(v1: "rss", v2: "anon") == 98_566_144)
        #expect(stats.memory(v1: "cache", v2: "file") == 52_428_800)
        #expect(stats.workingSet == Double(157_286_400 - 20_971_520))
        #expect(stats.devices.map(\.device) == ["253:1", "8:0"])
        #expect(stats.devices[1].readBytes == 4_096_000)
        #expect(stats.devices[1].reads == 250)
        #expect(stats.devices[0].reads == nil)
    }

    @Test func podmanStats() throws {
        let stats = try ContainerStats(json: dockerFixture("podman-stats-running.http"))
        #expect(stats.memoryUsage != nil)
        #expect(stats.memoryStat.isEmpty)
        #expect(stats.pids == 1)
        #expect(stats.networks.map(\.interface) == ["network"])
    }

    /// Device numbers are JSON doubles: an entry whose major or minor is no device number (out of
    /// dev_t's 32-bit range, negative, fractional) is dropped, the other entries kept. Int(1e300)
    /// trapped and killed the process (issue #12).
    @Test(arguments: [("1e300", "0"), ("-1e19", "0"), ("-1", "0"), ("1.5", "0"), ("4294967296", "0"), ("8", "1e300"), ("8", "-1e19")])
    func blockIOEntryWithImpossibleDeviceNumberIsDropped(_ major: String, _ minor: String) throws {
        let text = #"{"blkio_stats":{"io_service_bytes_recursive":["#
            + #"{"major":\#(major),"minor":\#(minor),"op":"Read","value":1},{"major":8,"minor":16,"op":"Read","value":7}]}}"#
        let stats = try ContainerStats(json: JSONParser.parse(Array(text.utf8)))
        #expect(stats.devices.map(\.device) == ["8:16"])
        #expect(stats.devices.first?.readBytes == 7)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0), ("2000-03-01T00:00:00Z", 951_868_800), ("2024-02-29T23:59:59.25Z", 1_709_251_199.25),
        ("2024-05-02T08:05:01-01:30", 1_714_642_501),
    ])
    func rfc3339(_ text: String, _ seconds: Double) {
        #expect(RFC3339.seconds(text) == seconds)
    }

    @Test(arguments: ["0001-01-01T00:00:00Z", "", "2024-13-01T00:00:00Z", "2024-05-02 08:05", "2024-05-02T08:05:01", "2024-05-02T08:05:01Zjunk"])
    func rfc3339Rejects(_ text: String) {
        #expect(RFC3339.seconds(text) == nil)
    }
}

@Suite struct ContainerMetricsTests {
    /// Recorded and documented API answers through the mapping, compared with the golden file.
    @Test func familiesMatchGolden() throws {
        let docker = try ContainerSummary.list(json: dockerFixture("docker-list.json"))
        let podman = try ContainerSummary.list(json: dockerFixture("podman-list.http"))
        var v1 = try ContainerStats(json: dockerFixture("docker-stats-cgroupv1.json"))
        v1.throttlingPeriods = 10
        let snapshots = [
            ContainerSnapshot(
                summary: docker[0], details: try ContainerDetails(json: dockerFixture("docker-inspect-web.json")),
                stats: try ContainerStats(json: dockerFixture("docker-stats-cgroupv2.json"))),
            ContainerSnapshot(summary: docker[1], details: try ContainerDetails(json: dockerFixture("docker-inspect-batch.json"))),
            ContainerSnapshot(
                summary: podman[0], details: try ContainerDetails(json: dockerFixture("podman-inspect-running.json")), stats: v1),
            ContainerSnapshot(summary: podman[1], details: try ContainerDetails(json: dockerFixture("podman-inspect-exited.json"))),
            // Listed, but inspect not available: state only.
            ContainerSnapshot(summary: ContainerSummary(id: "ff", name: "odd", image: "x", state: "configured", status: "", labels: [:])),
        ]
        let families = ContainerMetrics.families(
            snapshots, engine: EngineVersion(version: "27.1.1", apiVersion: "1.46", minAPIVersion: "1.24", engine: "docker"),
            api: APIVersion(major: 1, minor: 46),
            labels: ContainerLabelMapping.make(["org.label-schema.group", "com.docker.compose.service", "org.label-schema/group"]),
            now: 1_800_000_000.7)
        let text = String(decoding: TextFormat.render(Normalizer.normalize(families, stats: ExpositionStats())), as: UTF8.self)
        #expect(!text.contains("SECRET"))
        #expect(!text.contains("=\"\""))  // no empty union labels
        try Golden.check(text, against: "containers.prom")
    }

    @Test func labelMappingDropsCollisions() {
        let mappings = ContainerLabelMapping.make(["a.b", "a_b", "", "9x"])
        #expect(mappings.map(\.labelName) == ["container_label_a_b", "container_label__9x"])
    }
}
