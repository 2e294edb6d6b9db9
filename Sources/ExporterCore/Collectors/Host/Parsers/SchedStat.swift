/// The `cpuN` lines of /proc/schedstat (Documentation/scheduler/sched-stats.rst, version 15):
/// nine numbers after the CPU, the last three being the time spent running and waiting on this
/// CPU (nanoseconds) and the number of timeslices run. `version`, `timestamp` and `domainN`
/// lines are skipped.
struct SchedStat: Equatable {
    var cpu: String
    var runningSeconds, waitingSeconds, timeslices: Double
}

func parseSchedStat(_ text: String) -> ParsedRows<SchedStat> {
    var result = ParsedRows<SchedStat>()
    for (index, line) in ProcText.allLines(text).enumerated() where line.hasPrefix("cpu") {
        let fields = ProcText.fields(line)
        let cpu = fields.first.map { $0.dropFirst(3) } ?? ""
        guard UInt32(cpu) != nil, fields.count >= 10,
              let running = UInt64(fields[7]), let waiting = UInt64(fields[8]), let slices = UInt64(fields[9])
        else {
            result.rejected.append(ParseError(file: "schedstat", line: index + 1, text: line))
            continue
        }
        result.rows.append(SchedStat(
            cpu: String(cpu), runningSeconds: Double(running) / 1e9, waitingSeconds: Double(waiting) / 1e9,
            timeslices: Double(slices)))
    }
    return result
}
