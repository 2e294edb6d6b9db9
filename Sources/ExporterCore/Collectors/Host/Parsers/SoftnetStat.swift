/// /proc/net/softnet_stat, one line per online CPU (net/core/net-procfs.c, softnet_seq_show): hex
/// columns processed, dropped, time_squeeze, five zeros, cpu_collision, received_rps,
/// flow_limit_count, backlog length and (kernel ≥ 5.10) the CPU's number. Older kernels print
/// fewer columns; the CPU is then the line's position, as procfs does.
struct SoftnetStat: Equatable {
    var cpu: String
    var processed, dropped, timeSqueezed: Double
    var cpuCollision, receivedRPS, flowLimitCount, backlogLength: Double?
}

func parseSoftnetStat(_ text: String) -> ParsedRows<SoftnetStat> {
    var result = ParsedRows<SoftnetStat>()
    for (index, line) in ProcText.allLines(text).enumerated() where !line.isEmpty {
        let fields = ProcText.fields(line)
        let values = fields.map { UInt64($0, radix: 16) }
        guard values.count >= 3, !values.contains(nil) else {
            result.rejected.append(ParseError(file: "net/softnet_stat", line: index + 1, text: line))
            continue
        }
        func column(_ k: Int) -> Double? { k < values.count ? values[k].map { Double($0) } : nil }
        let cpu = values.count >= 13 ? values[12].map { String($0) } ?? String(index) : String(index)
        result.rows.append(SoftnetStat(
            cpu: cpu, processed: column(0) ?? 0, dropped: column(1) ?? 0, timeSqueezed: column(2) ?? 0,
            cpuCollision: column(8), receivedRPS: column(9), flowLimitCount: column(10),
            backlogLength: values.count >= 13 ? column(11) : nil))
    }
    return result
}
