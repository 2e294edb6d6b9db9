/// The fields of /proc/self/stat the `process_*` metrics need (proc(5), fields 14, 15, 22–24).
struct ProcessStat: Equatable {
    var userTicks: Double
    var systemTicks: Double
    var startTicks: Double
    var virtualBytes: Double
    var residentPages: Double
}

/// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses, so fields
/// are counted from the last `)`.
func parseProcessStat(_ text: String) throws(ParseError) -> ProcessStat {
    try text.withBytes { bytes throws(ParseError) -> ProcessStat in
        // The command name (field 2) is in parentheses and may contain blanks and ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { throw ParseError(file: "stat", line: 1, text: text) }
        var scanner = ByteFields(UnsafeBufferPointer(rebasing: bytes[(close + 1)...]))
        var fields: [Range<Int>] = []
        fields.reserveCapacity(52)
        _ = scanner.nextLine(into: &fields)
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count >= 22,
              let utime = scanner.number(fields[11]), let stime = scanner.number(fields[12]),
              let start = scanner.number(fields[19]), let vsize = scanner.number(fields[20]),
              let rss = scanner.number(fields[21])
        else { throw ParseError(file: "stat", line: 1, text: text) }
        return ProcessStat(userTicks: utime, systemTicks: stime, startTicks: start, virtualBytes: vsize, residentPages: rss)
    }
}

/// `btime` from /proc/stat: boot time in Unix seconds.
func parseBootTime(_ text: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
        return Double(line.dropFirst(6).trimmingSpacesAndTabs)
    }
    return nil
}

/// The standard `process_*` metrics of client libraries, for the exporter itself.
struct ProcessMetricsReader: Sendable {
    let ticksPerSecond = ProcessSetup.clockTicksPerSecond()
    let pageSize = Double(ProcessSetup.pageSize())
    let bootTime: Double?

    init() {
        bootTime = (try? FileReader.readText("/proc/stat")).flatMap(parseBootTime)
    }

    static let cpu = FamilyDescriptor(name: "process_cpu_seconds_total", type: .counter, help: "Total user and system CPU time spent in seconds.", unit: "seconds")
    static let resident = FamilyDescriptor(name: "process_resident_memory_bytes", type: .gauge, help: "Resident memory size in bytes.", unit: "bytes")
    static let virtual = FamilyDescriptor(name: "process_virtual_memory_bytes", type: .gauge, help: "Virtual memory size in bytes.", unit: "bytes")
    static let virtualMax = FamilyDescriptor(name: "process_virtual_memory_max_bytes", type: .gauge, help: "Maximum amount of virtual memory available in bytes.", unit: "bytes")
    static let startTime = FamilyDescriptor(name: "process_start_time_seconds", type: .gauge, help: "Start time of the process since unix epoch in seconds.", unit: "seconds")
    static let openFDs = FamilyDescriptor(name: "process_open_fds", type: .gauge, help: "Number of open file descriptors.")
    static let maxFDs = FamilyDescriptor(name: "process_max_fds", type: .gauge, help: "Maximum number of open file descriptors.")

    func families() -> [MetricFamily] {
        var families: [MetricFamily] = []
        if let stat = try? parseProcessStat(FileReader.readText("/proc/self/stat")) {
            families.append(MetricFamily(Self.cpu, value: (stat.userTicks + stat.systemTicks) / ticksPerSecond))
            families.append(MetricFamily(Self.resident, value: stat.residentPages * pageSize))
            families.append(MetricFamily(Self.virtual, value: stat.virtualBytes))
            families.append(MetricFamily(Self.virtualMax, value: ProcessSetup.addressSpaceLimit()))
            if let bootTime {
                families.append(MetricFamily(Self.startTime, value: bootTime + stat.startTicks / ticksPerSecond))
            }
        }
        if let open = FileReader.countOpenDescriptors("/proc/self/fd") {
            families.append(MetricFamily(Self.openFDs, value: Double(open)))
        }
        families.append(MetricFamily(Self.maxFDs, value: Double(ProcessSetup.openFileLimit())))
        return families
    }
}
