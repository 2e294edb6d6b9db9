import Testing
@testable import ExporterCore

@Suite struct CgroupStatsTests {
    static let id = "4c872a24ff4ece451f3b1612ad718f86e1a711cd9bed619fa5beaa856b815cb9"

    static func reader(_ tree: String) -> CgroupReader {
        CgroupReader(paths: HostPaths(procfs: Fixtures.path("cgroup/\(tree)/proc"), sysfs: Fixtures.path("cgroup/\(tree)/sys")))
    }

    @Test func readsARecordedCgroupV1Container() throws {
        let stats = try Self.reader("v1").stats(pid: 4242, id: Self.id)
        #expect(stats.cpuTotal == 32_917_408)
        #expect(stats.cpuUser == 24_000_000)
        #expect(stats.cpuSystem == 8_000_000)
        #expect(stats.throttlingPeriods == 3)
        #expect(stats.throttledPeriods == 0)
        #expect(stats.throttledTime == 0)
        #expect(stats.memoryUsage == 1_126_400)
        #expect(stats.memoryMaxUsage == 4_558_848)
        #expect(stats.memoryFailcnt == 0)
        #expect(stats.memory(v1: "rss", v2: "anon") == 49152)
        #expect(stats.memory(v1: "cache", v2: "file") == 786_432)
        #expect(stats.memory(v1: "mapped_file", v2: "file_mapped") == 561_152)
        #expect(stats.workingSet == 1_126_400)  // inactive_file 0
        #expect(stats.pids == 1)
        #expect(stats.devices.isEmpty)  // blkio "Total 0"
        #expect(stats.networks.isEmpty)  // --network none: only lo, which is left out
    }

    @Test func readsACgroupV2Container() throws {
        let stats = try Self.reader("v2").stats(pid: 4242, id: Self.id)
        #expect(stats.cpuTotal == 51_234_000)
        #expect(stats.cpuUser == 30_111_000)
        #expect(stats.cpuSystem == 21_123_000)
        #expect(stats.throttlingPeriods == 12)
        #expect(stats.throttledPeriods == 2)
        #expect(stats.throttledTime == 7_500_000)
        #expect(stats.memoryUsage == 2_387_968)
        #expect(stats.workingSet == 1_339_392)  // memory.current − inactive_file
        #expect(stats.memory(v1: "rss", v2: "anon") == 319_488)
        #expect(stats.memory(v1: "cache", v2: "file") == 1_261_568)
        #expect(stats.memory(v1: "mapped_file", v2: "file_mapped") == 786_432)
        #expect(stats.memory(v1: "swap", v2: "swap") == 4096)
        #expect(stats.memoryFailcnt == 5)
        #expect(stats.memoryMaxUsage == nil)  // no memory.peak (kernel < 5.19)
        #expect(stats.pids == 3)
        #expect(stats.devices == [
            ContainerStats.DeviceIO(device: "254:0", readBytes: 4096, writeBytes: 0, reads: 1, writes: 0),
            ContainerStats.DeviceIO(device: "8:0", readBytes: 1_159_168, writeBytes: 8192, reads: 43, writes: 2),
        ])
        #expect(stats.networks == [
            ContainerStats.Network(
                interface: "eth0", receiveBytes: 10432, receivePackets: 73, receiveErrors: 1, receiveDropped: 2,
                transmitBytes: 2182, transmitPackets: 21, transmitErrors: 3, transmitDropped: 4),
        ])
    }

    /// A reused pid, an exited process, no pid at all: unavailable, so the collector asks the API.
    @Test(arguments: [(4242, "0123456789ab"), (4243, CgroupStatsTests.id), (0, CgroupStatsTests.id)])
    func unusableCgroupIsUnavailable(pid: Int, id: String) {
        #expect(throws: CgroupReader.Unavailable.self) { try Self.reader("v1").stats(pid: pid, id: id) }
        #expect(throws: CgroupReader.Unavailable.self) { try Self.reader("v2").stats(pid: pid, id: id) }
    }

    @Test func missingRequiredFileIsUnavailable() {
        // The v1 tree has no cpuacct directory under this path.
        let reader = CgroupReader(paths: HostPaths(procfs: Fixtures.path("cgroup/v1/proc"), sysfs: Fixtures.path("cgroup/v2/sys")))
        #expect(throws: CgroupReader.Unavailable.self) { try reader.stats(pid: 4242, id: Self.id) }
    }

    @Test func processCgroups() throws {
        let parsed = try parseProcessCgroups("12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/x:y\n0::/init.scope\n")
        #expect(parsed.unified == "/init.scope")
        #expect(parsed.controllers["cpu"] == "/docker/abc")
        #expect(parsed.controllers["cpuacct"] == "/docker/abc")
        #expect(parsed.controllers["name=systemd"] == "/x:y")
    }

    @Test(arguments: ["0:/x", "a::/x", "0::relative", "4:memory"])
    func processCgroupsRejectsMalformed(_ text: String) {
        #expect(throws: ParseError.self) { try parseProcessCgroups(text) }
    }

    @Test func singleValues() throws {
        #expect(try parseCgroupValue("max\n", file: "memory.max") == nil)
        #expect(try parseCgroupValue("18446744073709551615\n", file: "x") == Double(UInt64.max))  // v1 "unlimited"
        #expect(throws: ParseError.self) { try parseCgroupValue("", file: "memory.current") }
        #expect(throws: ParseError.self) { try parseCgroupValue("12a\n", file: "memory.current") }
    }

    @Test(arguments: ["usage_usec\n", "usage_usec 1 2\n", "usage_usec x\n"])
    func keyedRejectsTruncatedLines(_ text: String) {
        #expect(throws: ParseError.self) { try cgroupV2Stats(["cpu.stat": text]) }
    }

    @Test func ioStatRejectsTruncatedLines() throws {
        #expect(throws: ParseError.self) { try parseIOStat("8:0 rbytes=1 wbytes\n") }
        #expect(throws: ParseError.self) { try parseIOStat("rbytes=1\n") }
        #expect(try parseIOStat("") == [])
    }

    /// cgroup v1 blkio-controller.rst format, as the CFQ and throttle files print it.
    @Test func blkioRecursive() throws {
        let bytes = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n"
        let ops = "8:0 Read 1\n8:0 Write 2\n8:0 Sync 3\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 3\nTotal 3\n"
        #expect(try parseBlkio(bytes: bytes, operations: ops) == [
            ContainerStats.DeviceIO(device: "8:0", readBytes: 4096, writeBytes: 8192, reads: 1, writes: 2),
        ])
        #expect(throws: ParseError.self) { try parseBlkio(bytes: "8:0 Read\n", operations: "") }
    }

    @Test func cpuacctStatTicksWhenNoUsageUser() throws {
        let stats = try cgroupV1Stats(["cpuacct/cpuacct.usage": "5000000000\n", "cpuacct/cpuacct.stat": "user 300\nsystem 100\n"])
        #expect(stats.cpuUser == 3e9)
        #expect(stats.cpuSystem == 1e9)
    }
}
