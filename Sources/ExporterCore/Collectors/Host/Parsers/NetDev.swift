/// /proc/net/dev, see proc(5): two header lines, then `name: 8 receive and 8 transmit counters`.
struct NetDevLine: Equatable {
    var device: String
    /// receive bytes, packets, errs, drop, fifo, frame, compressed, multicast, then transmit bytes,
    /// packets, errs, drop, fifo, colls, carrier, compressed.
    var values: [Double]
}

enum NetDevFields {
    static let receive = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    static let transmit = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]
}

func parseNetDev(_ text: String) throws(ParseError) -> [NetDevLine] {
    var result: [NetDevLine] = []
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        if line.contains("|") { continue }  // the two header lines
        guard let colon = line.firstIndex(of: ":") else {
            if line.allSatisfy({ $0 == " " }) { continue }
            throw ParseError(file: "net/dev", line: lineNumber, text: line)
        }
        let name = line[..<colon].drop(while: { $0 == " " })
        let f = ProcText.fields(line[line.index(after: colon)...])
        guard !name.isEmpty, f.count >= 16 else { throw ParseError(file: "net/dev", line: lineNumber, text: line) }
        var values: [Double] = []
        values.reserveCapacity(16)
        for field in f[0..<16] {
            guard let v = ProcText.number(field) else { throw ParseError(file: "net/dev", line: lineNumber, text: line) }
            values.append(v)
        }
        result.append(NetDevLine(device: String(name), values: values))
    }
    return result
}
