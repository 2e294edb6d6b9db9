/// `name value` lines: /proc/vmstat (see proc(5)) and /proc/net/snmp6.
struct NamedValue: Equatable {
    var name: Substring
    var value: Double
}

func parseNameValueLines(_ text: String, file: String) throws(ParseError) -> [NamedValue] {
    try text.withBytes { bytes throws(ParseError) -> [NamedValue] in
        var scanner = ByteFields(bytes)
        var key: [UInt8] = []
        return try scanNameValueLines(&scanner, file: file, key: &key).map { NamedValue(name: Substring(scanner.text($0.name)), value: $0.value) }
    }
}

/// The `name value` lines, and in `key` all names for a `LineLayoutCache`.
func scanNameValueLines(_ scanner: inout ByteFields, file: String, key: inout [UInt8]) throws(ParseError) -> [(name: Range<Int>, value: Double)] {
    var lines: [(name: Range<Int>, value: Double)] = []
    for line in try scanNameValueFields(&scanner, file: file, key: &key) {
        guard let value = scanner.number(line.value) else {
            throw ParseError(file: file, line: scanner.lineNumber(at: line.value), text: scanner.line(around: line.value))
        }
        lines.append((line.name, value))
    }
    return lines
}

/// The `name value` lines as byte ranges (values not parsed yet), and in `key` all names.
func scanNameValueFields(_ scanner: inout ByteFields, file: String, key: inout [UInt8]) throws(ParseError) -> [(name: Range<Int>, value: Range<Int>)] {
    var fields: [Range<Int>] = []
    fields.reserveCapacity(4)
    key.reserveCapacity(scanner.bytes.count)
    var lines: [(name: Range<Int>, value: Range<Int>)] = []
    lines.reserveCapacity(256)
    while scanner.nextLine(into: &fields) {
        if fields.isEmpty { continue }
        guard fields.count == 2 else { throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: fields[0])) }
        key.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[fields[0]]))
        key.append(0x0A)
        lines.append((fields[0], fields[1]))
    }
    return lines
}

/// `name value` lines (/proc/vmstat, /proc/net/snmp6) through a `LineLayoutCache`: the same
/// checks as `parseNameValueLines`, without a String per line.
enum NameValueLines {
    static func read(
        _ text: String, file: String, layout: LineLayoutCache, describe: (String) -> FamilyDescriptor?
    ) throws(ParseError) -> [(descriptor: FamilyDescriptor, value: Double)] {
        try text.withBytes { bytes throws(ParseError) in
            var scanner = ByteFields(bytes)
            var key: [UInt8] = []
            let lines = try scanNameValueFields(&scanner, file: file, key: &key)
            let descriptors = try layout.value(for: key) { () throws(ParseError) in
                lines.map { describe(scanner.text($0.name)) }
            }
            // Only the values that become samples are parsed (vmstat has ~180 lines, ~10 are kept).
            var result: [(descriptor: FamilyDescriptor, value: Double)] = []
            result.reserveCapacity(64)
            for (index, descriptor) in descriptors.enumerated() {
                guard let descriptor else { continue }
                guard let value = scanner.number(lines[index].value) else {
                    throw ParseError(file: file, line: scanner.lineNumber(at: lines[index].value), text: scanner.line(around: lines[index].value))
                }
                result.append((descriptor, value))
            }
            return result
        }
    }
}

/// /proc/net/snmp6 names such as `Ip6InReceives` or `UdpLite6InErrors` split after the `6`, as
/// node_exporter does, into `Ip6_InReceives`.
func snmp6Name(_ raw: Substring) -> String? {
    guard let six = raw.firstIndex(of: "6") else { return nil }
    let rest = raw[raw.index(after: six)...]
    return rest.isEmpty ? nil : String(raw[...six]) + "_" + rest
}

/// The header fields of each pair, and every value field (the protocol column left out) in order;
/// in `key` the header lines for a `LineLayoutCache`. Values are checked when they are parsed.
func scanProtocolPairs(
    _ scanner: inout ByteFields, file: String, key: inout [UInt8]
) throws(ParseError) -> (headers: [[Range<Int>]], values: [Range<Int>]) {
    var header: [Range<Int>] = [], values: [Range<Int>] = []
    header.reserveCapacity(128)
    values.reserveCapacity(128)
    key.reserveCapacity(scanner.bytes.count)
    var headers: [[Range<Int>]] = []
    var valueFields: [Range<Int>] = []
    valueFields.reserveCapacity(320)
    while scanner.nextLine(into: &header) {
        if header.isEmpty { continue }
        guard let proto = header.first, scanner.lastByte(proto) == UInt8(ascii: ":") else {
            throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: header[0]))
        }
        var hasValues = scanner.nextLine(into: &values)
        while hasValues && values.isEmpty { hasValues = scanner.nextLine(into: &values) }
        guard hasValues else { throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: proto)) }
        guard values.count == header.count, scanner.same(values[0], proto) else {
            throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: values[0]))
        }
        key.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[proto.lowerBound..<header[header.count - 1].upperBound]))
        key.append(0x0A)
        headers.append(header)
        valueFields.append(contentsOf: values[1...])
    }
    return (headers, valueFields)
}

/// `Proto_Name` for every value field of `scanProtocolPairs`, in the same order.
func protocolPairNames(_ scanner: ByteFields, _ headers: [[Range<Int>]]) -> [String] {
    var names: [String] = []
    for header in headers {
        let prefix = scanner.text(header[0].lowerBound..<(header[0].upperBound - 1)) + "_"
        for field in header.dropFirst() { names.append(prefix + scanner.text(field)) }
    }
    return names
}

/// /proc/net/sockstat and sockstat6: `TCP: inuse 4 orphan 0 tw 0 alloc 4 mem 251`,
/// `sockets: used 28`. Yields protocol, field and value.
struct SockStatField: Equatable {
    var proto: Substring
    var field: Substring
    var value: Double
}

/// Every `field value` of the sockstat lines with its protocol (the colon left out); in `key` the
/// protocol and field names, for a layout cache.
func scanSockStat(
    _ scanner: inout ByteFields, file: String, key: inout [UInt8]
) throws(ParseError) -> [(proto: Range<Int>, field: Range<Int>, value: Double)] {
    var fields: [Range<Int>] = []
    fields.reserveCapacity(12)
    var result: [(proto: Range<Int>, field: Range<Int>, value: Double)] = []
    result.reserveCapacity(16)
    while scanner.nextLine(into: &fields) {
        if fields.isEmpty { continue }
        guard scanner.lastByte(fields[0]) == UInt8(ascii: ":"), fields.count % 2 == 1 else {
            throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: fields[0]))
        }
        let proto = fields[0].lowerBound..<(fields[0].upperBound - 1)
        var k = 1
        while k + 1 < fields.count {
            guard let value = scanner.number(fields[k + 1]) else {
                throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: fields[0]))
            }
            key.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[proto]))
            key.append(0x20)
            key.append(contentsOf: UnsafeBufferPointer(rebasing: scanner.bytes[fields[k]]))
            key.append(0x0A)
            result.append((proto, fields[k], value))
            k += 2
        }
    }
    return result
}
