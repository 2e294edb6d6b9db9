enum NetClassMetrics {
    static let info = FamilyDescriptor(
        name: "node_network_info", type: .gauge,
        help: "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
        labels: ["device", "address", "broadcast", "duplex", "operstate", "ifalias"])
    static let up = gauge("up", "Value is 1 if operstate is 'up', 0 otherwise.")
    static let speed = gauge("speed_bytes", "Network device property: speed_bytes", unit: "bytes")

    /// sysfs attribute → metric, as node_exporter's netclass collector maps them.
    static let numeric: [(file: String, descriptor: FamilyDescriptor)] = [
        ("addr_assign_type", gauge("address_assign_type", "Network device property: address_assign_type")),
        ("carrier", gauge("carrier", "Network device property: carrier")),
        ("carrier_changes", counter("carrier_changes_total", "Network device property: carrier_changes_total")),
        ("carrier_up_count", counter("carrier_up_changes_total", "Network device property: carrier_up_changes_total")),
        ("carrier_down_count", counter("carrier_down_changes_total", "Network device property: carrier_down_changes_total")),
        ("dev_id", gauge("device_id", "Network device property: device_id")),
        ("dormant", gauge("dormant", "Network device property: dormant")),
        ("flags", gauge("flags", "Network device property: flags")),
        ("ifindex", gauge("iface_id", "Network device property: iface_id")),
        ("iflink", gauge("iface_link", "Network device property: iface_link")),
        ("link_mode", gauge("iface_link_mode", "Network device property: iface_link_mode")),
        ("mtu", gauge("mtu_bytes", "Network device property: mtu_bytes", unit: "bytes")),
        ("name_assign_type", gauge("name_assign_type", "Network device property: name_assign_type")),
        ("netdev_group", gauge("net_dev_group", "Network device property: net_dev_group")),
        ("type", gauge("protocol_type", "Network device property: protocol_type")),
        ("tx_queue_len", gauge("transmit_queue_length", "Network device property: transmit_queue_length")),
    ]

    private static func gauge(_ name: String, _ help: String, unit: String = "") -> FamilyDescriptor {
        FamilyDescriptor(name: "node_network_" + name, type: .gauge, help: help, unit: unit, labels: ["device"])
    }

    private static func counter(_ name: String, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_network_" + name, type: .counter, help: help, labels: ["device"])
    }

    static let flags: [FlagSpec] = [
        FlagSpec("collector.netclass.ignored-devices", kind: .string, default: "^$",
                 help: "Regexp of net devices to ignore for netclass collector.", group: "Host", placeholder: "<regex>"),
    ]
}

/// A sysfs number: decimal, or hex with `0x` (`flags`, `dev_id`).
/// `parseSysfsNumber` on the attribute's bytes as read: decimal (signed) or `0x` hexadecimal,
/// surrounded by blanks and a newline; nil for anything else.
func parseSysfsNumber(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var start = 0, end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 || bytes[start] == 0x0A { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0A { end -= 1 }
    guard start < end else { return nil }
    let fields = ByteFields(bytes)
    if end - start > 2, bytes[start] == UInt8(ascii: "0"), bytes[start + 1] == UInt8(ascii: "x") {
        return fields.hexNumber((start + 2)..<end).map { Double($0) }
    }
    return fields.number(start..<end)
}

func parseSysfsNumber(_ text: String) -> Double? {
    let value = ProcText.trimmed(text)
    if value.utf8.count > 2, value.utf8.first == UInt8(ascii: "0"), value.utf8.dropFirst().first == UInt8(ascii: "x") {
        return UInt64(value.dropFirst(2), radix: 16).map { Double($0) }
    }
    return ProcText.number(value)
}

/// `node_network_info`, `_up`, `_speed_bytes`, `_mtu_bytes` and the other attributes of
/// /sys/class/net/<iface>. An attribute the driver refuses (carrier of a down link: EINVAL) is
/// left out, as node_exporter does.
struct NetClassCollector: ProcFSCollector {
    let sys: ProcFS
    let ignoredDevices: NamePattern
    /// ~23 attributes per device, read through descriptors kept open between scrapes.
    private let attributes = KeptOpenAttributes()

    init(sys: ProcFS, ignoredDevices: NamePattern) {
        self.sys = sys
        self.ignoredDevices = ignoredDevices
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard let names = FileReader.directoryEntries(sys.path("class/net")) else {
            throw CollectorError("cannot list \(sys.path("class/net"))")
        }
        var info = MetricFamily(NetClassMetrics.info), up = MetricFamily(NetClassMetrics.up)
        var speed = MetricFamily(NetClassMetrics.speed)
        var numeric = NetClassMetrics.numeric.map { MetricFamily($0.descriptor) }
        attributes.beginScrape()
        defer { attributes.endScrape() }
        for name in names.sorted() where !ignoredDevices.matches(name) {
            let base = sys.path("class/net/\(name)")
            // bonding_masters and other plain files are not directories: their ifindex is missing.
            guard attributes.visit(base) else { continue }
            func raw(_ file: String) -> String? { try? attributes.read(base, file).get() }
            guard let ifindex = raw("ifindex"), parseSysfsNumber(ifindex) != nil else { continue }
            func text(_ file: String) -> String { raw(file).map { String(ProcText.trimmed($0)) } ?? "" }
            let operstate = text("operstate")
            info.add([name, text("address"), text("broadcast"), text("duplex"), operstate, text("ifalias")], 1)
            // One label array shared by the device's samples (copy-on-write), not one each.
            let labels = [Label("device", name)]
            up.samples.append(Sample(labels: labels, value: operstate == "up" ? 1 : 0))
            func number(_ file: String) -> Double? {
                (try? attributes.read(base, file, decode: parseSysfsNumber(bytes:)).get()) ?? nil
            }
            for (k, attribute) in NetClassMetrics.numeric.enumerated() {
                let value = attribute.file == "ifindex" ? parseSysfsNumber(ifindex) : number(attribute.file)
                if let value { numeric[k].samples.append(Sample(labels: labels, value: value)) }
            }
            // Mbit/s → bytes/s; -1 (unknown) stays negative, as node_exporter v1.5 reports it.
            if let mbits = number("speed") {
                speed.samples.append(Sample(labels: labels, value: mbits * 125_000))
            }
        }
        return [info, up, speed] + numeric
    }
}
