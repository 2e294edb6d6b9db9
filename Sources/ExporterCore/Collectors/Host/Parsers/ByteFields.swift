/// Blank-separated fields of procfs text as byte ranges, for the files whose every line is read on
/// every scrape (meminfo, vmstat, snmp6, netstat): no Substring, String or array per line, where
/// `ProcText.fields` builds all three. Profiles (callgrind) showed those allocations as the largest
/// part of a host scrape's user time.
struct ByteFields {
    let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// 1-based number of the line last returned (for errors).
    private(set) var lineNumber = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The fields of the next line into `fields` (emptied first; blank lines give none); false at
    /// the end of the text.
    mutating func nextLine(into fields: inout [Range<Int>]) -> Bool {
        fields.removeAll(keepingCapacity: true)
        guard position < bytes.count else { return false }
        lineNumber += 1
        var start = -1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x0A { break }
            if byte == 0x20 || byte == 0x09 {
                if start >= 0 { fields.append(start..<position); start = -1 }
            } else if start < 0 {
                start = position
            }
            position += 1
        }
        if start >= 0 { fields.append(start..<position) }
        position += 1  // past the newline
        return true
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The line containing `range`, for error messages.
    func line(around range: Range<Int>) -> Substring {
        var start = range.lowerBound, end = range.upperBound
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        return Substring(text(start..<end))
    }

    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for i in 0..<range.count where bytes[range.lowerBound + i] != other[i] { return false }
        return true
    }

    func hasPrefix(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count >= literal.utf8CodeUnitCount
            && equals(range.lowerBound..<(range.lowerBound + literal.utf8CodeUnitCount), literal)
    }

    func equals(_ range: Range<Int>, _ string: String) -> Bool {
        string.utf8.count == range.count && string.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// The 1-based line number of the line holding `range` (error paths only: it counts newlines).
    func lineNumber(at range: Range<Int>) -> Int {
        var lines = 1
        for index in 0..<min(range.lowerBound, bytes.count) where bytes[index] == 0x0A { lines += 1 }
        return lines
    }

    /// The two ranges hold the same bytes.
    func same(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && UnsafeBufferPointer(rebasing: bytes[a]).elementsEqual(UnsafeBufferPointer(rebasing: bytes[b]))
    }

    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        range.first { bytes[$0] == byte }
    }

    /// Only decimal digits, and few enough for a UInt32 (a CPU number).
    func isUnsignedInteger(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 9 else { return false }
        return range.allSatisfy { bytes[$0] &- UInt8(ascii: "0") <= 9 }
    }

    /// An unsigned hexadecimal number of at most 16 digits (no prefix), or nil.
    func hexNumber(_ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 16 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    func lastByte(_ range: Range<Int>) -> UInt8? { range.isEmpty ? nil : bytes[range.upperBound - 1] }

    /// A number as procfs prints it. Plain decimal integers (nearly all of them) are read here;
    /// anything else goes through `ProcText.number`, so both accept exactly the same texts.
    func number(_ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound && bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        let digits = range.upperBound - index
        if digits > 0 && digits <= 18 {
            var value: UInt64 = 0
            var plain = true
            while index < range.upperBound {
                let digit = bytes[index] &- UInt8(ascii: "0")
                if digit > 9 { plain = false; break }
                value = value &* 10 &+ UInt64(digit)
                index += 1
            }
            if plain { return negative ? -Double(value) : Double(value) }
            if let decimal = Self.decimal(bytes, index, range.upperBound, integerPart: value) {
                return negative ? -decimal : decimal
            }
        }
        return ProcText.number(Substring(text(range)))
    }

    /// `digits.digits` with at most 15 digits in all, from the '.' at `dot`: the digits as an
    /// integer divided by an exact power of ten, which IEEE division rounds correctly, so the
    /// result is the same double strtod gives. Nil for anything else (the slow path decides).
    private static let powersOfTen: [Double] = (0...15).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ dot: Int, _ end: Int, integerPart: UInt64) -> Double? {
        guard dot < end, bytes[dot] == UInt8(ascii: "."), end - dot > 1 else { return nil }
        var value = integerPart
        var digits = 0
        var scan = integerPart
        while scan > 0 { digits += 1; scan /= 10 }
        var index = dot + 1
        let fraction = end - index
        guard digits + fraction <= 15 else { return nil }
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            if digit > 9 { return nil }
            value = value &* 10 &+ UInt64(digit)
            index += 1
        }
        return Double(value) / powersOfTen[fraction]
    }
}

/// Descriptors for the lines of a file whose names rarely change (meminfo, vmstat, snmp6,
/// netstat), keyed by the names of all lines at once: a scrape compares one byte string with the
/// last instead of building, matching and describing every name. Rebuilt whenever the names differ
/// (a kernel upgrade, a module loaded).
typealias LineLayoutCache = LastResult<[UInt8], [FamilyDescriptor?]>

extension String {
    /// Runs `body` on the UTF-8 bytes, copying only if the string is not contiguous already
    /// (file contents read by FileReader always are).
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(ParseError) -> R) throws(ParseError) -> R {
        var copy = self
        let result: Result<R, ParseError> = copy.withUTF8 { buffer in
            do throws(ParseError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
