import Testing
@testable import ExporterCore

@Suite struct ProcessesCollectorTests {
    @Test func stateAndThreadsCountedFromTheLastParenthesis() {
        let stat = "42 (a) b) (c) R 1 42 42 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 7 0 100 1000 50 18446744073709551615"
        #expect(parseTaskState(stat).map { "\($0.state) \($0.threads)" } == "R 7.0")
    }

    @Test(arguments: ["", "42 (x)", "42 (x) S 1 2", "42 (x) SS 1 42 42 0 -1 0 1 0 0 0 5 6 0 0 20 0 7 0", "42 (x) S 1 42 42 0 -1 0 1 0 0 0 5 6 0 0 20 0 many 0"])
    func garbageStatIsNil(_ text: String) {
        #expect(parseTaskState(text) == nil)
    }

    static func collect(_ root: String) throws -> [String: [[String]: Double]] {
        let families = try ProcessesCollector(proc: ProcFS(root: Fixtures.path(root))).collect(HostCollectorTests.context())
        var result: [String: [[String]: Double]] = [:]
        for family in families {
            for sample in family.samples { result[family.name, default: [:]][sample.labels.map(\.value)] = sample.value }
        }
        return result
    }

    /// pid 1 has one thread (its task directory is not needed); pid 1351 has three, one in D.
    @Test func fixtureProcessesAndThreads() throws {
        let v = try Self.collect("host/proc")
        #expect(v["node_processes_pids"]?[[]] == 2)
        #expect(v["node_processes_threads"]?[[]] == 4)
        #expect(v["node_processes_max_threads"]?[[]] == 192726 && v["node_processes_max_processes"]?[[]] == 32768)
        #expect(v["node_processes_state"] == [["S"]: 2])
        #expect(v["node_processes_threads_state"] == [["S"]: 3, ["D"]: 1])
    }

    @Test func missingLimitsFailTheCollector() {
        let empty = ProcessesCollector(proc: ProcFS(root: Fixtures.path("host/does-not-exist")))
        #expect(throws: (any Error).self) { try empty.collect(HostCollectorTests.context()) }
    }

    @Test func liveProcCountsThisProcess() throws {
        let families = try ProcessesCollector(proc: ProcFS(root: "/proc")).collect(HostCollectorTests.context())
        let pids = families.first { $0.name == "node_processes_pids" }?.samples.first?.value ?? 0
        let threads = families.first { $0.name == "node_processes_threads" }?.samples.first?.value ?? 0
        #expect(pids >= 1 && threads >= pids)
    }
}
