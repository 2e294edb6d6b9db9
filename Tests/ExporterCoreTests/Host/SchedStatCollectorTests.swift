import Testing
@testable import ExporterCore

@Suite struct SchedStatCollectorTests {
    @Test func cpuLinesInSeconds() throws {
        let parsed = parseSchedStat(try Fixtures.text("host/proc/schedstat"))
        #expect(parsed.rejected.isEmpty)
        #expect(parsed.rows.map(\.cpu) == ["0", "1"])
        #expect(parsed.rows[0] == SchedStat(
            cpu: "0", runningSeconds: 2045936.778163039, waitingSeconds: 343796.328169361, timeslices: 4767485306))
    }

    @Test func shortAndGarbageCPULinesAreDropped() {
        let text = """
            version 15
            cpu0 1 0 2 3 4 5 6000000000 7000000000 8
            cpu1 1 0 2 3
            cpuX 1 0 2 3 4 5 6 7 8
            cpu2 1 0 2 3 4 5 6 7 -8
            """
        let parsed = parseSchedStat(text)
        #expect(parsed.rows == [SchedStat(cpu: "0", runningSeconds: 6, waitingSeconds: 7, timeslices: 8)])
        #expect(parsed.rejected.map(\.line) == [3, 4, 5])
    }

    @Test func collectorOverFixtureAndAbsentFile() throws {
        let families = try SchedStatCollector(proc: ProcFS(root: Fixtures.path("host/proc"))).collect(HostCollectorTests.context())
        #expect(families.map(\.name) == [
            "node_schedstat_running_seconds_total", "node_schedstat_waiting_seconds_total", "node_schedstat_timeslices_total",
        ])
        #expect(families.last?.samples.map(\.value) == [4767485306, 5145567945])
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try SchedStatCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
