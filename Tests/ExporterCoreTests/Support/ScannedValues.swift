@testable import ExporterCore

// The scanners production calls, turned into plain values for assertions: the tests exercise
// the same scan functions the collectors run (scanMemInfo, scanProtocolPairs, …), not a parallel
// String parser.

func parseMemInfo(_ text: String) throws(ParseError) -> [MemInfoField] {
    try text.withBytes { bytes throws(ParseError) -> [MemInfoField] in
        var scanner = ByteFields(bytes)
        var key: [UInt8] = []
        return try scanMemInfo(&scanner, key: &key).map { line in
            MemInfoField(name: MemInfoNames.name(scanner.text(line.name), kB: line.kB), value: line.value)
        }
    }
}

/// /proc/net/netstat and /proc/net/snmp: pairs of lines `Proto: Name1 Name2…` and
/// `Proto: v1 v2…`. Yields `Proto_Name` and the value.
func parseProtocolPairs(_ text: String, file: String) throws(ParseError) -> [(name: String, value: Double)] {
    try text.withBytes { bytes throws(ParseError) -> [(name: String, value: Double)] in
        var scanner = ByteFields(bytes)
        var key: [UInt8] = []
        let pairs = try scanProtocolPairs(&scanner, file: file, key: &key)
        var result: [(name: String, value: Double)] = []
        for (name, field) in zip(protocolPairNames(scanner, pairs.headers), pairs.values) {
            guard let value = scanner.number(field) else {
                throw ParseError(file: file, line: scanner.lineNumber(at: field), text: scanner.line(around: field))
            }
            result.append((name, value))
        }
        return result
    }
}

func parseSockStat(_ text: String, file: String) throws(ParseError) -> [SockStatField] {
    try text.withBytes { bytes throws(ParseError) -> [SockStatField] in
        var scanner = ByteFields(bytes)
        var key: [UInt8] = []
        return try scanSockStat(&scanner, file: file, key: &key).map {
            SockStatField(proto: Substring(scanner.text($0.proto)), field: Substring(scanner.text($0.field)), value: $0.value)
        }
    }
}

/// /proc/net/stat/nf_conntrack: a header of field names, then one line of hex counters per CPU;
/// summed per field.
func parseConntrackStat(_ text: String) throws(ParseError) -> [String: Double] {
    try text.withBytes { bytes throws(ParseError) -> [String: Double] in
        var scanner = ByteFields(bytes)
        let sums = try scanConntrackStat(&scanner)
        var result: [String: Double] = [:]
        for (name, sum) in sums { result[scanner.text(name)] = sum }
        return result
    }
}
