enum TCPStatMetrics {
    static let states = FamilyDescriptor(
        name: "node_tcp_connection_states", type: .gauge, help: "Number of connection states.", labels: ["state"])
    /// node_exporter's label values, by the kernel's state number (include/net/tcp_states.h).
    static let stateNames = [
        "", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close", "close_wait",
        "last_ack", "listen", "closing",
    ]
}

/// `node_tcp_connection_states{state}` (off by default, as in node_exporter) from /proc/net/tcp and
/// tcp6, where node_exporter asks sock_diag over netlink: the same counts, and `rx_queued_bytes` /
/// `tx_queued_bytes` summed over all sockets; the one difference is that netlink reports a
/// listening socket's maximum backlog as its send queue, which node_exporter adds to
/// `tx_queued_bytes`, and the file reports 0 (docs/host.md). Every state is reported, 0 when no
/// socket is in it (node_exporter leaves those out), so a dashboard's `state="close_wait"` series
/// is a steady 0 rather than gaps, and compat checks do not race short-lived states. Both files
/// missing gives nothing.
struct TCPStatCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var table = TCPTable()
        var found = false
        for file in ["net/tcp", "net/tcp6"] {
            guard let text = try proc.readIfPresent(file) else { continue }
            found = true
            ParsedRows<Never>(rejected: parseTCPTable(text, file: file, into: &table)).logRejected(context.logger)
        }
        guard found else { return [] }
        var family = MetricFamily(TCPStatMetrics.states)
        for (state, count) in table.states.enumerated() where state > 0 {
            family.add([TCPStatMetrics.stateNames[state]], count)
        }
        family.add(["rx_queued_bytes"], table.rxQueued)
        family.add(["tx_queued_bytes"], table.txQueued)
        return [family]
    }
}
