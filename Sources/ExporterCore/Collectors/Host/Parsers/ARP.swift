/// /proc/net/arp (net/ipv4/arp.c, arp_format_neigh_entry): `IP address  HW type  Flags  HW address
/// Mask  Device` under a header; the entries counted per device, as node_exporter does.
func parseARPEntries(_ text: String) -> ParsedRows<(device: String, entries: Double)> {
    var result = ParsedRows<(device: String, entries: Double)>()
    var order: [String] = []
    var counts: [String: Double] = [:]
    for (index, line) in ProcText.allLines(text).enumerated() where index > 0 && !line.isEmpty {
        let fields = ProcText.fields(line)
        guard fields.count >= 6 else {
            result.rejected.append(ParseError(file: "net/arp", line: index + 1, text: line))
            continue
        }
        let device = String(fields[5])
        if counts[device] == nil { order.append(device) }
        counts[device, default: 0] += 1
    }
    result.rows = order.map { ($0, counts[$0] ?? 0) }
    return result
}
