import Foundation
import Testing
@testable import ExporterCore

/// The RTM_GETLINK dump against this machine's kernel: every device sysfs lists, with the values
/// sysfs shows for the attributes netclass takes from the dump.
@Suite struct RouteNetlinkTests {
    func sysfs(_ device: String, _ attribute: String) -> String? {
        (try? String(contentsOfFile: "/sys/class/net/\(device)/\(attribute)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func dumpAgreesWithSysfs() throws {
        let dumper = LinkDumper()
        let links = try dumper.links()
        let names = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")
            .filter { FileManager.default.fileExists(atPath: "/sys/class/net/\($0)/ifindex") }
        #expect(Set(links.map(\.name)) == Set(names))
        for link in links {
            #expect(sysfs(link.name, "ifindex") == String(link.index), "\(link.name)")
            #expect(sysfs(link.name, "type") == String(link.type))
            #expect(sysfs(link.name, "mtu") == link.mtu.map { String($0) })
            #expect(sysfs(link.name, "tx_queue_len") == link.txQueueLength.map { String($0) })
            #expect(sysfs(link.name, "iflink") == String(link.link ?? link.index))
            #expect(sysfs(link.name, "netdev_group") == link.group.map { String($0) })
            #expect(sysfs(link.name, "link_mode") == link.linkMode.map { String($0) })
            #expect(sysfs(link.name, "address") == NetClassValues.mac(link.address))
            #expect(sysfs(link.name, "broadcast") == NetClassValues.mac(link.broadcast))
            #expect(sysfs(link.name, "operstate") == NetClassValues.operstate(link.operstate))
            #expect(sysfs(link.name, "carrier_changes") == link.carrierChanges.map { String($0) })
            if link.flags & 0x1 != 0 {  // IFF_UP: sysfs answers carrier only for a running device
                #expect(sysfs(link.name, "carrier") == link.carrier.map { String($0) })
            }
        }
        // The socket is kept and reused.
        #expect(try dumper.links().map(\.name) == links.map(\.name))
    }

    /// netclass on the real /sys gives the same exposition with the dump as with sysfs alone.
    @Test func netclassIsTheSameWithAndWithoutTheDump() throws {
        let sys = ProcFS(root: "/sys")
        let all = try NamePattern("^$", flag: "n")
        let context = CollectContext(deadline: MonotonicTime.now().adding(seconds: 5), logger: .disabled, exposition: ExpositionStats())
        func render(_ collector: NetClassCollector) throws -> String {
            TextFormat.render(text: Normalizer.normalize(try collector.collect(context), stats: ExpositionStats()))
        }
        let viaDump = try render(NetClassCollector(sys: sys, ignoredDevices: all, netlink: true))
        let viaSysfs = try render(NetClassCollector(sys: sys, ignoredDevices: all, netlink: false))
        #expect(viaDump == viaSysfs)
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
}
