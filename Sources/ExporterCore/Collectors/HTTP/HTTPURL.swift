/// An absolute http:// or https:// URL as the prober needs it (RFC 3986 §3): no user info (a
/// password would end up in the `target` label), a host name or IP literal, a port.
struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    var isTLS: Bool
    /// Without brackets: `::1`.
    var host: String
    var port: UInt16
    /// Path and query, at least `/`; the fragment is dropped (never sent, RFC 9110 §4.2.4).
    var pathAndQuery: String

    struct ParseError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    var description: String {
        let scheme = isTLS ? "https" : "http"
        return "\(scheme)://\(authority)\(pathAndQuery)"
    }

    /// The Host field (RFC 9110 §7.2): the default port is left out.
    var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    static func parse(_ text: String) throws(ParseError) -> HTTPURL {
        let lower = text.lowercased()
        let isTLS: Bool
        if lower.hasPrefix("http://") { isTLS = false } else if lower.hasPrefix("https://") { isTLS = true } else {
            throw ParseError(description: "invalid URL \"\(text.prefix(200))\": only http:// and https:// are supported")
        }
        let rest = text.dropFirst(isTLS ? 8 : 7)
        guard rest.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ParseError(description: "invalid URL \"\(text.prefix(200))\": spaces or control characters (percent-encode them)")
        }
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        var path = String(rest[end...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.contains("@") else { throw ParseError(description: "invalid URL \"\(text.prefix(200))\": user info is not supported") }
        let (host, port) = try hostAndPort(authority, defaultPort: isTLS ? 443 : 80, text: text)
        return HTTPURL(isTLS: isTLS, host: host, port: port, pathAndQuery: path)
    }

    private static func hostAndPort(_ authority: Substring, defaultPort: UInt16, text: String) throws(ParseError) -> (String, UInt16) {
        let bad = ParseError(description: "invalid host or port in URL \"\(text.prefix(200))\"")
        var host: Substring, portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad }
                portText = after.dropFirst()
            }
            guard NameResolution.literal(String(host))?.ipVersion == 6 else { throw bad }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, host.utf8.count <= 253, !host.contains(":") || authority.hasPrefix("[") else { throw bad }
        var port = defaultPort
        if let portText, !portText.isEmpty {
            guard portText.utf8.count <= 5, let value = UInt16(portText), value > 0 else { throw bad }
            port = value
        }
        return (host.lowercased(), port)
    }

    /// A Location field resolved against this URL (RFC 9110 §10.2.2, RFC 3986 §5.2): absolute,
    /// scheme-relative (`//host/p`), absolute-path or relative-path references.
    func resolving(_ location: String) throws(ParseError) -> HTTPURL {
        let lower = location.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return try Self.parse(location) }
        if location.hasPrefix("//") { return try Self.parse((isTLS ? "https:" : "http:") + location) }
        guard location.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ParseError(description: "invalid Location \"\(location.prefix(200))\"")
        }
        var next = self
        var reference = location
        if let hash = reference.firstIndex(of: "#") { reference = String(reference[..<hash]) }
        if reference.hasPrefix("/") {
            next.pathAndQuery = reference
        } else if reference.hasPrefix("?") {
            next.pathAndQuery = String(pathAndQuery.prefix { $0 != "?" }) + reference
        } else if !reference.isEmpty {
            let directory = pathAndQuery.prefix { $0 != "?" }
            let base = directory.lastIndex(of: "/").map { directory[...$0] } ?? "/"
            next.pathAndQuery = String(base) + reference
        }
        return next
    }
}
