import Testing
@testable import ExporterCore

@Suite struct SoftnetCollectorTests {
    @Test func thisMachinesFileWithCPUColumn() throws {
        let parsed = parseSoftnetStat(try Fixtures.text("host/proc/net/softnet_stat"))
        #expect(parsed.rejected.isEmpty)
        #expect(parsed.rows.map(\.cpu) == ["0", "1"])
        #expect(parsed.rows.map(\.processed) == [0x3cd57, 0x3666d])
        #expect(parsed.rows[1].backlogLength == 0 && parsed.rows[1].receivedRPS == 0)
    }

    /// Kernel 5.10+ names the CPU (cpu1 offline here: the second line is cpu2); a 4.x kernel's
    /// 11 columns have no CPU or backlog (the line's position is used); a 2.6 kernel's 10 have no
    /// flow limit; a garbage line and one too short are dropped alone.
    @Test func cpuNumbersOldKernelsAndGarbage() {
        let text = """
            0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003 00000004 00000005 00000006 00000000
            0000000b 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000007 00000002
            0000000c 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000009
            0000000d 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            zzzz 00000000 00000000
            00000001 00000002

            """
        let parsed = parseSoftnetStat(text)
        #expect(parsed.rows.map(\.cpu) == ["0", "2", "2", "3"])
        #expect(parsed.rows[0] == SoftnetStat(
            cpu: "0", processed: 10, dropped: 1, timeSqueezed: 2, cpuCollision: 3, receivedRPS: 4, flowLimitCount: 5, backlogLength: 6))
        #expect(parsed.rows[2].flowLimitCount == 9 && parsed.rows[2].backlogLength == nil)
        #expect(parsed.rows[3].flowLimitCount == nil && parsed.rows[3].receivedRPS == 0)
        #expect(parsed.rejected.map(\.line) == [5, 6])
    }

    @Test func collectorLabelsByCPUAndSkipsAbsentColumns() throws {
        let proc = ProcFS(root: Fixtures.path("host/proc"))
        let families = try SoftnetCollector(proc: proc).collect(HostCollectorTests.context())
        #expect(families.map(\.name) == [
            "node_softnet_processed_total", "node_softnet_dropped_total", "node_softnet_times_squeezed_total",
            "node_softnet_cpu_collision_total", "node_softnet_received_rps_total", "node_softnet_flow_limit_count_total",
            "node_softnet_backlog_len",
        ])
        #expect(families[0].samples.map(\.value) == [0x3cd57, 0x3666d])
        #expect(families[0].samples.map { $0.labels.map(\.value) } == [["0"], ["1"]])
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try SoftnetCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
