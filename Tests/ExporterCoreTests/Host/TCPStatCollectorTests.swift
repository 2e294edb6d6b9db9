import Testing
@testable import ExporterCore

@Suite struct TCPStatCollectorTests {
    @Test func statesAndQueuesWithBadLinesDropped() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:0016 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 1 1
               1: 0100007F:1F90 0100007F:C350 01 00000020:00000010 00:00000000 00000000     0        0 2 1
               2: 0100007F:1F90 0100007F:C351 01 00000000:00000000 00:00000000 00000000     0        0 3 1
               3: 0100007F:1F90 0100007F:C352 0F 00000000:00000000 00:00000000 00000000     0        0 4 1
               4: 0100007F:1F90 0100007F:C353 01 0000zz00:00000000
               5: short
            """
        var table = TCPTable()
        let rejected = parseTCPTable(text, file: "net/tcp", into: &table)
        #expect(table.states[1] == 2 && table.states[10] == 1 && table.states.reduce(0, +) == 3)
        #expect(table.txQueued == 0x20 && table.rxQueued == 0x13)
        #expect(rejected.map(\.line) == [5, 6, 7])
    }

    @Test func collectorOverThisMachinesFiles() throws {
        let families = try TCPStatCollector(proc: ProcFS(root: Fixtures.path("host/proc"))).collect(HostCollectorTests.context())
        let samples = Dictionary(uniqueKeysWithValues: (families.first?.samples ?? []).map { ($0.labels.map(\.value), $0.value) })
        #expect(samples.count == 13)
        #expect(samples[["time_wait"]] == 101 && samples[["listen"]] == 7 && samples[["established"]] == 0)
        #expect(samples[["close_wait"]] == 0 && samples[["closing"]] == 0 && samples[["syn_sent"]] == 0)
        #expect(samples[["rx_queued_bytes"]] == 0 && samples[["tx_queued_bytes"]] == 0)
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try TCPStatCollector(proc: empty).collect(HostCollectorTests.context()).isEmpty)
    }
}
