enum NetStatMetrics {
    // node_exporter v1.12.1 default (collector/netstat_linux.go), plus Tcp_MaxConn, which Node
    // Exporter Full graphs.
    static let defaultFields = "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab|MaxConn)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$"
    static let fields = Flag.string(
        "collector.netstat.fields", default: defaultFields, help: "Regexp of fields to return for netstat collector.",
        group: "Host", placeholder: "<regex>")
    static let flags: [FlagSpec] = [fields.spec]
}

/// `node_netstat_<Proto>_<Field>` (untyped, as node_exporter) from /proc/net/netstat, /proc/net/snmp
/// and /proc/net/snmp6 (absent without IPv6).
///
/// The files hold ~300 counters of which ~60 are selected by `--collector.netstat.fields`, and the
/// names do not change between scrapes: the selection is worked out once per distinct set of header
/// lines (`LineLayoutCache`), so a scrape only parses the selected numbers.
struct NetStatCollector: ProcFSCollector {
    let proc: ProcFS
    let fields: NamePattern
    private let netstatLayout = LineLayoutCache()
    private let snmpLayout = LineLayoutCache()
    private let snmp6Layout = LineLayoutCache()

    init(proc: ProcFS, fields: NamePattern) {
        self.proc = proc
        self.fields = fields
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        families.reserveCapacity(96)
        try collectProtocolPairs(proc.read("net/netstat"), file: "net/netstat", layout: netstatLayout, into: &families)
        try collectProtocolPairs(proc.read("net/snmp"), file: "net/snmp", layout: snmpLayout, into: &families)
        if let snmp6 = try proc.readIfPresent("net/snmp6") {  // absent when IPv6 is disabled
            let entries = try NameValueLines.read(snmp6, file: "net/snmp6", layout: snmp6Layout) { raw in
                snmp6Name(Substring(raw)).flatMap { fields.matches($0) ? Self.descriptor($0) : nil }
            }
            for entry in entries { families.append(MetricFamily(entry.descriptor, value: entry.value)) }
        }
        return families
    }

    /// Pairs of lines `Proto: Name1 Name2…` / `Proto: v1 v2…` (see `parseProtocolPairs`, which
    /// checks the same things).
    private func collectProtocolPairs(
        _ text: String, file: String, layout: LineLayoutCache, into families: inout [MetricFamily]
    ) throws(ParseError) {
        try text.withBytes { bytes throws(ParseError) in
            var scanner = ByteFields(bytes)
            var key: [UInt8] = []
            let (headers, valueFields) = try scanProtocolPairs(&scanner, file: file, key: &key)
            let descriptors = try layout.value(for: key) { () throws(ParseError) in
                protocolPairNames(scanner, headers).map { fields.matches($0) ? Self.descriptor($0) : nil }
            }
            for (index, descriptor) in descriptors.enumerated() {
                guard let descriptor else { continue }
                // Tcp MaxConn is -1 ("dynamic"): signed numbers are fine.
                guard let value = scanner.number(valueFields[index]) else {
                    throw ParseError(file: file, line: scanner.lineNumber(at: valueFields[index]), text: scanner.line(around: valueFields[index]))
                }
                families.append(MetricFamily(descriptor, value: value))
            }
        }
    }

    static func descriptor(_ name: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_netstat_" + name, type: .untyped, help: "Statistic \(name).")
    }
}
