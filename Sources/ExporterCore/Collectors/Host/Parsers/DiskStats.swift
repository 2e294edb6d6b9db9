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
    try parseDiskStats(text) { _ in true }
}

/// The lines whose device name `keep` accepts; the counters of the others are not parsed (by
/// default partitions, loop and ram devices are most lines and are excluded). Every line's shape
/// is still checked.
func parseDiskStats(_ text: String, keep: (String) -> Bool) throws(ParseError) -> [DiskStat] {
    try text.withBytes { bytes throws(ParseError) -> [DiskStat] in
        var scanner = ByteFields(bytes)
        var fields: [Range<Int>] = []
        fields.reserveCapacity(24)
        var result: [DiskStat] = []
        while scanner.nextLine(into: &fields) {
            if fields.isEmpty { continue }
            guard fields.count >= 14, scanner.isUnsignedInteger(fields[0]), scanner.isUnsignedInteger(fields[1]) else {
                throw ParseError(file: "diskstats", line: scanner.lineNumber, text: scanner.line(around: fields[0]))
            }
            let name = scanner.text(fields[2])
            guard keep(name) else { continue }
            var values: [Double] = []
            values.reserveCapacity(17)
            for field in fields[3..<min(fields.count, 20)] {
                guard let value = scanner.number(field) else {
                    throw ParseError(file: "diskstats", line: scanner.lineNumber, text: scanner.line(around: field))
                }
                values.append(value)
            }
            result.append(DiskStat(major: scanner.text(fields[0]), minor: scanner.text(fields[1]), name: name, values: values))
        }
        return result
    }
}
