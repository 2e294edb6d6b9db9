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
struct NetStatCollector: ProcFSCollector {
    let proc: ProcFS
    let fields: NamePattern

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var values = try parseProtocolPairs(proc.read("net/netstat"), file: "net/netstat")
        values += try parseProtocolPairs(proc.read("net/snmp"), file: "net/snmp")
        if let snmp6 = try proc.readIfPresent("net/snmp6") {  // absent when IPv6 is disabled
            for entry in try parseNameValueLines(snmp6, file: "net/snmp6") {
                if let name = snmp6Name(entry.name) { values.append((name, entry.value)) }
            }
        }
        var families: [MetricFamily] = []
        for (name, value) in values where fields.matches(name) {
            let descriptor = FamilyDescriptor(name: "node_netstat_" + name, type: .untyped, help: "Statistic \(name).")
            families.append(MetricFamily(descriptor, value: value))
        }
        return families
    }
}
