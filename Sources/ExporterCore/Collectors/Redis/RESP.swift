/// The Redis serialization protocol (https://redis.io/docs/reference/protocol-spec/): commands are
/// encoded as arrays of bulk strings, replies decoded from bytes, so the codec is tested on bytes
/// and the client only accumulates. RESP3 types are decoded too, though the client speaks RESP2
/// (a proxy or a future HELLO may answer with them).
enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int64)
    /// nil for the null bulk string (`$-1`) and RESP3's `_`.
    case bulk([UInt8]?)
    /// nil for the null array (`*-1`). RESP3 sets, pushes and maps (flattened key, value, …) too.
    case array([RESPValue]?)
    case double(Double)
    case boolean(Bool)

    /// A simple or bulk string as text (invalid UTF-8 repaired), nil for anything else.
    var text: String? {
        switch self {
        case .simple(let text): text
        case .bulk(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var elements: [RESPValue]? {
        if case .array(let items?) = self { return items }
        return nil
    }

    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

/// Why a reply could not be decoded: the server is not speaking RESP, or exceeds a bound.
struct RESPError: Error, Equatable, Sendable, CustomStringConvertible {
    let reason: String
    let offset: Int

    var description: String { "not a RESP reply at byte \(offset): \(reason)" }
}

enum RESP {
    /// A command as a RESP array of bulk strings (what redis-cli sends).
    static func command(_ arguments: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        out.append(UInt8(ascii: "*"))
        out.append(contentsOf: String(arguments.count).utf8)
        out.append(contentsOf: [13, 10])
        for argument in arguments {
            out.append(UInt8(ascii: "$"))
            out.append(contentsOf: String(argument.utf8.count).utf8)
            out.append(contentsOf: [13, 10])
            out.append(contentsOf: argument.utf8)
            out.append(contentsOf: [13, 10])
        }
        return out
    }
}

/// Decodes replies from a byte buffer. `decode` returns nil while the reply is incomplete, so the
/// caller appends what it reads and calls again. Every length is bounded before it allocates: a
/// garbage-speaking peer costs at most `maxBulk` bytes and `maxElements` values.
struct RESPDecoder: Sendable {
    /// Largest bulk string (an `INFO ALL` of a big server is some tens of KB).
    var maxBulk = 4 << 20
    /// Largest total number of elements in one reply (LATENCY LATEST, CONFIG GET).
    var maxElements = 100_000
    var maxDepth = 8
    /// Longest line of a simple string, error or number.
    var maxLine = 64 * 1024

    /// The reply starting at `start` and the offset after it; nil while more bytes are needed.
    func decode(_ bytes: [UInt8], from start: Int = 0) throws(RESPError) -> (value: RESPValue, next: Int)? {
        var budget = maxElements
        return try value(bytes, at: start, depth: 0, budget: &budget)
    }

    private func value(_ bytes: [UInt8], at start: Int, depth: Int, budget: inout Int) throws(RESPError) -> (value: RESPValue, next: Int)? {
        guard start < bytes.count else { return nil }
        guard depth <= maxDepth else { throw RESPError(reason: "nested deeper than \(maxDepth)", offset: start) }
        guard let (line, next) = try self.line(bytes, from: start + 1) else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "+"): return (.simple(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: "-"): return (.error(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: ":"): return (.integer(try number(line, at: start)), next)
        case UInt8(ascii: "_"): return (.bulk(nil), next)
        case UInt8(ascii: "#"):
            guard line.count == 1, line[line.startIndex] == UInt8(ascii: "t") || line[line.startIndex] == UInt8(ascii: "f") else {
                throw RESPError(reason: "bad boolean", offset: start)
            }
            return (.boolean(line[line.startIndex] == UInt8(ascii: "t")), next)
        case UInt8(ascii: ","):
            guard let double = Double(String(decoding: line, as: UTF8.self)) else { throw RESPError(reason: "bad double", offset: start) }
            return (.double(double), next)
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            return try bulk(bytes, length: try number(line, at: start), body: next, start: start)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            let count = try number(line, at: start)
            let factor: Int64 = bytes[start] == UInt8(ascii: "%") ? 2 : 1
            return try array(bytes, count: count, factor: factor, first: next, start: start, depth: depth, budget: &budget)
        default:
            throw RESPError(reason: "unknown type byte \(bytes[start])", offset: start)
        }
    }

    private func bulk(_ bytes: [UInt8], length: Int64, body: Int, start: Int) throws(RESPError) -> (value: RESPValue, next: Int)? {
        if length == -1 { return (.bulk(nil), body) }
        guard length >= 0, length <= Int64(maxBulk) else { throw RESPError(reason: "bulk length \(length)", offset: start) }
        let end = body + Int(length)
        guard bytes.count >= end + 2 else { return nil }
        guard bytes[end] == 13, bytes[end + 1] == 10 else { throw RESPError(reason: "bulk string not ended by CRLF", offset: end) }
        return (.bulk(Array(bytes[body..<end])), end + 2)
    }

    private func array(
        _ bytes: [UInt8], count: Int64, factor: Int64, first: Int, start: Int, depth: Int, budget: inout Int
    ) throws(RESPError) -> (value: RESPValue, next: Int)? {
        if count == -1 { return (.array(nil), first) }
        guard count >= 0, count <= Int64(budget) / factor else { throw RESPError(reason: "array of \(count) elements", offset: start) }
        let total = Int(count * factor)
        budget -= total
        var items: [RESPValue] = []
        items.reserveCapacity(min(total, 1024))
        var cursor = first
        for _ in 0..<total {
            guard let (item, next) = try value(bytes, at: cursor, depth: depth + 1, budget: &budget) else { return nil }
            items.append(item)
            cursor = next
        }
        return (.array(items), cursor)
    }

    /// The bytes up to CRLF after `from`, and the offset after the CRLF.
    private func line(_ bytes: [UInt8], from: Int) throws(RESPError) -> (ArraySlice<UInt8>, Int)? {
        var index = from
        let limit = min(bytes.count, from + maxLine + 2)
        while index + 1 < limit {
            if bytes[index] == 13 {
                guard bytes[index + 1] == 10 else { throw RESPError(reason: "CR without LF", offset: index) }
                return (bytes[from..<index], index + 2)
            }
            index += 1
        }
        if bytes.count - from > maxLine + 1 { throw RESPError(reason: "line longer than \(maxLine) bytes", offset: from) }
        return nil
    }

    /// A decimal integer, rejected (never trapped on) when it does not fit in 64 bits.
    private func number(_ line: ArraySlice<UInt8>, at offset: Int) throws(RESPError) -> Int64 {
        guard line.count <= 20, let value = Int64(String(decoding: line, as: UTF8.self)) else {
            throw RESPError(reason: "bad integer \"\(String(decoding: line.prefix(24), as: UTF8.self))\"", offset: offset)
        }
        return value
    }
}
