import Foundation
import Glibc
import Synchronization
import Testing
@testable import ExporterCore

@Suite struct HostCollectorTests {
    static let proc = ProcFS(root: Fixtures.path("host/proc"))
    static let sys = ProcFS(root: Fixtures.path("host/sys"))

    static func context(seconds: Double = 5) -> CollectContext {
        CollectContext(deadline: MonotonicTime.now().adding(seconds: seconds), logger: .disabled, exposition: ExpositionStats())
    }

    /// A prober that answers from a table instead of statfs, so the golden file does not depend on
    /// this machine's disks.
    static let fixedProber = StatFSProber { _ in
        .success(FilesystemUsage(blockSize: 4096, blocks: 1000, blocksFree: 600, blocksAvailable: 500, files: 100, filesFree: 40))
    }

    static func fixtureCollectors() throws -> [any Collector] {
        [
            CPUCollector(proc: proc), StatCollector(proc: proc), MemInfoCollector(proc: proc),
            LoadAverageCollector(proc: proc),
            DiskStatsCollector(
                proc: proc, udevData: Fixtures.path("host/none"),
                deviceExclude: try NamePattern(DiskStatsMetrics.defaultDeviceExclude, flag: "d")),
            NetDevCollector(proc: proc, sys: sys, deviceExclude: try NamePattern("", flag: "n")),
            NetClassCollector(sys: sys, ignoredDevices: try NamePattern("^$", flag: "n")),
            VMStatCollector(proc: proc, fields: try NamePattern(VMStatMetrics.defaultFields, flag: "v")),
            NetStatCollector(proc: proc, fields: try NamePattern(NetStatMetrics.defaultFields, flag: "n")),
            SockStatCollector(proc: proc), FileFDCollector(proc: proc), EntropyCollector(proc: proc),
            ConntrackCollector(proc: proc), PressureCollector(proc: proc),
            SoftnetCollector(proc: proc), UDPQueuesCollector(proc: proc), ARPCollector(proc: proc),
            SchedStatCollector(proc: proc), ProcessesCollector(proc: proc), TCPStatCollector(proc: proc),
            HwmonCollector(sys: sys), MDAdmCollector(proc: proc),
            OSCollector(rootfs: ProcFS(root: Fixtures.path("host/rootfs"))),
            FilesystemCollector(
                proc: proc, rootfs: "/",
                mountPointsExclude: try NamePattern(FilesystemMetrics.defaultMountPointsExclude, flag: "m"),
                fsTypesExclude: try NamePattern(FilesystemMetrics.defaultFSTypesExclude, flag: "f"),
                mountTimeout: 1, prober: fixedProber),
        ]
    }

    @Test func hostOutputMatchesGolden() throws {
        var families: [MetricFamily] = []
        for collector in try Self.fixtureCollectors() { families += try collector.collect(Self.context()) }
        let text = String(decoding: TextFormat.render(Normalizer.normalize(families, stats: ExpositionStats())), as: UTF8.self)
        try Golden.check(text, against: "host.prom")
    }

    @Test func dashboardCriticalNamesArePresent() throws {
        var names = Set<String>()
        for collector in try Self.fixtureCollectors() { names.formUnion(try collector.collect(Self.context()).map(\.name)) }
        for name in ["node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes",
                     "node_disk_io_time_seconds_total", "node_network_receive_bytes_total", "node_network_up",
                     "node_network_speed_bytes", "node_boot_time_seconds", "node_vmstat_pgmajfault", "node_vmstat_oom_kill",
                     "node_pressure_io_stalled_seconds_total", "node_filefd_maximum", "node_sockstat_TCP_tw",
                     "node_netstat_Tcp_RetransSegs", "node_nf_conntrack_entries_limit", "node_os_info",
                     "machine_cpu_cores", "machine_memory_bytes", "node_entropy_available_bits"] {
            #expect(names.contains(name), "\(name)")
        }
    }

    @Test func liveCollectorsAnswerOnThisMachine() throws {
        let live: [any Collector] = [UnameCollector(), TimeCollector(sys: ProcFS(root: "/sys"))]
        let names = try live.flatMap { try $0.collect(Self.context()) }.map(\.name)
        #expect(names.contains("node_uname_info") && names.contains("node_time_seconds"))
        #expect(names.contains("node_time_zone_offset_seconds"))
    }

    /// A missing or malformed file fails only its own collector.
    @Test func missingTreeFailsEachCollectorAlone() throws {
        let empty = ProcFS(root: Fixtures.path("host/does-not-exist"))
        let failing: [any Collector] = [
            CPUCollector(proc: empty), StatCollector(proc: empty), MemInfoCollector(proc: empty),
            DiskStatsCollector(proc: empty, udevData: "/x", deviceExclude: try NamePattern("", flag: "d")),
            NetDevCollector(proc: empty, sys: empty, deviceExclude: try NamePattern("", flag: "n")),
            NetClassCollector(sys: empty, ignoredDevices: try NamePattern("", flag: "n")),
            VMStatCollector(proc: empty, fields: try NamePattern(".*", flag: "v")),
            NetStatCollector(proc: empty, fields: try NamePattern(".*", flag: "n")),
            SockStatCollector(proc: empty), FileFDCollector(proc: empty), EntropyCollector(proc: empty),
            OSCollector(rootfs: empty),
        ]
        for collector in failing {
            #expect(throws: (any Error).self, "\(type(of: collector))") { try collector.collect(Self.context()) }
        }
        // Optional kernel features: absent means no data, not failure.
        #expect(try ConntrackCollector(proc: empty).collect(Self.context()).isEmpty)
        #expect(try PressureCollector(proc: empty).collect(Self.context()).isEmpty)
        for collector: any Collector in [
            SoftnetCollector(proc: empty), UDPQueuesCollector(proc: empty), ARPCollector(proc: empty), SchedStatCollector(proc: empty),
            TCPStatCollector(proc: empty), HwmonCollector(sys: empty), MDAdmCollector(proc: empty),
        ] {
            #expect(try collector.collect(Self.context()).isEmpty, "\(type(of: collector))")
        }
    }

    @Test func badPatternIsReportedWithItsFlag() throws {
        #expect(throws: CollectorError.self) { try NamePattern("(unclosed", flag: "collector.vmstat.fields") }
        #expect(try NamePattern("", flag: "x").matches("anything") == false)
        #expect(try NamePattern("^(z?ram|loop)\\d+$", flag: "x").matches("zram0"))
    }
}

@Suite struct StatFSProberTests {
    /// A statfs that blocks until released, like one on a dead NFS server.
    final class Gate: Sendable {
        let released = Mutex(false)
        let calls = Mutex(0)
        func query(_ path: [UInt8]) -> Result<FilesystemUsage, SystemError> {
            calls.withLock { $0 += 1 }
            if path == Array("/hung".utf8) {
                while !released.withLock({ $0 }) { usleepish() }
            }
            return .success(FilesystemUsage(blockSize: 1, blocks: 1, blocksFree: 1, blocksAvailable: 1, files: 1, filesFree: 1))
        }
        private func usleepish() { for _ in 0..<10_000 { _ = MonotonicTime.now() } }
    }

    @Test func hungMountTimesOutThenIsSkippedUntilItReturns() throws {
        let gate = Gate()
        let prober = StatFSProber(maxStuck: 4) { gate.query($0) }
        let paths = [Array("/".utf8), Array("/hung".utf8)]
        let started = MonotonicTime.now()
        let first = prober.probe(paths, deadline: started.adding(seconds: 0.2))
        #expect(started.secondsElapsed() < 2)
        guard case .usage = first[0] else { Issue.record("healthy mount lost: \(first[0])"); return }
        #expect(first[1] == .timedOut)
        #expect(prober.stuckCount == 1)

        let callsBefore = gate.calls.withLock { $0 }
        let second = prober.probe(paths, deadline: MonotonicTime.now().adding(seconds: 0.2))
        #expect(second[1] == .stuck)
        #expect(gate.calls.withLock { $0 } == callsBefore + 1, "no new thread for the stuck mount")

        gate.released.withLock { $0 = true }
        let until = MonotonicTime.now().adding(seconds: 5)
        while prober.stuckCount > 0 && MonotonicTime.now() < until { _ = MonotonicTime.now() }
        #expect(prober.stuckCount == 0)
        guard case .usage = prober.probe(paths, deadline: MonotonicTime.now().adding(seconds: 1))[1] else {
            Issue.record("recovered mount not probed again"); return
        }
    }

    @Test func hungMountReportsDeviceError() throws {
        let gate = Gate()
        defer { gate.released.withLock { $0 = true } }
        let mounts = ProcFS(root: "/nonexistent")
        _ = mounts
        let entries = try parseMounts(Array("/dev/a / ext4 rw 0 0\nnfs:/x /hung nfs4 rw 0 0\n".utf8))
        let selected = selectMounts(
            entries, rootfs: "/", mountPointsExclude: try NamePattern("", flag: "m"), fsTypesExclude: try NamePattern("", flag: "f"),
            repairs: nil)
        let prober = StatFSProber(maxStuck: 4) { gate.query($0) }
        let outcomes = prober.probe(selected.map(\.statPath), deadline: MonotonicTime.now().adding(seconds: 0.1))
        #expect(outcomes[1] == .timedOut)
    }

    @Test func localFileSystemsAreAskedInlineOthersOnAThread() {
        let threads = Mutex<[pthread_t]>([])
        let prober = StatFSProber(maxStuck: 4) { _ in
            threads.withLock { $0.append(pthread_self()) }
            return .success(FilesystemUsage(blockSize: 1, blocks: 1, blocksFree: 1, blocksAvailable: 1, files: 1, filesFree: 1))
        }
        #expect(prober.mayBlock, "unknown before the first probe")
        let deadline = MonotonicTime.now().adding(seconds: 5)
        _ = prober.probe([Array("/".utf8), Array("/boot".utf8)], deadline: deadline) { _ in true }
        #expect(threads.withLock { $0 }.allSatisfy { pthread_equal($0, pthread_self()) != 0 })
        #expect(!prober.mayBlock, "only local mounts: the collector runs inline on the scrape's thread")
        threads.withLock { $0.removeAll() }
        let outcomes = prober.probe([Array("/".utf8), Array("/nfs".utf8)], deadline: deadline) { $0 == 0 }
        let seen = threads.withLock { $0 }
        #expect(seen.count == 2 && pthread_equal(seen[0], pthread_self()) != 0 && pthread_equal(seen[1], pthread_self()) == 0)
        #expect(outcomes.allSatisfy { if case .usage = $0 { true } else { false } })
        #expect(prober.mayBlock, "a network mount needs a worker thread")
        #expect(FilesystemMetrics.answeredFromMemory.contains("ext4") && !FilesystemMetrics.answeredFromMemory.contains("nfs4"))
        #expect(!FilesystemMetrics.answeredFromMemory.contains("fuse.sshfs"))
    }

    @Test func cpuAndStatShareOneReadOfProcStatPerScrape() throws {
        let root = NSTemporaryDirectory() + "procstat-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try String(contentsOfFile: Fixtures.path("host/proc/stat"), encoding: .utf8)
        try original.write(toFile: root + "/stat", atomically: true, encoding: .utf8)
        let proc = ProcFS(root: root)
        let source = SharedSources().procStat(proc)
        let cpu = CPUCollector(proc: proc, source: source), stat = StatCollector(proc: proc, source: source)
        func bootTime(_ families: [MetricFamily]) -> Double? { families.first { $0.name == "node_boot_time_seconds" }?.samples.first?.value }

        let scrape = HostCollectorTests.context()
        _ = try cpu.collect(scrape)
        let changed = original.replacingOccurrences(of: "btime ", with: "btime 1") // a different boot time
        try changed.write(toFile: root + "/stat", atomically: true, encoding: .utf8)
        let sameScrape = try #require(bootTime(try stat.collect(scrape)))
        let nextScrape = try #require(bootTime(try stat.collect(HostCollectorTests.context())))
        #expect(sameScrape != nextScrape, "the same scrape reads /proc/stat once; the next reads it again")
        #expect(String(Int(nextScrape)).hasPrefix("1"))
    }

    @Test func vfatIsNotAskedInline() {
        // vfat/exfat statfs may go to the device (FAT free-cluster count), so it takes a thread.
        #expect(!FilesystemMetrics.answeredFromMemory.contains("vfat") && !FilesystemMetrics.answeredFromMemory.contains("exfat"))
    }

    @Test func otherProcessesFilesAreNeverKeptOpen() {
        #expect(ProcFS.mayKeep("stat") && ProcFS.mayKeep("net/dev") && ProcFS.mayKeep("self/stat") && ProcFS.mayKeep("1/mounts"))
        #expect(!ProcFS.mayKeep("1234/net/dev") && !ProcFS.mayKeep("12/cgroup") && !ProcFS.mayKeep("10/mounts"))
    }

    @Test func realStatfsOnRoot() {
        guard case .usage(let usage) = StatFSProber().probe([Array("/".utf8)], deadline: MonotonicTime.now().adding(seconds: 5))[0]
        else { Issue.record("statfs / failed"); return }
        #expect(usage.blocks > 0 && usage.blockSize > 0)
        #expect(StatFSProber().probe([Array("/no/such/dir".utf8)], deadline: MonotonicTime.now().adding(seconds: 5))[0] != .stuck)
    }
}
