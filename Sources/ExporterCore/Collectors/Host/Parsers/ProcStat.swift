/// One `cpuN` line of /proc/stat, in seconds (proc(5): the kernel counts in USER_HZ ticks, which
/// is 100 on every Linux architecture node_exporter supports, and it divides by 100 too).
struct CPUTimes: Equatable {
    var cpu: String
    var user = 0.0, nice = 0.0, system = 0.0, idle = 0.0, iowait = 0.0
    var irq = 0.0, softirq = 0.0, steal = 0.0, guest = 0.0, guestNice = 0.0
}

/// /proc/stat, see proc(5). Fields that a kernel omits stay nil.
struct ProcStat: Equatable {
    var cpus: [CPUTimes] = []
    var bootTime: Double?
    var contextSwitches: Double?
    var forks: Double?
    var interrupts: Double?
    var procsRunning: Double?
    var procsBlocked: Double?
}

func parseProcStat(_ text: String, userHZ: Double = 100) throws(ParseError) -> ProcStat {
    // Bytes, not Substrings: the `intr` and `softirq` lines hold hundreds of numbers, and both the
    // cpu and the stat collector read this file every scrape.
    try text.withBytes { bytes throws(ParseError) -> ProcStat in
        var stat = ProcStat()
        var scanner = ByteFields(bytes)
        var f: [Range<Int>] = []
        f.reserveCapacity(64)
        while scanner.nextLine(into: &f) {
            guard let key = f.first else { continue }
            func fail() -> ParseError { ParseError(file: "stat", line: scanner.lineNumber, text: scanner.line(around: key)) }
            if key.count >= 3 && scanner.equals(key.lowerBound..<(key.lowerBound + 3), "cpu") {
                let id = (key.lowerBound + 3)..<key.upperBound
                if id.isEmpty { continue }  // the "cpu" total line
                guard scanner.isUnsignedInteger(id), f.count >= 5 else { throw fail() }
                var values = [Double](repeating: 0, count: 10)
                for i in 0..<min(10, f.count - 1) {
                    guard let v = scanner.number(f[i + 1]) else { throw fail() }
                    values[i] = v / userHZ
                }
                stat.cpus.append(CPUTimes(
                    cpu: scanner.text(id), user: values[0], nice: values[1], system: values[2], idle: values[3],
                    iowait: values[4], irq: values[5], softirq: values[6], steal: values[7], guest: values[8],
                    guestNice: values[9]))
                continue
            }
            guard f.count >= 2 else { continue }
            let value = scanner.number(f[1])
            if scanner.equals(key, "btime") { stat.bootTime = value }
            else if scanner.equals(key, "ctxt") { stat.contextSwitches = value }
            else if scanner.equals(key, "processes") { stat.forks = value }
            else if scanner.equals(key, "intr") { stat.interrupts = value }
            else if scanner.equals(key, "procs_running") { stat.procsRunning = value }
            else if scanner.equals(key, "procs_blocked") { stat.procsBlocked = value }
            else { continue }
            if value == nil { throw fail() }
        }
        return stat
    }
}
