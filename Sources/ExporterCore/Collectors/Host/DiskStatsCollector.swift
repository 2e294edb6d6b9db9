enum DiskStatsMetrics {
    static let labels = ["device"]
    /// /proc/diskstats counts sectors of 512 bytes whatever the device's sector size (iostats.rst).
    static let sectorSize = 512.0

    /// (descriptor, index into the counters, scale): iostats.rst field order; times are in ms.
    static let counters: [(FamilyDescriptor, Int, Double)] = [
        (counter("reads_completed_total", "The total number of reads completed successfully."), 0, 1),
        (counter("reads_merged_total", "The total number of reads merged."), 1, 1),
        (counter("read_bytes_total", "The total number of bytes read successfully.", unit: "bytes"), 2, sectorSize),
        (counter("read_time_seconds_total", "The total number of seconds spent by all reads.", unit: "seconds"), 3, 0.001),
        (counter("writes_completed_total", "The total number of writes completed successfully."), 4, 1),
        (counter("writes_merged_total", "The number of writes merged."), 5, 1),
        (counter("written_bytes_total", "The total number of bytes written successfully.", unit: "bytes"), 6, sectorSize),
        (counter("write_time_seconds_total", "This is the total number of seconds spent by all writes.", unit: "seconds"), 7, 0.001),
        (FamilyDescriptor(name: "node_disk_io_now", type: .gauge, help: "The number of I/Os currently in progress.", labels: labels), 8, 1),
        (counter("io_time_seconds_total", "Total seconds spent doing I/Os.", unit: "seconds"), 9, 0.001),
        (counter("io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", unit: "seconds"), 10, 0.001),
        (counter("discards_completed_total", "The total number of discards completed successfully."), 11, 1),
        (counter("discards_merged_total", "The total number of discards merged."), 12, 1),
        (counter("discarded_sectors_total", "The total number of sectors discarded successfully."), 13, 1),
        (counter("discard_time_seconds_total", "This is the total number of seconds spent by all discards.", unit: "seconds"), 14, 0.001),
        (counter("flush_requests_total", "The total number of flush requests completed successfully"), 15, 1),
        (counter("flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", unit: "seconds"), 16, 0.001),
    ]

    static let info = FamilyDescriptor(
        name: "node_disk_info", type: .gauge, help: "Info of /sys/block/<block_device>.",
        labels: ["device", "major", "minor", "path", "wwn", "model", "serial", "revision"])

    private static func counter(_ name: String, _ help: String, unit: String = "") -> FamilyDescriptor {
        FamilyDescriptor(name: "node_disk_" + name, type: .counter, help: help, unit: unit, labels: labels)
    }

    // node_exporter v1.12.1 default: partitions, RAM disks, zram and loop devices.
    static let defaultDeviceExclude = "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"

    static let deviceExclude = Flag.string(
        "collector.diskstats.device-exclude", default: defaultDeviceExclude, help: "Regexp of diskstats devices to exclude.",
        group: "Host", placeholder: "<regex>")
    static let udevData = Flag.string(
        "path.udev.data", default: "/run/udev/data", help: "udev data path (disk model, serial, WWN for node_disk_info).",
        group: "Host", placeholder: "<path>")
    static let flags: [FlagSpec] = [deviceExclude.spec, udevData.spec]
}

/// udev's database entry for a block device (`/run/udev/data/b<major>:<minor>`): `E:KEY=value` lines.
func parseUdevProperties(_ text: String) -> [Substring: Substring] {
    var result: [Substring: Substring] = [:]
    for line in ProcText.lines(text) where line.hasPrefix("E:") {
        guard let eq = line.firstIndex(of: "=") else { continue }
        result[line[line.index(line.startIndex, offsetBy: 2)..<eq]] = line[line.index(after: eq)...]
    }
    return result
}

/// `node_disk_*` from /proc/diskstats, whole devices only by default.
struct DiskStatsCollector: ProcFSCollector {
    let proc: ProcFS
    let udevData: String
    let deviceExclude: NamePattern

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let disks = try parseDiskStats(proc.read("diskstats")) { !deviceExclude.matches($0) }
        var families = DiskStatsMetrics.counters.map { MetricFamily($0.0) }
        var info = MetricFamily(DiskStatsMetrics.info)
        for disk in disks {
            let labels = [disk.name]
            for (k, (_, index, scale)) in DiskStatsMetrics.counters.enumerated() where index < disk.values.count {
                families[k].add(labels, disk.values[index] * scale)
            }
            let udev = FileReader.readTextIfPresent(udevData + "/b" + disk.major + ":" + disk.minor).map(parseUdevProperties) ?? [:]
            func property(_ key: Substring) -> String { udev[key].map { String($0) } ?? "" }
            info.add([disk.name, disk.major, disk.minor, property("ID_PATH"), property("ID_WWN"), property("ID_MODEL"),
                      property("ID_SERIAL_SHORT"), property("ID_REVISION")], 1)
        }
        families.append(info)
        return families
    }
}
