/// `name value` lines: /proc/vmstat (see proc(5)) and /proc/net/snmp6.
struct NamedValue: Equatable {
    var name: Substring
    var value: Double
}

func parseNameValueLines(_ text: String, file: String) throws(ParseError) -> [NamedValue] {
    var result: [NamedValue] = []
    result.reserveCapacity(200)
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        let f = ProcText.fields(line)
        if f.isEmpty { continue }
        guard f.count == 2, let value = ProcText.number(f[1]) else { throw ParseError(file: file, line: lineNumber, text: line) }
        result.append(NamedValue(name: f[0], value: value))
    }
    return result
}

/// /proc/net/snmp6 names such as `Ip6InReceives` or `UdpLite6InErrors` split after the `6`, as
/// node_exporter does, into `Ip6_InReceives`.
func snmp6Name(_ raw: Substring) -> String? {
    guard let six = raw.firstIndex(of: "6") else { return nil }
    let rest = raw[raw.index(after: six)...]
    return rest.isEmpty ? nil : String(raw[...six]) + "_" + rest
}

/// /proc/net/netstat and /proc/net/snmp: pairs of lines `Proto: Name1 Name2…` and
/// `Proto: v1 v2…`. Yields `Proto_Name` and the value.
func parseProtocolPairs(_ text: String, file: String) throws(ParseError) -> [(name: String, value: Double)] {
    var result: [(name: String, value: Double)] = []
    result.reserveCapacity(256)
    let lines = ProcText.lines(text)
    var i = 0
    while i + 1 < lines.count {
        let names = ProcText.fields(lines[i]), values = ProcText.fields(lines[i + 1])
        guard let proto = names.first, proto.last == ":", values.first == proto, names.count == values.count
        else { throw ParseError(file: file, line: i + 1, text: lines[i]) }
        let prefix = String(proto.dropLast()) + "_"
        for k in 1..<names.count {
            // Tcp MaxConn is -1 ("dynamic"): signed numbers are fine.
            guard let v = ProcText.number(values[k]) else { throw ParseError(file: file, line: i + 2, text: lines[i + 1]) }
            result.append((prefix + names[k], v))
        }
        i += 2
    }
    if i < lines.count { throw ParseError(file: file, line: i + 1, text: lines[i]) }
    return result
}

/// /proc/net/sockstat and sockstat6: `TCP: inuse 4 orphan 0 tw 0 alloc 4 mem 251`,
/// `sockets: used 28`. Yields protocol, field and value.
struct SockStatField: Equatable {
    var proto: Substring
    var field: Substring
    var value: Double
}

func parseSockStat(_ text: String, file: String) throws(ParseError) -> [SockStatField] {
    var result: [SockStatField] = []
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        let f = ProcText.fields(line)
        if f.isEmpty { continue }
        guard let proto = f.first, proto.last == ":", f.count % 2 == 1 else { throw ParseError(file: file, line: lineNumber, text: line) }
        var k = 1
        while k + 1 < f.count {
            guard let v = ProcText.number(f[k + 1]) else { throw ParseError(file: file, line: lineNumber, text: line) }
            result.append(SockStatField(proto: proto.dropLast(), field: f[k], value: v))
            k += 2
        }
    }
    return result
}
