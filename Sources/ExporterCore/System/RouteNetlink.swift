import CSystem
import Glibc
import Synchronization

/// A network device as an RTM_GETLINK dump reports it (rtnetlink(7), linux/if_link.h). Optional
/// fields are the attributes the kernel may leave out (IFLA_LINK when it equals the index, the
/// carrier counts on kernels before 4.19…).
struct NetlinkLink: Equatable, Sendable {
    var index: Int32
    var type: UInt16
    /// `ifi_flags`: the device flags plus IFF_RUNNING, IFF_LOWER_UP and IFF_DORMANT as reported
    /// by dev_get_flags() (not the same value as sysfs `flags`).
    var flags: UInt32
    var name = ""
    var mtu: UInt32? = nil
    var txQueueLength: UInt32? = nil
    var link: Int32? = nil
    var operstate: UInt8? = nil
    var linkMode: UInt8? = nil
    var group: UInt32? = nil
    var carrier: UInt8? = nil
    var carrierChanges: UInt32? = nil
    var carrierUpCount: UInt32? = nil
    var carrierDownCount: UInt32? = nil
    var address: [UInt8]? = nil
    var broadcast: [UInt8]? = nil
    var alias: String? = nil
}

/// Message and attribute numbers of linux/netlink.h, linux/rtnetlink.h and linux/if_link.h.
enum RouteNetlink {
    static let getLink: UInt16 = 18, newLink: UInt16 = 16
    static let done: UInt16 = 3, error: UInt16 = 2
    static let request: UInt16 = 0x1, dump: UInt16 = 0x300
    static let headerSize = 16, ifinfoSize = 16

    enum Attribute: UInt16 {
        case address = 1, broadcast = 2, name = 3, mtu = 4, link = 5, txQueueLength = 13, operstate = 16, linkMode = 17
        case alias = 20, group = 27, carrier = 33, carrierChanges = 35, carrierUpCount = 47, carrierDownCount = 48
    }

    /// Reads the RTM_NEWLINK messages of one dump reply buffer into `links`; true when the dump's
    /// NLMSG_DONE was in it. Throws on a malformed message or an NLMSG_ERROR reply.
    static func parse(_ bytes: UnsafeRawBufferPointer, sequence: UInt32, into links: inout [NetlinkLink]) throws(ParseError) -> Bool {
        var offset = 0
        while offset + headerSize <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let type = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            let seq = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            guard length >= headerSize, offset + length <= bytes.count else {
                throw ParseError(file: "rtnetlink", line: links.count + 1, text: "message length \(length) at \(offset)")
            }
            defer { offset += (length + 3) & ~3 }
            guard seq == sequence else { continue }  // a late reply to an abandoned dump
            switch type {
            case done: return true
            case error:
                let code = length >= headerSize + 4 ? bytes.loadUnaligned(fromByteOffset: offset + headerSize, as: Int32.self) : 0
                // Widened before negating: a reply claiming errno Int32.min trapped here (issue #12, fuzzing).
                throw ParseError(file: "rtnetlink", line: links.count + 1, text: "error reply: errno \(-Int64(code))")
            case newLink:
                guard length >= headerSize + ifinfoSize else {
                    throw ParseError(file: "rtnetlink", line: links.count + 1, text: "short RTM_NEWLINK of \(length) bytes")
                }
                links.append(link(UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + length)])))
            default: continue
            }
        }
        return false
    }

    /// One RTM_NEWLINK payload: ifinfomsg, then attributes (4-byte aligned).
    private static func link(_ payload: UnsafeRawBufferPointer) -> NetlinkLink {
        var link = NetlinkLink(
            index: payload.loadUnaligned(fromByteOffset: 4, as: Int32.self),
            type: payload.loadUnaligned(fromByteOffset: 2, as: UInt16.self),
            flags: payload.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var offset = ifinfoSize
        while offset + 4 <= payload.count {
            let length = Int(payload.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let rawType = payload.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3FFF  // without NLA_F_NESTED/NET_BYTEORDER
            guard length >= 4, offset + length <= payload.count else { break }
            let value = UnsafeRawBufferPointer(rebasing: payload[(offset + 4)..<(offset + length)])
            offset += (length + 3) & ~3
            guard let attribute = Attribute(rawValue: rawType) else { continue }
            func u32() -> UInt32? { value.count >= 4 ? value.loadUnaligned(as: UInt32.self) : nil }
            func u8() -> UInt8? { value.first }
            func text() -> String { String(decoding: value.prefix { $0 != 0 }, as: UTF8.self) }
            switch attribute {
            case .address: link.address = Array(value)
            case .broadcast: link.broadcast = Array(value)
            case .name: link.name = text()
            case .mtu: link.mtu = u32()
            case .link: link.link = u32().map { Int32(bitPattern: $0) }
            case .txQueueLength: link.txQueueLength = u32()
            case .operstate: link.operstate = u8()
            case .linkMode: link.linkMode = u8()
            case .alias: link.alias = text()
            case .group: link.group = u32()
            case .carrier: link.carrier = u8()
            case .carrierChanges: link.carrierChanges = u32()
            case .carrierUpCount: link.carrierUpCount = u32()
            case .carrierDownCount: link.carrierDownCount = u32()
            }
        }
        return link
    }
}

/// Every network device of this network namespace in one RTM_GETLINK dump over a NETLINK_ROUTE
/// socket kept open between scrapes: a few system calls instead of a sysfs read per attribute.
/// The socket has a receive timeout, so a dump can never hang a scrape.
final class LinkDumper: Sendable {
    private struct State {
        var socket: Socket?
        var sequence: UInt32 = 0
    }

    private let state = Mutex(State())

    deinit { state.withLock { $0.socket?.close() } }

    func links() throws(SystemError) -> [NetlinkLink] {
        let result: Result<[NetlinkLink], SystemError> = state.withLock { state in
            do throws(SystemError) {
                let socket: Socket
                if let open = state.socket { socket = open } else { socket = try Socket.netlinkRoute(receiveTimeout: 1) }
                state.socket = socket
                state.sequence &+= 1
                return .success(try Self.dump(socket, sequence: state.sequence))
            } catch {
                // A socket in an unknown state (half-read dump) is not reused.
                state.socket?.close()
                state.socket = nil
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func dump(_ socket: Socket, sequence: UInt32) throws(SystemError) -> [NetlinkLink] {
        // nlmsghdr + ifinfomsg (AF_UNSPEC: every device).
        var request = [UInt8](repeating: 0, count: RouteNetlink.headerSize + RouteNetlink.ifinfoSize)
        request.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(raw.count), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: RouteNetlink.getLink, toByteOffset: 4, as: UInt16.self)
            raw.storeBytes(of: RouteNetlink.request | RouteNetlink.dump, toByteOffset: 6, as: UInt16.self)
            raw.storeBytes(of: sequence, toByteOffset: 8, as: UInt32.self)
        }
        try socket.sendToKernel(request)
        var links: [NetlinkLink] = []
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        for _ in 0..<1024 {  // bounded: a dump of thousands of devices still ends
            let received = try socket.receiveDatagram(into: &buffer)
            let finished = buffer.withUnsafeBytes { raw -> Result<Bool, ParseError> in
                do throws(ParseError) {
                    return .success(try RouteNetlink.parse(UnsafeRawBufferPointer(rebasing: raw[0..<received]), sequence: sequence, into: &links))
                } catch { return .failure(error) }
            }
            switch finished {
            case .success(true): return links
            case .success(false): continue
            case .failure(let error): throw SystemError("netlink dump: \(error)", code: EPROTO)
            }
        }
        throw SystemError("netlink dump did not end", code: EPROTO)
    }
}
