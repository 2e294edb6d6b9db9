/// The summed send and receive queues (bytes) of /proc/net/udp or udp6 (net/ipv4/udp.c,
/// udp4_format_sock): the fifth field is `tx_queue:rx_queue` in hex. The header line is skipped.
func parseUDPQueues(_ text: String, file: String) -> (tx: Double, rx: Double, rejected: [ParseError]) {
    var tx: UInt64 = 0, rx: UInt64 = 0
    var rejected: [ParseError] = []
    for (index, line) in ProcText.allLines(text).enumerated() where index > 0 && !line.isEmpty {
        let fields = ProcText.fields(line)
        guard fields.count > 4, let colon = fields[4].firstIndex(of: ":"),
              let t = UInt64(fields[4][..<colon], radix: 16),
              let r = UInt64(fields[4][fields[4].index(after: colon)...], radix: 16)
        else {
            rejected.append(ParseError(file: file, line: index + 1, text: line))
            continue
        }
        tx &+= t
        rx &+= r
    }
    return (Double(tx), Double(rx), rejected)
}
