import Glibc

/// A host resolved to one numeric address, as the HTTP prober connects to it and reports it
/// (`probe_ip_protocol`, `probe_ip_addr_hash`).
public struct ResolvedAddress: Sendable, Equatable {
    /// inet_ntop(3) text: `127.0.0.1`, `::1`; `Socket.startConnect` takes it without a lookup.
    public var text: String
    /// 4 or 6.
    public var ipVersion: Int
    /// The 4 or 16 address bytes in network order.
    public var bytes: [UInt8]
}

public enum NameResolution {
    /// Numeric literals without a lookup; names through getaddrinfo(3), preferring IPv6 and falling
    /// back to IPv4 (blackbox's `preferred_ip_protocol: ip6` with `ip_protocol_fallback`).
    /// getaddrinfo cannot be interrupted: callers run it on a pool thread they can give up on.
    public static func resolve(_ host: String) throws(SystemError) -> ResolvedAddress {
        if let literal = literal(host) { return literal }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        guard rc == 0, result != nil else {
            throw SystemError("resolve \(host): \(String(cString: gai_strerror(rc)))", code: EINVAL)
        }
        var v4: ResolvedAddress? = nil
        var entry = result
        while let current = entry {
            if let sa = current.pointee.ai_addr, let address = numeric(sa) {
                if address.ipVersion == 6 { return address }
                if v4 == nil { v4 = address }
            }
            entry = current.pointee.ai_next
        }
        guard let v4 else { throw SystemError("resolve \(host): no IPv4 or IPv6 address", code: EINVAL) }
        return v4
    }

    /// An IPv4 or IPv6 literal (inet_pton(3)), else nil.
    public static func literal(_ host: String) -> ResolvedAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return ResolvedAddress(text: host, ipVersion: 4, bytes: withUnsafeBytes(of: v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return ResolvedAddress(text: host, ipVersion: 6, bytes: withUnsafeBytes(of: v6) { Array($0) })
        }
        return nil
    }

    private static func cText(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func numeric(_ sa: UnsafeMutablePointer<sockaddr>) -> ResolvedAddress? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            var addr = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &addr, &text, socklen_t(text.count)) != nil else { return nil }
            return ResolvedAddress(text: cText(text), ipVersion: 4, bytes: withUnsafeBytes(of: addr) { Array($0) })
        case AF_INET6:
            var addr = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count)) != nil else { return nil }
            return ResolvedAddress(text: cText(text), ipVersion: 6, bytes: withUnsafeBytes(of: addr) { Array($0) })
        default:
            return nil
        }
    }
}
