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
    var stat = ProcStat()
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        guard let first = line.first else { continue }
        if first == "c" && line.hasPrefix("cpu") {
            let f = ProcText.fields(line)
            guard let name = f.first else { continue }
            let id = name.dropFirst(3)
            if id.isEmpty { continue }  // the "cpu" total line
            guard UInt32(id) != nil, f.count >= 5 else { throw ParseError(file: "stat", line: lineNumber, text: line) }
            var values = [Double](repeating: 0, count: 10)
            for i in 0..<min(10, f.count - 1) {
                guard let v = ProcText.number(f[i + 1]) else { throw ParseError(file: "stat", line: lineNumber, text: line) }
                values[i] = v / userHZ
            }
            stat.cpus.append(CPUTimes(
                cpu: String(id), user: values[0], nice: values[1], system: values[2], idle: values[3],
                iowait: values[4], irq: values[5], softirq: values[6], steal: values[7], guest: values[8],
                guestNice: values[9]))
            continue
        }
        let f = ProcText.fields(line)
        guard f.count >= 2, let key = f.first else { continue }
        let value = ProcText.number(f[1])
        switch key {
        case "btime": stat.bootTime = value
        case "ctxt": stat.contextSwitches = value
        case "processes": stat.forks = value
        case "intr": stat.interrupts = value
        case "procs_running": stat.procsRunning = value
        case "procs_blocked": stat.procsBlocked = value
        default: continue
        }
        if value == nil { throw ParseError(file: "stat", line: lineNumber, text: line) }
    }
    return stat
}
