enum UDPQueuesMetrics {
    static let queues = FamilyDescriptor(
        name: "node_udp_queues", type: .gauge,
        help: "Number of allocated memory in the kernel for UDP datagrams in bytes.", labels: ["ip", "queue"])
}

/// `node_udp_queues{ip="v4"|"v6",queue="tx"|"rx"}`: the send and receive queues of all UDP sockets
/// summed, from /proc/net/udp and udp6. A missing udp6 (IPv6 disabled) leaves out `v6`, as
/// node_exporter does; both missing gives nothing.
struct UDPQueuesCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var family = MetricFamily(UDPQueuesMetrics.queues)
        for (file, ip) in [("net/udp", "v4"), ("net/udp6", "v6")] {
            guard let text = try proc.readIfPresent(file) else { continue }
            let sums = parseUDPQueues(text, file: file)
            ParsedRows<Never>(rejected: sums.rejected).logRejected(context.logger)
            family.add([ip, "tx"], sums.tx)
            family.add([ip, "rx"], sums.rx)
        }
        return family.samples.isEmpty ? [] : [family]
    }
}
