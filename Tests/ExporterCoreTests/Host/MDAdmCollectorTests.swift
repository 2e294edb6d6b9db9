import Testing
@testable import ExporterCore

@Suite struct MDAdmCollectorTests {
    /// node_exporter's fixture; the expected figures are its e2e-output.txt's.
    @Test func nodeExporterFixture() throws {
        let parsed = parseMDStat(try Fixtures.text("host/proc/mdstat"))
        #expect(parsed.rejected.isEmpty)
        #expect(parsed.rows.count == 17)
        let byName = Dictionary(uniqueKeysWithValues: parsed.rows.map { ($0.name, $0) })
        #expect(byName["md3"] == MDStat(
            name: "md3", state: "active", disksActive: 8, disksFailed: 0, disksSpare: 2, disksTotal: 8,
            blocks: 5853468288, blocksSynced: 5853468288))
        #expect(byName["md6"].map { "\($0.state) \($0.disksActive)/\($0.disksTotal) \($0.blocksSynced)" } == "recovering 1.0/2.0 16775552.0")
        #expect(byName["md201"]?.state == "checking" && byName["md201"]?.blocksSynced == 114176)
        #expect(byName["md9"]?.state == "resyncing" && byName["md9"]?.blocksSynced == 0)  // resync=DELAYED
        #expect(byName["md4"].map { "\($0.state) \($0.disksTotal) \($0.disksFailed) \($0.disksSpare)" } == "inactive 0.0 1.0 1.0")
        #expect(byName["md7"]?.disksActive == 3)  // the bitmap line is skipped
        #expect(byName["md120"]?.disksTotal == 2)  // linear: its devices are counted
    }

    @Test func badArrayIsDroppedAlone() {
        let text = """
            Personalities : [raid1]
            md0 : active raid1 sda1[0] sdb1[1]
                  garbage
            md1 : active raid1 sdc1[0] sdd1[1]
                  1000 blocks [2/1] [U_]

            md2 : active raid1 sde1[0]
                  2000 blocks [2/x] [U_]
            md3 : active
            unused devices: <none>
            """
        let parsed = parseMDStat(text)
        #expect(parsed.rows.map(\.name) == ["md1"])
        #expect(parsed.rows.first?.disksActive == 1 && parsed.rows.first?.disksTotal == 2)
        #expect(parsed.rejected.map(\.line) == [2, 7, 9])
    }

    @Test func collectorStatesAndAbsentFile() throws {
        let families = try MDAdmCollector(proc: ProcFS(root: Fixtures.path("host/proc"))).collect(HostCollectorTests.context())
        let state = families.first { $0.name == "node_md_state" }
        let md6 = state?.samples.filter { $0.labels.first?.value == "md6" }.map { "\($0.labels[1].value)=\($0.value)" }
        #expect(md6 == ["active=0.0", "inactive=0.0", "recovering=1.0", "resync=0.0", "check=0.0"])
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try MDAdmCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
