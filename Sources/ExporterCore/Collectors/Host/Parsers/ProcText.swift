/// Small helpers shared by the procfs/sysfs parsers: whitespace fields and lines without copying.
enum ProcText {
    // Splitting works on UTF-8 bytes: Character-based `split` runs grapheme breaking on every
    // byte, which made parsing /proc/net/netstat several times slower.

    /// Non-empty lines of a file (Substrings of `text`).
    @inline(__always)
    static func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Substring($0) }
    }

    /// Every line, empty ones included, so that line numbers in errors are right.
    @inline(__always)
    static func allLines(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// Fields separated by blanks (space or tab), as the kernel writes them.
    @inline(__always)
    static func fields(_ line: Substring) -> [Substring] {
        line.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { Substring($0) }
    }

    /// A sysfs attribute: its text without the trailing newline.
    @inline(__always)
    static func trimmed(_ text: String) -> Substring {
        var s = Substring(text)
        while let last = s.last, last == "\n" || last == " " || last == "\t" || last == "\0" { s.removeLast() }
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        return s
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
