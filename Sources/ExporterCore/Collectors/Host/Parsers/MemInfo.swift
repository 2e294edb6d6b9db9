/// /proc/meminfo, see proc(5), named as node_exporter names it: `Active(anon)` becomes
/// `Active_anon`, and fields in kB become `<name>_bytes` in bytes.
struct MemInfoField: Equatable {
    var name: String
    var value: Double
}

func parseMemInfo(_ text: String) throws(ParseError) -> [MemInfoField] {
    var result: [MemInfoField] = []
    result.reserveCapacity(64)
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
        let f = ProcText.fields(line)
        // `Name: value [kB]`; a line without a value is malformed, not skipped (procfs' parser
        // indexes fields[1] unchecked here, STYLE.md).
        guard f.count >= 2, f.count <= 3, let rawKey = f.first, rawKey.last == ":", rawKey.count > 1,
              var value = ProcText.number(f[1])
        else { throw ParseError(file: "meminfo", line: lineNumber, text: line) }
        var name = String(rawKey.dropLast())
        if let open = name.firstIndex(of: "("), name.last == ")" {
            name = String(name[..<open]) + "_" + name[name.index(after: open)..<name.index(before: name.endIndex)]
        }
        if f.count == 3 {
            guard f[2] == "kB" else { throw ParseError(file: "meminfo", line: lineNumber, text: line) }
            value *= 1024
            name += "_bytes"
        }
        result.append(MemInfoField(name: name, value: value))
    }
    return result
}
