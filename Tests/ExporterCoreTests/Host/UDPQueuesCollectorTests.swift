import Testing
@testable import ExporterCore

@Suite struct UDPQueuesCollectorTests {
    @Test func sumsQueuesAndDropsBadLines() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
             1: 0100007F:E11F 00000000:0000 07 00000010:00000340 00:00000000 00000000     0        0 204042 2 0000000000000000 0
             2: 00000000:0044 00000000:0000 07 00000001:00000001 00:00000000 00000000     0        0 1 2 0000000000000000 0
             3: 00000000:0045 00000000:0000 07 zz:00000001 00:00000000 00000000     0        0 1 2 0000000000000000 0
             4: 00000000:0046

            """
        let sums = parseUDPQueues(text, file: "net/udp")
        #expect(sums.tx == 0x11 && sums.rx == 0x341)
        #expect(sums.rejected.map(\.line) == [4, 5])
    }

    @Test func collectorOverThisMachinesFiles() throws {
        let families = try UDPQueuesCollector(proc: ProcFS(root: Fixtures.path("host/proc"))).collect(HostCollectorTests.context())
        #expect(families.count == 1)
        let samples = families.first?.samples ?? []
        #expect(samples.map { $0.labels.map(\.value) } == [["v4", "tx"], ["v4", "rx"], ["v6", "tx"], ["v6", "rx"]])
        #expect(samples.map(\.value) == [0, 832, 0, 1280])
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try UDPQueuesCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
