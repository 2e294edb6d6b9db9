/// A protocol spoken in clear before the TLS handshake. New ones (SMTP `STARTTLS`, IMAP
/// `a STARTTLS`) add a case and a `negotiate` branch; the handshake after is the same.
public enum StartTLS: String, Sendable, CaseIterable {
    case none
    /// PostgreSQL SSLRequest: Int32 length 8, Int32 code 80877103; the server answers one byte,
    /// `S` (go on with TLS) or `N` (no SSL) (PostgreSQL docs, "Protocol Flow", 55.2.10 SSL Session Encryption).
    case postgres

    static let postgresSSLRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]

    func negotiate(_ socket: Socket, deadline: MonotonicTime) throws(TLSProbeError) {
        switch self {
        case .none: return
        case .postgres:
            do {
                try socket.writeAll(Self.postgresSSLRequest, deadline: deadline)
                // Exactly one byte is read: anything after `S` is the server's TLS, left for OpenSSL.
                let answer = try socket.read(upTo: 1, deadline: deadline)
                switch answer.first {
                case UInt8(ascii: "S"): return
                case UInt8(ascii: "N"): throw TLSProbeError.startTLS("PostgreSQL server refused SSL (ssl = off)")
                case nil: throw TLSProbeError.startTLS("connection closed before the SSLRequest answer")
                case let byte?: throw TLSProbeError.startTLS("unexpected SSLRequest answer byte \(byte)")
                }
            } catch let error as TLSProbeError {
                throw error
            } catch let error as SystemError {
                throw error.isTimedOut ? .startTLSTimeout : .startTLS(error.description)
            } catch {
                throw .startTLS(String(describing: error))
            }
        }
    }
}

/// One endpoint to probe: `host:port`, `[v6]:port`, with options `,sni=name` and
/// `,starttls=postgres` on the command line or as `/probe` query parameters.
public struct TLSTarget: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    /// SNI and the name checked against the certificate; the host when not given.
    public var serverName: String
    public var startTLS: StartTLS
    /// As configured; the `target` label.
    public var text: String

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(host: String, port: UInt16, serverName: String? = nil, startTLS: StartTLS = .none, text: String? = nil) {
        self.host = host
        self.port = port
        self.serverName = serverName ?? host
        self.startTLS = startTLS
        self.text = text ?? ListenAddress(host: host, port: port).description
    }

    /// `--tls.endpoint` syntax: `host:port[,sni=name][,starttls=postgres]`.
    public static func parse(_ text: String) throws(ParseError) -> TLSTarget {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var sni: String? = nil, startTLS = StartTLS.none
        for option in parts.dropFirst() {
            guard let eq = option.firstIndex(of: "=") else { throw ParseError(description: "option \"\(option)\" is not key=value") }
            let key = option[..<eq], value = String(option[option.index(after: eq)...])
            switch key {
            case "sni": sni = value
            case "starttls": startTLS = try parseStartTLS(value)
            default: throw ParseError(description: "unknown option \"\(key)\"; known: sni, starttls")
            }
        }
        return try make(address: parts[0], serverName: sni, startTLS: startTLS, text: parts[0])
    }

    /// `/probe` syntax: `target=host:port` with `sni=` and `starttls=` as separate parameters.
    public static func make(address: String, serverName: String?, startTLS: StartTLS, text: String) throws(ParseError) -> TLSTarget {
        guard let parsed = ListenAddress(parsing: address), !parsed.host.isEmpty, parsed.port != 0 else {
            throw ParseError(description: "invalid target \"\(address)\": use host:port or [ipv6]:port")
        }
        guard parsed.host.utf8.count <= 253, parsed.host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else {
            throw ParseError(description: "invalid host in target \"\(address)\"")
        }
        if let serverName, serverName.isEmpty || serverName.utf8.count > 253 || !serverName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw ParseError(description: "invalid sni \"\(serverName)\"")
        }
        return TLSTarget(host: parsed.host, port: parsed.port, serverName: serverName, startTLS: startTLS, text: text)
    }

    public static func parseStartTLS(_ value: String) throws(ParseError) -> StartTLS {
        guard let protocolName = StartTLS(rawValue: value) else {
            throw ParseError(description: "unknown starttls \"\(value)\"; known: \(StartTLS.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return protocolName
    }
}

/// `--tls.probe-allow`: which hosts `/probe` may connect to. `/probe?target=` lets anyone who can
/// reach the exporter make it open connections (blackbox CVE-2020-16248), so by default only the
/// hosts of `--tls.endpoint` are allowed. Patterns match the host as written in the target
/// (before DNS): `*` matches any run of characters, `*` alone allows every host.
public struct ProbeAllowList: Sendable {
    public var patterns: [String]

    public init(patterns: [String]) { self.patterns = patterns }

    public func allows(_ host: String) -> Bool {
        let lower = host.lowercased()
        return patterns.contains { Self.matches(pattern: Array($0.lowercased().utf8), Array(lower.utf8)) }
    }

    /// Wildcard match with `*` only; iterative with one backtrack point (linear in practice).
    static func matches(pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p; mark = t; p += 1
            } else if p < pattern.count && pattern[p] == text[t] {
                p += 1; t += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
