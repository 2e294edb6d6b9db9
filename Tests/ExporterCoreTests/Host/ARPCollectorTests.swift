import Testing
@testable import ExporterCore

@Suite struct ARPCollectorTests {
    @Test func countsEntriesPerDeviceInFirstSeenOrder() {
        let text = """
            IP address       HW type     Flags       HW address            Mask     Device
            192.168.1.1      0x1         0x2         cc:aa:dd:ee:aa:bb     *        eth0
            10.0.0.1         0x1         0x2         bb:cc:dd:ee:ff:aa     *        eth1
            192.168.1.2      0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth0
            broken line

            """
        let parsed = parseARPEntries(text)
        #expect(parsed.rows.map(\.device) == ["eth0", "eth1"] && parsed.rows.map(\.entries) == [2, 1])
        #expect(parsed.rejected.map(\.line) == [5])
    }

    @Test func collectorOverThisMachinesFile() throws {
        let families = try ARPCollector(proc: ProcFS(root: Fixtures.path("host/proc"))).collect(HostCollectorTests.context())
        #expect(families.map(\.name) == ["node_arp_entries"])
        #expect(families.first?.samples.map { $0.labels.map(\.value) } == [["eth0"]])
        #expect(families.first?.samples.map(\.value) == [1])
        let headerOnly = parseARPEntries("IP address       HW type     Flags       HW address            Mask     Device\n")
        #expect(headerOnly.rows.isEmpty && headerOnly.rejected.isEmpty)
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try ARPCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
