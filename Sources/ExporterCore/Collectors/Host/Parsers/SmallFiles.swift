/// /proc/sys/fs/file-nr, see proc(5): allocated, free (always 0 since 2.6) and maximum handles.
func parseFileNR(_ text: String) throws(ParseError) -> (allocated: Double, maximum: Double) {
    let f = ProcText.fields(Substring(text))
    guard f.count >= 3, let allocated = ProcText.number(f[0]), let maximum = ProcText.number(ProcText.trimmed(String(f[2])))
    else { throw ParseError(file: "sys/fs/file-nr", line: 1, text: text) }
    return (allocated, maximum)
}

/// A single-number sysfs or procfs file (`entropy_avail`, `nf_conntrack_count`, `mtu`…).
func parseSingleNumber(_ text: String, file: String) throws(ParseError) -> Double {
    guard let value = ProcText.number(ProcText.trimmed(text)) else { throw ParseError(file: file, line: 1, text: text) }
    return value
}

/// The header's field names and the per-CPU sums of /proc/net/stat/nf_conntrack, as byte ranges.
func scanConntrackStat(_ scanner: inout ByteFields) throws(ParseError) -> [(name: Range<Int>, sum: Double)] {
    var names: [Range<Int>] = []
    names.reserveCapacity(20)
    guard scanner.nextLine(into: &names), !names.isEmpty else {
        throw ParseError(file: "net/stat/nf_conntrack", line: 1, text: scanner.text(0..<min(scanner.bytes.count, 64)))
    }
    var sums = [Double](repeating: 0, count: names.count)
    var fields: [Range<Int>] = []
    fields.reserveCapacity(names.count)
    while scanner.nextLine(into: &fields) {
        if fields.isEmpty { continue }
        guard fields.count == names.count else {
            throw ParseError(file: "net/stat/nf_conntrack", line: scanner.lineNumber, text: scanner.line(around: fields[0]))
        }
        for k in 0..<fields.count {
            guard let v = scanner.hexNumber(fields[k]) else {
                throw ParseError(file: "net/stat/nf_conntrack", line: scanner.lineNumber, text: scanner.line(around: fields[k]))
            }
            sums[k] += Double(v)
        }
    }
    return Array(zip(names, sums))
}

/// os-release(5): `KEY=value` with shell-style quoting; comments and blank lines skipped.
func parseOSRelease(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in ProcText.lines(text) {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard !trimmed.hasPrefix("#"), let eq = trimmed.firstIndex(of: "=") else { continue }
        let key = String(trimmed[..<eq])
        var value = Substring(trimmed[trimmed.index(after: eq)...])
        while let last = value.last, last == " " || last == "\t" || last == "\r" { value.removeLast() }
        if let q = value.first, q == "\"" || q == "'", value.count >= 2, value.last == q {
            value = value.dropFirst().dropLast()
            var unescaped = ""
            var escaping = false
            for c in value {
                if escaping || c != "\\" || q == "'" { unescaped.append(c); escaping = false } else { escaping = true }
            }
            result[key] = unescaped
        } else {
            result[key] = String(value)
        }
    }
    return result
}

/// node_os_version's value: the leading `major.minor` of VERSION_ID as a number (`22.04` → 22.04,
/// `12` → 12, `rolling` → none), as node_exporter does.
func osVersionNumber(_ versionID: String) -> Double? {
    var digits = Substring(versionID).prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
    let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count > 2 { digits = digits[..<(parts[1].endIndex)] }
    return Double(digits)
}
