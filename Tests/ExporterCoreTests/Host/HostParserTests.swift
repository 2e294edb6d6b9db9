import Testing
@testable import ExporterCore

@Suite struct HostParserTests {
    // MARK: /proc/stat

    @Test func procStatFromThisMachine() throws {
        let stat = try parseProcStat(Fixtures.text("host/proc/stat"))
        #expect(stat.cpus.map(\.cpu) == ["0", "1"])
        #expect(stat.bootTime != nil && stat.contextSwitches != nil && stat.forks != nil)
        #expect(stat.procsRunning != nil && stat.procsBlocked != nil && stat.interrupts != nil)
    }

    @Test func procStatWithHotUnpluggedCPUAndOldKernelFields() throws {
        // cpu1 is offline, so the kernel omits its line; cpu2 comes from a 2.6.24 kernel (no
        // steal/guest columns); an unknown future line is ignored.
        let text = """
            cpu  10 0 10 100 0 0 0 0 0 0
            cpu0 100 2 300 4000 5 6 7 8 9 10
            cpu2 100 0 50 900 1 2 3
            intr 12345 0 0 1
            ctxt 99
            btime 1700000000
            processes 42
            procs_running 3
            procs_blocked 1
            softirq 1 2 3
            future_field 7 7 7
            """
        let stat = try parseProcStat(text)
        #expect(stat.cpus.map(\.cpu) == ["0", "2"])
        #expect(stat.cpus[0].user == 1 && stat.cpus[0].guestNice == 0.1 && stat.cpus[0].steal == 0.08)
        #expect(stat.cpus[1].irq == 0.02 && stat.cpus[1].steal == 0 && stat.cpus[1].guest == 0)
        #expect(stat.interrupts == 12345 && stat.contextSwitches == 99 && stat.bootTime == 1_700_000_000)
        #expect(stat.forks == 42 && stat.procsRunning == 3 && stat.procsBlocked == 1)
    }

    @Test(arguments: ["cpu0 1 2", "cpu0 a b c d e", "cpuX 1 2 3 4", "btime soon", "ctxt -"])
    func procStatRejectsMalformed(_ text: String) {
        #expect(throws: ParseError.self) { try parseProcStat(text) }
    }

    // MARK: /proc/meminfo

    @Test func memInfoNamesAsNodeExporter() throws {
        let fields = try parseMemInfo(Fixtures.text("host/proc/meminfo"))
        let names = Set(fields.map(\.name))
        for expected in ["MemTotal_bytes", "MemAvailable_bytes", "Active_anon_bytes", "Inactive_file_bytes",
                         "HugePages_Total", "HugePages_Free", "Hugepagesize_bytes", "SwapTotal_bytes"] {
            #expect(names.contains(expected), "\(expected)")
        }
        let total = try #require(fields.first { $0.name == "MemTotal_bytes" })
        #expect(total.value.truncatingRemainder(dividingBy: 1024) == 0 && total.value > 0)
    }

    @Test func memInfoToleratesExtraFieldsAndLongLines() throws {
        let long = "NewKernelField" + String(repeating: "x", count: 5000) + ":  7 kB"
        let fields = try parseMemInfo("MemTotal:  100 kB\n\n\(long)\nHugePages_Total:  3\n")
        #expect(fields.count == 3)
        #expect(fields[0] == MemInfoField(name: "MemTotal_bytes", value: 102_400))
        #expect(fields[2] == MemInfoField(name: "HugePages_Total", value: 3))
    }

    @Test(arguments: ["MemTotal:", "MemTotal: 12 MB", "MemTotal 12 kB", ":", "MemTotal: x kB", "a: 1 kB extra"])
    func memInfoRejectsMalformed(_ text: String) {
        #expect(throws: ParseError.self) { try parseMemInfo(text) }
    }

    // MARK: mounts

    @Test func mountsUnescapeOctalAndKeepInvalidUTF8() throws {
        var bytes = Array("/dev/sda1 /mnt/my\\040disk ext4 rw,relatime 0 0\n".utf8)
        bytes += Array("server:/x\\011y /mnt/".utf8) + [0xFF, 0xFE] + Array(" nfs4 ro,relatime 0 0\n".utf8)
        bytes += Array("back\\134slash /a\\134b vfat rw 0 0\n".utf8)
        let entries = try parseMounts(bytes)
        #expect(entries.count == 3)
        #expect(entries[0].mountPoint == Array("/mnt/my disk".utf8) && !entries[0].isReadOnly)
        #expect(entries[1].device == Array("server:/x\ty".utf8))
        #expect(entries[1].mountPoint == Array("/mnt/".utf8) + [0xFF, 0xFE] && entries[1].isReadOnly)
        #expect(entries[2].device == Array("back\\slash".utf8))
        #expect(entries[2].mountPoint == Array("/a\\b".utf8) && entries[2].fsType == "vfat")
        let stats = ExpositionStats()
        let label = LabelText.decode(entries[1].mountPoint, repairs: stats)
        #expect(label == "/mnt/\u{FFFD}\u{FFFD}")
    }

    @Test func mountsRejectTruncatedLine() {
        #expect(throws: ParseError.self) { try parseMounts(Array("/dev/sda1 /mnt".utf8)) }
    }

    @Test func mountSelectionAppliesNodeExporterDefaults() throws {
        let text = """
            proc /proc proc rw 0 0
            /dev/vda / ext4 rw 0 0
            /dev/vda / ext4 rw 0 0
            tmpfs /run tmpfs rw 0 0
            overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0
            /dev/vdb /data xfs ro 0 0
            /dev/vdc /host/srv xfs rw 0 0
            """
        let mounts = try parseMounts(Array(text.utf8))
        let mp = try NamePattern(FilesystemMetrics.defaultMountPointsExclude, flag: "m")
        let fs = try NamePattern(FilesystemMetrics.defaultFSTypesExclude, flag: "f")
        let selected = selectMounts(mounts, rootfs: "/", mountPointsExclude: mp, fsTypesExclude: fs, repairs: nil)
        #expect(selected.map(\.mountPoint) == ["/", "/run", "/data", "/host/srv"])
        #expect(selected[2].readOnly)
        let inContainer = selectMounts(mounts, rootfs: "/host", mountPointsExclude: mp, fsTypesExclude: fs, repairs: nil)
        #expect(inContainer.last?.mountPoint == "/srv")
        #expect(inContainer.last?.statPath == Array("/host/srv".utf8))
        #expect(inContainer.first?.statPath == Array("/host/".utf8))
    }

    // MARK: diskstats, net/dev

    @Test func diskStatsOldAndFutureKernels() throws {
        let text = """
               8       0 sda 1 2 3 4 5 6 7 8 9 10 11
             254       0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
            """
        let disks = try parseDiskStats(text)
        #expect(disks.count == 2)
        #expect(disks[0].values.count == 11 && disks[1].values.count == 17)
        #expect(disks[1].name == "vda" && disks[1].major == "254" && disks[1].values[16] == 17)
    }

    @Test(arguments: ["8 0 sda 1 2 3", "x 0 sda 1 2 3 4 5 6 7 8 9 10 11", "8 0 sda 1 2 3 4 5 6 7 8 9 10 z"])
    func diskStatsRejectsMalformed(_ text: String) {
        #expect(throws: ParseError.self) { try parseDiskStats(text) }
    }

    @Test func netDevFromThisMachine() throws {
        let devices = try parseNetDev(Fixtures.text("host/proc/net/dev"))
        #expect(Set(devices.map(\.device)) == ["lo", "ifb0", "ifb1", "eth0"])
        #expect(devices.allSatisfy { $0.values.count == 16 })
    }

    @Test func netDevWithoutSpaceAfterColon() throws {
        let devices = try parseNetDev("h|\nh|\n  eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")
        #expect(devices == [NetDevLine(device: "eth0", values: (1...16).map(Double.init))])
    }

    @Test(arguments: ["eth0: 1 2 3", "no colon here", ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"])
    func netDevRejectsMalformed(_ text: String) {
        #expect(throws: ParseError.self) { try parseNetDev(text) }
    }

    // MARK: small files

    @Test func pressureTotalsInSeconds() throws {
        let totals = try parsePressure(
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=250000\n",
            file: "io")
        #expect(totals == PressureTotals(someSeconds: 1.5, fullSeconds: 0.25))
        #expect(throws: ParseError.self) { try parsePressure("some avg10=0.00", file: "io") }
        #expect(throws: ParseError.self) { try parsePressure("", file: "io") }
    }

    @Test func protocolPairsAndSNMP6() throws {
        let pairs = try parseProtocolPairs("Tcp: RtoMin MaxConn\nTcp: 200 -1\nUdp: InDatagrams\nUdp: 5\n", file: "snmp")
        #expect(pairs.map(\.name) == ["Tcp_RtoMin", "Tcp_MaxConn", "Udp_InDatagrams"])
        #expect(pairs[1].value == -1)
        #expect(throws: ParseError.self) { try parseProtocolPairs("Tcp: A B\nTcp: 1\n", file: "snmp") }
        #expect(throws: ParseError.self) { try parseProtocolPairs("Tcp: A B\n", file: "snmp") }
        #expect(snmp6Name("Ip6InReceives") == "Ip6_InReceives")
        #expect(snmp6Name("UdpLite6InErrors") == "UdpLite6_InErrors")
        #expect(snmp6Name("Icmp6") == nil)
        let real = try parseProtocolPairs(Fixtures.text("host/proc/net/netstat"), file: "netstat")
        #expect(real.contains { $0.name == "TcpExt_ListenOverflows" })
    }

    @Test func sockStatFields() throws {
        let fields = try parseSockStat(Fixtures.text("host/proc/net/sockstat"), file: "sockstat")
        #expect(fields.contains { $0.proto == "TCP" && $0.field == "mem" })
        #expect(fields.contains { $0.proto == "sockets" && $0.field == "used" })
        #expect(throws: ParseError.self) { try parseSockStat("TCP: inuse", file: "sockstat") }
    }

    @Test func smallFiles() throws {
        #expect(try parseFileNR("438\t0\t2466177\n") == (allocated: 438, maximum: 2_466_177))
        #expect(throws: ParseError.self) { try parseFileNR("438") }
        #expect(try parseSingleNumber("256\n", file: "x") == 256)
        #expect(throws: ParseError.self) { try parseSingleNumber("", file: "x") }
        let conntrack = try parseConntrackStat("entries found drop\n00000001 0000000a 00000000\n00000001 00000001 00000002\n")
        #expect(conntrack == ["entries": 2, "found": 11, "drop": 2])
        #expect(throws: ParseError.self) { try parseConntrackStat("a b\n1\n") }
    }

    @Test func osRelease() throws {
        let release = parseOSRelease("# comment\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\nPRETTY_NAME='A \\\"b\\\"'\n")
        #expect(release["NAME"] == "Debian GNU/Linux" && release["ID"] == "debian" && release["VERSION_ID"] == "12")
        #expect(osVersionNumber("22.04") == 22.04 && osVersionNumber("12") == 12 && osVersionNumber("rolling") == nil)
        #expect(osVersionNumber("8.1.2") == 8.1)
    }

    /// Truncations and garbage of every real fixture: parsers may throw, never crash, and never
    /// make up entries (a line-based parser returns at most one entry per line). The garbage is
    /// seeded: `STACK_EXPORTER_TEST_SEED=<seed>` replays the seed a failure names.
    @Test func parsersSurviveTruncationAndGarbage() throws {
        let files = ["stat", "meminfo", "diskstats", "vmstat", "net/dev", "net/netstat", "net/snmp", "net/snmp6",
                     "net/sockstat", "pressure/io", "net/stat/nf_conntrack", "self/mounts", "sys/fs/file-nr"]
        var generator = SeededGenerator()
        let seed = generator.seed
        for file in files {
            let text = try Fixtures.text("host/proc/" + file)
            var variants = [String(text.prefix(text.count / 2)), String(text.prefix(1)), String(text.dropFirst(7)), ""]
            var bytes = Array(text.utf8)
            for _ in 0..<min(20, bytes.count) { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            variants.append(String(decoding: bytes, as: UTF8.self))
            variants.append(String(repeating: "\u{0}:\t -", count: 300))
            for variant in variants {
                let lines = variant.utf8.count { $0 == UInt8(ascii: "\n") } + 1
                let counts = [
                    (try? parseMemInfo(variant))?.count, (try? parseDiskStats(variant))?.count, (try? parseNetDev(variant))?.count,
                    (try? parseNameValueLines(variant, file: file))?.count, (try? parseMounts(Array(variant.utf8)))?.count,
                    parseOSRelease(variant).count,
                ]
                #expect(counts.allSatisfy { ($0 ?? 0) <= lines },
                        "seed \(seed) (STACK_EXPORTER_TEST_SEED), \(file): \(counts.map { $0.map(String.init) ?? "threw" }) entries from \(lines) lines")
                _ = try? parseProcStat(variant)
                _ = try? parseProtocolPairs(variant, file: file)
                _ = try? parseSockStat(variant, file: file)
                _ = try? parsePressure(variant, file: file)
                _ = try? parseConntrackStat(variant)
                _ = try? parseFileNR(variant)
            }
        }
    }

    @Test(arguments: [
        ("1500\n", 1500), ("-1\n", -1), ("0x1003\n", 4099), ("0x0\n", 0), ("  42 \n", 42), ("", nil), ("\n", nil),
        ("abc\n", nil), ("0x\n", nil), ("0xzz\n", nil), ("1.5\n", 1.5), ("18446744073709551615\n", 18446744073709551615),
        ("up\n", nil), ("0x1ffffffffffffffff\n", nil),
    ] as [(String, Double?)])
    func sysfsNumbersParseFromTheAttributeBytes(_ text: String, _ expected: Double?) {
        var copy = text
        #expect(copy.withUTF8 { parseSysfsNumber(bytes: $0) } == expected, "\(text.debugDescription)")
    }

}
