import Foundation
import Testing
@testable import ExporterCore

/// The RTM_GETLINK dump against this machine's kernel: every device sysfs lists, with the values
/// sysfs shows for the attributes netclass takes from the dump.
///
/// Other tests (and other users of this machine) create and remove interfaces meanwhile (Podman,
/// veth pairs): each comparison is repeated, a bounded number of times, until the set of devices
/// was the same before and after it, and otherwise only the devices present throughout are compared.
@Suite struct RouteNetlinkTests {
    func sysfs(_ device: String, _ attribute: String) -> String? {
        (try? String(contentsOfFile: "/sys/class/net/\(device)/\(attribute)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sysfsDevices() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        return Set(names.filter { FileManager.default.fileExists(atPath: "/sys/class/net/\($0)/ifindex") })
    }

    /// Runs `read` until the devices in sysfs were the same before and after it (at most
    /// `attempts` times): its last result, the devices present throughout, and whether they held still.
    static func withStableDevices<T>(attempts: Int = 5, _ read: () throws -> T) rethrows -> (T, present: Set<String>, stable: Bool) {
        var attempt = 1
        while true {
            let before = sysfsDevices()
            let result = try read()
            let after = sysfsDevices()
            if before == after || attempt == attempts { return (result, before.intersection(after), before == after) }
            attempt += 1
        }
    }

    /// The attributes where the dump and sysfs disagree for one device.
    func mismatches(_ link: NetlinkLink) -> [String] {
        let pairs: [(String, String?)] = [
            ("ifindex", String(link.index)), ("type", String(link.type)), ("mtu", link.mtu.map { String($0) }),
            ("tx_queue_len", link.txQueueLength.map { String($0) }), ("iflink", String(link.link ?? link.index)),
            ("netdev_group", link.group.map { String($0) }), ("link_mode", link.linkMode.map { String($0) }),
            ("address", NetClassValues.mac(link.address)), ("broadcast", NetClassValues.mac(link.broadcast)),
            ("operstate", NetClassValues.operstate(link.operstate)), ("carrier_changes", link.carrierChanges.map { String($0) }),
            // IFF_UP: sysfs answers carrier only for a running device.
            ("carrier", link.flags & 0x1 != 0 ? link.carrier.map { String($0) } : sysfs(link.name, "carrier")),
        ]
        return pairs.compactMap { attribute, value in
            let shown = sysfs(link.name, attribute)
            return shown == value ? nil : "\(link.name)/\(attribute): sysfs \(shown ?? "-"), dump \(value ?? "-")"
        }
    }

    @Test func dumpAgreesWithSysfs() throws {
        let dumper = LinkDumper()
        let ((links, wrong), present, stable) = try Self.withStableDevices { () throws -> ([NetlinkLink], [String]) in
            let links = try dumper.links()
            return (links, links.flatMap(mismatches))
        }
        let dumped = Set(links.map(\.name))
        #expect(present.contains("lo"))
        #expect(dumped.isSuperset(of: present), "sysfs devices missing from the dump: \(present.subtracting(dumped))")
        #expect(!stable || dumped == present, "devices only in the dump: \(dumped.subtracting(present))")
        let relevant = stable ? wrong : wrong.filter { line in present.contains { line.hasPrefix($0 + "/") } }
        #expect(relevant.isEmpty, "\(relevant)")
        // The socket is kept and reused.
        let (again, stillPresent, _) = try Self.withStableDevices { Set(try dumper.links().map(\.name)) }
        #expect(again.isSuperset(of: stillPresent) && again.contains("lo"), "\(again) vs \(stillPresent)")
    }

    /// netclass on the real /sys gives the same exposition with the dump as with sysfs alone.
    @Test func netclassIsTheSameWithAndWithoutTheDump() throws {
        let sys = ProcFS(root: "/sys")
        let all = try NamePattern("^$", flag: "n")
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: 5), logger: .disabled, exposition: ExpositionStats())
        func render(_ collector: NetClassCollector) throws -> String {
            TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats()))
        }
        let ((viaDump, viaSysfs), present, _) = try Self.withStableDevices {
            (try render(NetClassCollector(sys: sys, ignoredDevices: all, netlink: true)),
             try render(NetClassCollector(sys: sys, ignoredDevices: all, netlink: false)))
        }
        /// The series of the devices present throughout (all of them when the set held still).
        func series(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { line in present.contains { line.contains("device=\"\($0)\"") } }
        }
        #expect(series(viaDump) == series(viaSysfs))
        #expect(!series(viaDump).isEmpty)
        #expect(viaDump.contains("node_network_mtu_bytes{device=\"lo\"} 65536"))
        #expect(NetClassCollector(sys: sys, ignoredDevices: all).usesNetlink, "the real /sys uses the dump by default")
        #expect(!NetClassCollector(sys: ProcFS(root: NSTemporaryDirectory()), ignoredDevices: all).usesNetlink)
    }

    @Test func malformedRepliesAreErrorsNotCrashes() {
        var links: [NetlinkLink] = []
        // A header that claims more bytes than there are.
        var bytes: [UInt8] = [64, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: ParseError.self) {
            _ = try bytes.withUnsafeBytes { raw throws(ParseError) in try RouteNetlink.parse(raw, sequence: 1, into: &links) }
        }
        // An RTM_NEWLINK too short for its ifinfomsg.
        bytes = [20, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: ParseError.self) {
            _ = try bytes.withUnsafeBytes { raw throws(ParseError) in try RouteNetlink.parse(raw, sequence: 1, into: &links) }
        }
        // An error reply, and NLMSG_DONE of another dump (ignored).
        bytes = [20, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let finished = bytes.withUnsafeBytes { raw in try? RouteNetlink.parse(raw, sequence: 1, into: &links) }
        #expect(finished == false)
        bytes = [20, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xF3, 0xFF, 0xFF, 0xFF]
        #expect(throws: ParseError.self) {
            _ = try bytes.withUnsafeBytes { raw throws(ParseError) in try RouteNetlink.parse(raw, sequence: 1, into: &links) }
        }
        #expect(links.isEmpty)
    }

    /// Fuzz regression (issue #12, Tests/Fuzz/corpus/netlink/crash-errno-intmin minus its 4-byte
    /// sequence prefix): an NLMSG_ERROR whose errno is Int32.min trapped negating it.
    @Test func errorReplyWithTheSmallestErrnoIsAnError() {
        let bytes: [UInt8] = [20, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x80]
        var links: [NetlinkLink] = []
        #expect {
            _ = try bytes.withUnsafeBytes { raw throws(ParseError) in try RouteNetlink.parse(raw, sequence: 7, into: &links) }
        } throws: { error in
            (error as? ParseError)?.text == "error reply: errno 2147483648"
        }
    }
}
