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
    try text.withBytes { bytes throws(ParseError) -> [NetDevLine] in
        var result: [NetDevLine] = []
        var scanner = ByteFields(bytes)
        var f: [Range<Int>] = []
        f.reserveCapacity(20)
        while scanner.nextLine(into: &f) {
            guard let first = f.first else { continue }
            func fail() -> ParseError { ParseError(file: "net/dev", line: scanner.lineNumber, text: scanner.line(around: first)) }
            let line = first.lowerBound..<f[f.count - 1].upperBound
            if scanner.firstIndex(of: UInt8(ascii: "|"), in: line) != nil { continue }  // the two header lines
            // `name:` is the first field, or `name:123` when the counter is wide (no space left).
            guard let colon = scanner.firstIndex(of: UInt8(ascii: ":"), in: first), colon > first.lowerBound else { throw fail() }
            var counters = f.dropFirst()[...]
            let glued = (colon + 1)..<first.upperBound
            guard counters.count + (glued.isEmpty ? 0 : 1) >= 16 else { throw fail() }
            var values: [Double] = []
            values.reserveCapacity(16)
            if !glued.isEmpty {
                guard let v = scanner.number(glued) else { throw fail() }
                values.append(v)
            }
            while values.count < 16, let field = counters.popFirst() {
                guard let v = scanner.number(field) else { throw fail() }
                values.append(v)
            }
            result.append(NetDevLine(device: scanner.text(first.lowerBound..<colon), values: values))
        }
        return result
    }
}
