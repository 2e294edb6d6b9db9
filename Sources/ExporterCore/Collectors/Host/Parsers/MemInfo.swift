/// /proc/meminfo, see proc(5), named as node_exporter names it: `Active(anon)` becomes
/// `Active_anon`, and fields in kB become `<name>_bytes` in bytes.
struct MemInfoField: Equatable {
    var name: String
    var value: Double
}

/// The lines of /proc/meminfo as `Name: value [kB]` (the name without its colon, values in bytes
/// for kB fields), and in `key` the names and units of all lines for a `LineLayoutCache`. A line
/// without a value is malformed, not skipped (prometheus/procfs' meminfo.go indexes fields[1] before counting them, and an empty line crashes it).
func scanMemInfo(_ scanner: inout ByteFields, key: inout [UInt8]) throws(ParseError) -> [(name: Range<Int>, kB: Bool, value: Double)] {
    var fields: [Range<Int>] = []
    fields.reserveCapacity(4)
    key.reserveCapacity(scanner.bytes.count)
    var lines: [(name: Range<Int>, kB: Bool, value: Double)] = []
    lines.reserveCapacity(64)
    while scanner.nextLine(into: &fields) {
        if fields.isEmpty { continue }
        let kB = fields.count == 3
        guard fields.count >= 2, fields.count <= 3, scanner.lastByte(fields[0]) == UInt8(ascii: ":"), fields[0].count > 1,
              let value = scanner.number(fields[1]), !kB || scanner.equals(fields[2], "kB")
        else { throw ParseError(file: "meminfo", line: scanner.lineNumber, text: scanner.line(around: fields[0])) }
        key.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[fields[0]]))
        key.append(kB ? 0x01 : 0x00)
        lines.append((fields[0].lowerBound..<(fields[0].upperBound - 1), kB, kB ? value * 1024 : value))
    }
    return lines
}

enum MemInfoNames {
    /// `Active(anon)` → `Active_anon`; kB fields get `_bytes`.
    static func name(_ field: String, kB: Bool) -> String {
        var name = field
        if let open = name.firstIndex(of: "("), name.last == ")" {
            name = String(name[..<open]) + "_" + name[name.index(after: open)..<name.index(before: name.endIndex)]
        }
        return kB ? name + "_bytes" : name
    }
}
