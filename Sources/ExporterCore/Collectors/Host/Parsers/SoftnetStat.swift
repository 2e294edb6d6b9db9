/// /proc/net/softnet_stat, one line per online CPU (net/core/net-procfs.c, softnet_seq_show): hex
/// columns processed, dropped, time_squeeze, five zeros, cpu_collision, received_rps,
/// flow_limit_count, backlog length and (kernel ≥ 5.10) the CPU's number. Older kernels print
/// fewer columns; the CPU is then the line's position, as procfs does.
struct SoftnetStat: Equatable {
    var cpu: String
    var processed, dropped, timeSqueezed: Double
    var cpuCollision, receivedRPS, flowLimitCount, backlogLength: Double?
}

/// On bytes (`ByteFields`): the file is read every scrape, and Substring fields with a generic
/// radix conversion cost twice the instructions.
func parseSoftnetStat(_ text: String) -> ParsedRows<SoftnetStat> {
    let parsed: ParsedRows<SoftnetStat>? = try? text.withBytes { bytes in
        var result = ParsedRows<SoftnetStat>()
        var scanner = ByteFields(bytes)
        var fields: [Range<Int>] = []
        fields.reserveCapacity(16)
        var values: [UInt64] = []
        values.reserveCapacity(16)
        while scanner.nextLine(into: &fields) {
            guard let first = fields.first else { continue }
            values.removeAll(keepingCapacity: true)
            for field in fields {
                guard let value = scanner.hexNumber(field) else { break }
                values.append(value)
            }
            guard values.count == fields.count, values.count >= 3 else {
                result.rejected.append(ParseError(file: "net/softnet_stat", line: scanner.lineNumber, text: scanner.line(around: first)))
                continue
            }
            func column(_ k: Int) -> Double? { k < values.count ? Double(values[k]) : nil }
            let cpu = values.count >= 13 ? String(values[12]) : String(scanner.lineNumber - 1)
            result.rows.append(SoftnetStat(
                cpu: cpu, processed: Double(values[0]), dropped: Double(values[1]), timeSqueezed: Double(values[2]),
                cpuCollision: column(8), receivedRPS: column(9), flowLimitCount: column(10),
                backlogLength: values.count >= 13 ? column(11) : nil))
        }
        return result
    }
    return parsed ?? ParsedRows()
}
