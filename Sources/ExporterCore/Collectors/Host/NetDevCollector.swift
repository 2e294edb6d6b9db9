enum NetDevMetrics {
    static let receive = NetDevFields.receive.map { descriptor("receive", $0) }
    static let transmit = NetDevFields.transmit.map { descriptor("transmit", $0) }
    static let receiveNoHandler = descriptor("receive", "nohandler")

    private static func descriptor(_ direction: String, _ field: String) -> FamilyDescriptor {
        FamilyDescriptor(
            name: "node_network_\(direction)_\(field)_total", type: .counter,
            help: "Network device statistic \(direction)_\(field).", labels: ["device"])
    }

    static let deviceExclude = Flag.string(
        "collector.netdev.device-exclude", help: "Regexp of net devices to exclude.", group: "Host", placeholder: "<regex>")
    static let flags: [FlagSpec] = [deviceExclude.spec]
}

/// `node_network_{receive,transmit}_*_total` from /proc/net/dev; `receive_nohandler` (which
/// node_exporter gets over netlink) from sysfs `statistics/rx_nohandler`.
struct NetDevCollector: ProcFSCollector {
    let proc: ProcFS
    let sys: ProcFS
    let deviceExclude: NamePattern
    private let statistics = KeptOpenAttributes(capacity: 64)

    init(proc: ProcFS, sys: ProcFS, deviceExclude: NamePattern) {
        self.proc = proc
        self.sys = sys
        self.deviceExclude = deviceExclude
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let devices = try parseNetDev(proc.read("net/dev")).filter { !deviceExclude.matches($0.device) }
        var receive = NetDevMetrics.receive.map { MetricFamily($0) }
        var transmit = NetDevMetrics.transmit.map { MetricFamily($0) }
        var noHandler = MetricFamily(NetDevMetrics.receiveNoHandler)
        statistics.beginScrape()
        defer { statistics.endScrape() }
        for device in devices {
            // One label array shared by the device's 17 samples (copy-on-write), not one each.
            let labels = [Label("device", device.device)]
            for k in 0..<8 {
                receive[k].samples.append(Sample(labels: labels, value: device.values[k]))
                transmit[k].samples.append(Sample(labels: labels, value: device.values[8 + k]))
            }
            let directory = sys.path("class/net/\(device.device)/statistics")
            if statistics.visit(directory),
               let value = (try? statistics.read(directory, "rx_nohandler", decode: parseSysfsNumber(bytes:)).get()) ?? nil {
                noHandler.samples.append(Sample(labels: labels, value: value))
            }
        }
        return receive + transmit + [noHandler]
    }
}
