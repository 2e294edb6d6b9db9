@testable import ExporterCore

// Every procfs/sysfs parser of Collectors/Host/Parsers (and the cgroup files the containers
// collector reads), driven the way the collectors drive them: the byte scanners, then the names
// and numbers taken from their ranges. Property: no trap, and where a parser succeeds, what it
// returns holds together (ranges inside the text, counts as documented). Metric names built from
// file content go through the exposition check (ExpositionCheck.swift).

extension FuzzTargets {
    static let hostTargets: [FuzzTarget] = [
        FuzzTarget(name: "meminfo") { bytes in
            withScanner(bytes) { scanner throws(ParseError) in
                var key: [UInt8] = []
                let lines = try scanMemInfo(&scanner, key: &key)
                let families = lines.map { line in
                    let name = MemInfoNames.name(scanner.text(line.name), kB: line.kB)
                    return MetricFamily(FamilyDescriptor(name: "node_memory_" + name, type: .gauge, help: "Memory information field \(name)."), value: line.value)
                }
                ExpositionCheck.renderAndCheck(families, thorough: false)
            }
        },
        FuzzTarget(name: "netstat") { bytes in
            withScanner(bytes) { scanner throws(ParseError) in
                var key: [UInt8] = []
                let (headers, values) = try scanProtocolPairs(&scanner, file: "net/netstat", key: &key)
                let names = protocolPairNames(scanner, headers)
                guard names.count == values.count else { violated("\(names.count) names for \(values.count) values") }
                var families: [MetricFamily] = []
                for (name, field) in zip(names, values) {
                    guard let value = scanner.number(field) else { continue }
                    families.append(MetricFamily(FamilyDescriptor(name: "node_netstat_" + name, type: .untyped, help: "Statistic \(name)."), value: value))
                }
                ExpositionCheck.renderAndCheck(families, thorough: false)
            }
        },
        FuzzTarget(name: "sockstat") { bytes in
            withScanner(bytes) { scanner throws(ParseError) in
                var key: [UInt8] = []
                let fields = try scanSockStat(&scanner, file: "net/sockstat", key: &key)
                var families: [MetricFamily] = []
                for field in fields {
                    let d = SockStatCollector.descriptors(proto: scanner.text(field.proto), field: scanner.text(field.field))
                    families.append(MetricFamily(d.value, value: field.value))
                }
                ExpositionCheck.renderAndCheck(families, thorough: false)
            }
        },
        FuzzTarget(name: "conntrack") { bytes in
            withScanner(bytes) { scanner throws(ParseError) in
                let sums = try scanConntrackStat(&scanner)
                for (name, _) in sums { _ = scanner.text(name) }
            }
            _ = try? parseSingleNumber(text(bytes), file: "nf_conntrack_count")
        },
        FuzzTarget(name: "mounts") { bytes in
            guard let entries = try? parseMounts(bytes) else { return }
            for entry in entries { _ = entry.isReadOnly; _ = String(decoding: entry.mountPoint, as: UTF8.self) }
        },
        FuzzTarget(name: "diskstats") { bytes in
            guard let stats = try? parseDiskStats(text(bytes)) else { return }
            for stat in stats where stat.values.count < 11 { violated("diskstats line with \(stat.values.count) counters") }
            _ = try? parseDiskStats(text(bytes)) { !$0.hasPrefix("loop") }
        },
        FuzzTarget(name: "netdev") { bytes in
            guard let lines = try? parseNetDev(text(bytes)) else { return }
            for line in lines where line.values.count != 16 { violated("net/dev line with \(line.values.count) counters") }
        },
        FuzzTarget(name: "stat") { bytes in
            _ = try? parseProcStat(text(bytes))
        },
        FuzzTarget(name: "pressure") { bytes in
            _ = try? parsePressure(text(bytes), file: "pressure/cpu")
        },
        FuzzTarget(name: "namevalue") { bytes in
            // /proc/vmstat and /proc/net/snmp6, through the String parser and the cached layout
            // path the collectors use (twice, so the second read takes the cached layout).
            let input = text(bytes)
            if let lines = try? parseNameValueLines(input, file: "vmstat") {
                for line in lines { _ = snmp6Name(line.name) }
            }
            let layout = LineLayoutCache()
            for _ in 0..<2 {
                _ = try? NameValueLines.read(input, file: "vmstat", layout: layout) { name in
                    FamilyDescriptor(name: "node_vmstat_" + name, type: .untyped, help: "")
                }
            }
        },
        FuzzTarget(name: "os-release") { bytes in
            let fields = parseOSRelease(text(bytes))
            if let version = fields["VERSION_ID"] { _ = osVersionNumber(version) }
        },
        FuzzTarget(name: "small-files") { bytes in
            // loadavg, file-nr and the one-number sysfs files.
            let input = text(bytes)
            _ = try? parseLoadAverage(input)
            _ = try? parseFileNR(input)
            _ = try? parseSingleNumber(input, file: "mtu")
        },
        FuzzTarget(name: "netlink") { bytes in
            // One RTM_NEWLINK dump reply as the kernel would send it (RouteNetlink.parse); the
            // first four bytes pick the sequence number the reply must carry.
            let sequence: UInt32 = bytes.count >= 4 ? bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } : 1
            var links: [NetlinkLink] = []
            bytes.dropFirst(min(4, bytes.count)).withUnsafeBytes { raw in
                _ = try? RouteNetlink.parse(raw, sequence: sequence, into: &links)
            }
        },
        FuzzTarget(name: "cgroup") { bytes in
            // The containers collector's cgroup files: /proc/<pid>/cgroup, keyed files, io.stat,
            // blkio and the container's net/dev.
            let input = text(bytes)
            _ = try? parseProcessCgroups(input)
            _ = try? parseCgroupKeyed(input, file: "memory.stat")
            _ = try? parseCgroupValue(input, file: "memory.max")
            _ = try? parseIOStat(input)
            let half = input.utf8.count / 2
            let split = input.utf8.index(input.utf8.startIndex, offsetBy: half)
            _ = try? parseBlkio(bytes: String(input[..<split]), operations: String(input[split...]))
            _ = try? parseContainerNetDev(input)
        },
    ]
}

/// Runs `body` on a ByteFields over the input, the way `String.withBytes` hands file text to the
/// scanners; parse errors are expected outcomes, not findings.
func withScanner(_ bytes: [UInt8], _ body: (inout ByteFields) throws(ParseError) -> Void) {
    let input = text(bytes)
    _ = try? input.withBytes { buffer throws(ParseError) in
        var scanner = ByteFields(buffer)
        try body(&scanner)
    }
}
