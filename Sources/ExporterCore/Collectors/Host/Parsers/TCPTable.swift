/// Sockets per state and the summed queues of /proc/net/tcp or tcp6 (net/ipv4/tcp_ipv4.c,
/// get_tcp4_sock): under a header, the fourth field is the state (hex, include/net/tcp_states.h)
/// and the fifth `tx_queue:rx_queue` (hex). For a listening socket rx_queue is its accept backlog
/// and tx_queue 0.
struct TCPTable: Equatable {
    /// Counts indexed by the kernel's state number (1 = ESTABLISHED … 11 = CLOSING).
    var states = [Double](repeating: 0, count: 12)
    var txQueued = 0.0, rxQueued = 0.0
}

func parseTCPTable(_ text: String, file: String, into table: inout TCPTable) -> [ParseError] {
    var rejected: [ParseError] = []
    for (index, line) in ProcText.allLines(text).enumerated() where index > 0 && !line.isEmpty {
        let fields = ProcText.fields(line)
        guard fields.count > 4, let state = Int(fields[3], radix: 16), state >= 1, state < table.states.count,
              let colon = fields[4].firstIndex(of: ":"),
              let tx = UInt64(fields[4][..<colon], radix: 16),
              let rx = UInt64(fields[4][fields[4].index(after: colon)...], radix: 16)
        else {
            rejected.append(ParseError(file: file, line: index + 1, text: line))
            continue
        }
        table.states[state] += 1
        table.txQueued += Double(tx)
        table.rxQueued += Double(rx)
    }
    return rejected
}
