/// One line of /proc/<pid>/mounts, see proc(5) and getmntent(3). Device and mount point stay
/// bytes: the kernel escapes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`,
/// but passes other bytes through, so a mount point need not be UTF-8.
struct MountEntry: Equatable {
    var device: [UInt8]
    var mountPoint: [UInt8]
    var fsType: String
    var options: String

    var isReadOnly: Bool { options.split(separator: ",").contains("ro") }
}

func parseMounts(_ bytes: [UInt8]) throws(ParseError) -> [MountEntry] {
    var entries: [MountEntry] = []
    var lineNumber = 0
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        lineNumber += 1
        if line.isEmpty { continue }
        let f = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard f.count >= 4 else {
            throw ParseError(file: "mounts", line: lineNumber, text: String(decoding: line, as: UTF8.self))
        }
        entries.append(MountEntry(
            device: unescapeOctal(f[0]), mountPoint: unescapeOctal(f[1]),
            fsType: String(decoding: unescapeOctal(f[2]), as: UTF8.self),
            options: String(decoding: f[3], as: UTF8.self)))
    }
    return entries
}

/// Undoes the kernel's `\ooo` escapes (fs/proc_namespace.c mangle()); anything else is kept.
func unescapeOctal(_ field: ArraySlice<UInt8>) -> [UInt8] {
    guard field.contains(UInt8(ascii: "\\")) else { return Array(field) }
    var out: [UInt8] = []
    out.reserveCapacity(field.count)
    var i = field.startIndex
    while i < field.endIndex {
        let b = field[i]
        if b == UInt8(ascii: "\\"), field.endIndex - i >= 4 {
            let d = field[(i + 1)...(i + 3)]
            if d.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                let value = d.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                if value <= 255 {
                    out.append(UInt8(value))
                    i += 4
                    continue
                }
            }
        }
        out.append(b)
        i += 1
    }
    return out
}
