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

    static let ignoredDevices = Flag.string(
        "collector.netclass.ignored-devices", default: "^$", help: "Regexp of net devices to ignore for netclass collector.",
        group: "Host", placeholder: "<regex>")
    static let flags: [FlagSpec] = [ignoredDevices.spec]
}

/// A sysfs number from the attribute's bytes as read: decimal (signed) or `0x` hexadecimal
/// (`flags`, `dev_id`), surrounded by blanks and a newline; nil for anything else.
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

/// The sysfs text of values netclass takes from a netlink dump (net/core/net-sysfs.c).
enum NetClassValues {
    /// `operstates[]` of net-sysfs.c, indexed by IF_OPER_*.
    static let operstates = ["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"]

    static func operstate(_ value: UInt8?) -> String {
        guard let value, Int(value) < operstates.count else { return "unknown" }
        return operstates[Int(value)]
    }

    /// sysfs_format_mac: lower-case hex pairs joined by ':'; "" for a device without an address.
    static func mac(_ bytes: [UInt8]?) -> String {
        guard let bytes, !bytes.isEmpty else { return "" }
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for (i, byte) in bytes.enumerated() {
            if i > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static let up: UInt32 = 0x1, dormant: UInt32 = 0x20000  // IFF_UP, IFF_DORMANT (linux/if.h)

    /// An attribute's value from the dump, as sysfs would show it; nil for attributes the dump
    /// does not carry (read from sysfs) — `answered` tells the two apart.
    static func number(_ file: String, _ link: NetlinkLink) -> (answered: Bool, value: Double?) {
        let running = link.flags & up != 0  // sysfs answers carrier and dormant only while running
        switch file {
        case "carrier": return (true, running ? link.carrier.map { Double($0) } : nil)
        case "dormant": return (true, running ? (link.flags & dormant != 0 ? 1 : 0) : nil)
        case "carrier_changes": return (true, link.carrierChanges.map { Double($0) })
        case "carrier_up_count": return (true, link.carrierUpCount.map { Double($0) })
        case "carrier_down_count": return (true, link.carrierDownCount.map { Double($0) })
        case "ifindex": return (true, Double(link.index))
        case "iflink": return (true, Double(link.link ?? link.index))
        case "link_mode": return (true, link.linkMode.map { Double($0) })
        case "mtu": return (true, link.mtu.map { Double($0) })
        case "netdev_group": return (true, link.group.map { Double($0) })
        case "type": return (true, Double(link.type))
        case "tx_queue_len": return (true, link.txQueueLength.map { Double($0) })
        default: return (false, nil)
        }
    }
}

/// `node_network_info`, `_up`, `_speed_bytes`, `_mtu_bytes` and the other attributes of
/// /sys/class/net/<iface>. An attribute the driver refuses (carrier of a down link: EINVAL) is
/// left out, as node_exporter does.
///
/// With the real sysfs at /sys, most attributes come from one RTM_GETLINK dump of this network
/// namespace (`LinkDumper`) instead of a sysfs read each (~70 fewer system calls per scrape on a
/// four-device host); the rest (flags, dev_id, addr_assign_type, name_assign_type, duplex, speed)
/// are still read from sysfs. A device's dump entry is used only when its ifindex and address
/// match sysfs: a container that sees the host's /sys from another network namespace reads sysfs
/// (except for `lo`, index 1 and a zero address everywhere, whose attributes are the same in
/// every namespace but its carrier counters).
struct NetClassCollector: ProcFSCollector {
    let sys: ProcFS
    let ignoredDevices: NamePattern
    /// The attributes read from sysfs, through descriptors kept open between scrapes.
    private let attributes = KeptOpenAttributes()
    private let dumper: LinkDumper?
    var usesNetlink: Bool { dumper != nil }

    /// `netlink`: nil decides by the path (the real sysfs at /sys); tests force either way.
    init(sys: ProcFS, ignoredDevices: NamePattern, netlink: Bool? = nil) {
        self.sys = sys
        self.ignoredDevices = ignoredDevices
        let useNetlink = netlink ?? (sys.root == "/sys" && FileSystem.isSysfs(sys.path("class/net")))
        dumper = useNetlink ? LinkDumper() : nil
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
        let dumped = dumpedLinks(context)
        for name in names.sorted() where !ignoredDevices.matches(name) {
            let base = sys.path("class/net/\(name)")
            // bonding_masters and other plain files are not directories: their ifindex is missing.
            guard attributes.visit(base) else { continue }
            func raw(_ file: String) -> String? { try? attributes.read(base, file).get() }
            func text(_ file: String) -> String { raw(file).map { String(ProcText.trimmed($0)) } ?? "" }
            func number(_ file: String) -> Double? {
                (try? attributes.read(base, file, decode: parseSysfsNumber(bytes:)).get()) ?? nil
            }
            guard let ifindex = number("ifindex") else { continue }
            let address = text("address")
            let link = dumped[name].flatMap { Double($0.index) == ifindex && NetClassValues.mac($0.address) == address ? $0 : nil }
            let operstate = link.map { NetClassValues.operstate($0.operstate) } ?? text("operstate")
            let broadcast = link.map { NetClassValues.mac($0.broadcast) } ?? text("broadcast")
            let alias = link.map { $0.alias ?? "" } ?? text("ifalias")
            info.add([name, address, broadcast, text("duplex"), operstate, alias], 1)
            // One label array shared by the device's samples (copy-on-write), not one each.
            let labels = [Label("device", name)]
            up.samples.append(Sample(labels: labels, value: operstate == "up" ? 1 : 0))
            for (k, attribute) in NetClassMetrics.numeric.enumerated() {
                let fromDump = link.map { NetClassValues.number(attribute.file, $0) }
                let value = fromDump?.answered == true ? fromDump?.value : (attribute.file == "ifindex" ? ifindex : number(attribute.file))
                if let value { numeric[k].samples.append(Sample(labels: labels, value: value)) }
            }
            // Mbit/s → bytes/s; -1 (unknown) stays negative, as node_exporter v1.5 reports it.
            if let mbits = number("speed") {
                speed.samples.append(Sample(labels: labels, value: mbits * 125_000))
            }
        }
        return [info, up, speed] + numeric
    }

    /// This namespace's devices by name; empty (sysfs for everything) when the dump is off or
    /// fails, which is logged at debug level: sysfs still answers.
    private func dumpedLinks(_ context: CollectContext) -> [String: NetlinkLink] {
        guard let dumper else { return [:] }
        do {
            let links = try dumper.links()
            return Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            context.logger.debug("netlink link dump failed; reading sysfs", ["err": error.description])
            return [:]
        }
    }
}
