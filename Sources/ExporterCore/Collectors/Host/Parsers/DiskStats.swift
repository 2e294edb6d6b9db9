/// One line of /proc/diskstats (Documentation/admin-guide/iostats.rst): major, minor, name and
/// 11 (kernel < 4.18), 15 (< 5.5) or 17 counters; later kernels may append more, which are ignored.
struct DiskStat: Equatable {
    var major: String
    var minor: String
    var name: String
    /// The counters in file order; at least 11.
    var values: [Double]
}

func parseDiskStats(_ text: String) throws(ParseError) -> [DiskStat] {
    var result: [DiskStat] = []
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        let f = ProcText.fields(line)
        if f.isEmpty { continue }
        guard f.count >= 14, UInt32(f[0]) != nil, UInt32(f[1]) != nil
        else { throw ParseError(file: "diskstats", line: lineNumber, text: line) }
        var values: [Double] = []
        values.reserveCapacity(17)
        for field in f[3..<min(f.count, 20)] {
            guard let v = ProcText.number(field) else { throw ParseError(file: "diskstats", line: lineNumber, text: line) }
            values.append(v)
        }
        result.append(DiskStat(major: String(f[0]), minor: String(f[1]), name: String(f[2]), values: values))
    }
    return result
}
