/// Small helpers shared by the procfs/sysfs parsers: whitespace fields and lines without copying.
enum ProcText {
    // Splitting works on UTF-8 bytes: Character-based `split` runs grapheme breaking on every
    // byte, which made parsing /proc/net/netstat several times slower.

    // These run over every line of every file on every scrape, so they walk the UTF-8 view once
    // and build the result directly (the generic split plus a map built two arrays).

    /// Non-empty lines of a file (Substrings of `text`).
    static func lines(_ text: String) -> [Substring] {
        split(Substring(text), omittingEmpty: true) { $0 == 0x0A }
    }

    /// Every line, empty ones included, so that line numbers in errors are right.
    static func allLines(_ text: String) -> [Substring] {
        split(Substring(text), omittingEmpty: false) { $0 == 0x0A }
    }

    /// Fields separated by blanks (space or tab), as the kernel writes them.
    static func fields(_ line: Substring) -> [Substring] {
        split(line, omittingEmpty: true) { $0 == 0x20 || $0 == 0x09 }
    }

    @inline(__always)
    private static func split(_ text: Substring, omittingEmpty: Bool, isSeparator: (UInt8) -> Bool) -> [Substring] {
        var parts: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if isSeparator(utf8[index]) {
                if !omittingEmpty || index != start { parts.append(Substring(utf8[start..<index])) }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        // Like the stdlib's split: without omitting, the piece after the last separator is kept
        // even when empty ("a\n" gives "a" and "").
        if !omittingEmpty || start != utf8.endIndex { parts.append(Substring(utf8[start..<utf8.endIndex])) }
        return parts
    }

    /// A sysfs attribute: its text without the trailing newline (and surrounding blanks). On
    /// bytes: Character-wise trimming ran grapheme breaking on every attribute of every scrape.
    @inline(__always)
    static func trimmed(_ text: String) -> Substring {
        let utf8 = text.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start != end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end != start {
            let last = utf8[utf8.index(before: end)]
            guard last == 0x0A || last == 0x20 || last == 0x09 || last == 0x00 else { break }
            end = utf8.index(before: end)
        }
        return Substring(utf8[start..<end])
    }

    /// A decimal number the way procfs prints it (integers, or `-1`); Double so that 64-bit
    /// counters keep the value Prometheus will store anyway.
    @inline(__always)
    static func number(_ field: Substring) -> Double? {
        if let n = UInt64(field) { return Double(n) }
        if let n = Int64(field) { return Double(n) }
        return Double(field)
    }
}
