import Synchronization

enum NetStatMetrics {
    // node_exporter v1.12.1 default (collector/netstat_linux.go), plus Tcp_MaxConn, which Node
    // Exporter Full graphs.
    static let defaultFields = "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab|MaxConn)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
    static let flags: [FlagSpec] = [
        FlagSpec("collector.netstat.fields", kind: .string, default: defaultFields,
                 help: "Regexp of fields to return for netstat collector.", group: "Host", placeholder: "<regex>"),
    ]
}

/// `node_netstat_<Proto>_<Field>` (untyped, as node_exporter) from /proc/net/netstat, /proc/net/snmp
/// and /proc/net/snmp6 (absent without IPv6).
///
/// The files hold ~300 counters of which ~60 are selected by `--collector.netstat.fields`, and the
/// names do not change between scrapes: the selection (positions and descriptors) is worked out
/// once per distinct header line and reused, so a scrape only parses the selected numbers.
struct NetStatCollector: ProcFSCollector {
    let proc: ProcFS
    let fields: NamePattern
    private let selections = NetStatSelections()

    init(proc: ProcFS, fields: NamePattern) {
        self.proc = proc
        self.fields = fields
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        families.reserveCapacity(96)
        try collectProtocolPairs(proc.read("net/netstat"), file: "net/netstat", into: &families)
        try collectProtocolPairs(proc.read("net/snmp"), file: "net/snmp", into: &families)
        if let snmp6 = try proc.readIfPresent("net/snmp6") {  // absent when IPv6 is disabled
            for entry in try parseNameValueLines(snmp6, file: "net/snmp6") {
                if let descriptor = selections.descriptor(forSNMP6: entry.name, fields: fields) {
                    families.append(MetricFamily(descriptor, value: entry.value))
                }
            }
        }
        return families
    }

    /// Pairs of lines `Proto: Name1 Name2…` / `Proto: v1 v2…` (see `parseProtocolPairs`).
    private func collectProtocolPairs(_ text: String, file: String, into families: inout [MetricFamily]) throws(ParseError) {
        let lines = ProcText.lines(text)
        var i = 0
        while i + 1 < lines.count {
            let selection = try selections.selection(forHeader: lines[i], file: file, line: i + 1, fields: fields)
            let values = ProcText.fields(lines[i + 1])
            guard values.count == selection.width, values.first == selection.proto else {
                throw ParseError(file: file, line: i + 2, text: lines[i + 1])
            }
            for (index, descriptor) in selection.picks {
                // Tcp MaxConn is -1 ("dynamic"): signed numbers are fine.
                guard let value = ProcText.number(values[index]) else { throw ParseError(file: file, line: i + 2, text: lines[i + 1]) }
                families.append(MetricFamily(descriptor, value: value))
            }
            i += 2
        }
        if i < lines.count { throw ParseError(file: file, line: i + 1, text: lines[i]) }
    }
}

/// The memoised field selections of the netstat collector (bounded: cleared when it grows).
final class NetStatSelections: Sendable {
    struct Selection: Sendable {
        let proto: Substring
        let width: Int
        let picks: [(index: Int, descriptor: FamilyDescriptor)]
    }

    private let headers = Mutex<[String: Selection]>([:])
    private let snmp6 = Mutex<[String: FamilyDescriptor?]>([:])
    private static let limit = 256

    func selection(forHeader line: Substring, file: String, line number: Int, fields: NamePattern) throws(ParseError) -> Selection {
        let key = String(line)
        if let known = headers.withLock({ $0[key] }) { return known }
        let names = ProcText.fields(line)
        guard let proto = names.first, proto.last == ":" else { throw ParseError(file: file, line: number, text: line) }
        let prefix = String(proto.dropLast()) + "_"
        var picks: [(index: Int, descriptor: FamilyDescriptor)] = []
        for k in 1..<names.count {
            let name = prefix + names[k]
            if fields.matches(name) { picks.append((k, Self.descriptor(name))) }
        }
        let selection = Selection(proto: Substring(String(proto)), width: names.count, picks: picks)
        headers.withLock { cache in
            if cache.count >= Self.limit { cache.removeAll() }
            cache[key] = selection
        }
        return selection
    }

    func descriptor(forSNMP6 raw: Substring, fields: NamePattern) -> FamilyDescriptor? {
        let key = String(raw)
        if let known = snmp6.withLock({ $0[key] }) { return known }
        let descriptor = snmp6Name(raw).flatMap { fields.matches($0) ? Self.descriptor($0) : nil }
        snmp6.withLock { cache in
            if cache.count >= Self.limit * 4 { cache.removeAll() }
            cache[key] = descriptor
        }
        return descriptor
    }

    private static func descriptor(_ name: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_netstat_" + name, type: .untyped, help: "Statistic \(name).")
    }
}
