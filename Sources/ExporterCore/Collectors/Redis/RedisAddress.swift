/// One Redis server as `--redis.addr` gives it: `redis://[user:password@]host[:port][/db]`,
/// `rediss://…` (TLS), `unix:///path/to/socket[?db=N]`, or a bare `host:port` (as redis_exporter
/// takes it). The password never leaves this value except towards the server: `label`, used in
/// the `addr` label and in log lines, has it removed.
struct RedisTarget: Sendable, Equatable, CustomStringConvertible {
    enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: UInt16)
        case unix(path: String)
    }

    var endpoint: Endpoint
    var tls: Bool
    var user: String?
    var password: String?
    var database: Int
    /// The address without its password: the `addr` label and what logs show.
    var label: String

    var description: String { label }

    static let defaultPort: UInt16 = 6379

    /// Parses one address; `fallbackUser`/`fallbackPassword` (REDIS_USER, REDIS_PASSWORD or
    /// REDIS_PASSWORD_FILE) apply when the address has none.
    static func parse(_ raw: String, fallbackUser: String? = nil, fallbackPassword: String? = nil) throws(CollectorError) -> RedisTarget {
        let text = PostgresText.trimmed(raw)
        let scheme: String, rest: Substring
        if let range = text.firstRange(of: "://") {
            scheme = text[..<range.lowerBound].lowercased()
            rest = text[range.upperBound...]
        } else {
            scheme = "redis"
            rest = Substring(text)
        }
        var target: RedisTarget
        switch scheme {
        case "redis", "rediss": target = try network(rest, tls: scheme == "rediss", scheme: scheme)
        case "unix": target = try unix(rest)
        default: throw invalid(raw, "scheme \(scheme) (redis://, rediss:// or unix://)")
        }
        if target.user == nil, let fallbackUser, !fallbackUser.isEmpty { target.user = fallbackUser }
        if target.password == nil, let fallbackPassword, !fallbackPassword.isEmpty { target.password = fallbackPassword }
        target.label = target.redactedText(scheme: scheme)
        return target
    }

    private static func network(_ rest: Substring, tls: Bool, scheme: String) throws(CollectorError) -> RedisTarget {
        var hostPart = rest
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            hostPart = rest[..<slash]
            database = try self.database(rest[rest.index(after: slash)...], in: String(rest))
        }
        let (user, password, authority) = try userInfo(hostPart, in: String(rest))
        let (host, port) = try hostAndPort(authority, in: String(rest))
        return RedisTarget(endpoint: .tcp(host: host, port: port), tls: tls, user: user, password: password, database: database, label: "")
    }

    private static func unix(_ rest: Substring) throws(CollectorError) -> RedisTarget {
        var path = rest
        var database = 0
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@"), !rest.hasPrefix("/") {
            (user, password, _) = try userInfo(rest[...at], in: String(rest))
            path = rest[rest.index(after: at)...]
        }
        if let question = path.firstIndex(of: "?") {
            for pair in path[path.index(after: question)...].split(separator: "&") where pair.hasPrefix("db=") {
                database = try self.database(pair.dropFirst(3), in: String(rest))
            }
            path = path[..<question]
        }
        guard path.hasPrefix("/"), path.count > 1 else { throw invalid(String(rest), "the unix socket path must be absolute") }
        return RedisTarget(endpoint: .unix(path: String(path)), tls: false, user: user, password: password, database: database, label: "")
    }

    private static func userInfo(_ text: Substring, in whole: String) throws(CollectorError) -> (String?, String?, Substring) {
        guard let at = text.lastIndex(of: "@") else { return (nil, nil, text) }
        let info = text[..<at]
        let authority = text[text.index(after: at)...]
        var user: String?, password: String?
        if let colon = info.firstIndex(of: ":") {
            user = try decoded(info[..<colon], in: whole)
            password = try decoded(info[info.index(after: colon)...], in: whole)
        } else {
            user = try decoded(info, in: whole)
        }
        // redis://:password@host is the classic form: no user, the default one.
        return (user?.isEmpty == true ? nil : user, password?.isEmpty == true ? nil : password, authority)
    }

    private static func hostAndPort(_ authority: Substring, in whole: String) throws(CollectorError) -> (String, UInt16) {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid(whole, "unclosed [ in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw invalid(whole, "text after ]") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid(whole, "no host") }
        var port = defaultPort
        if let portText {
            guard let parsed = UInt16(portText), parsed > 0 else { throw invalid(whole, "port \(portText)") }
            port = parsed
        }
        return (String(host), port)
    }

    private static func database(_ text: Substring, in whole: String) throws(CollectorError) -> Int {
        if text.isEmpty { return 0 }
        guard text.count <= 6, let number = Int(text), number >= 0 else { throw invalid(whole, "database \(text)") }
        return number
    }

    /// Percent-decoding of user and password (RFC 3986 §2.1), so `p%40ss` means `p@ss`.
    private static func decoded(_ text: Substring, in whole: String) throws(CollectorError) -> String {
        guard let decoded = PercentEncoding.decode(text) else { throw invalid(whole, "bad percent-encoding in the user info") }
        return decoded
    }

    /// Never shows the password: only the scheme, user, host, port and database.
    private func redactedText(scheme: String) -> String {
        let who = user.map { PercentEncoding.encode($0) + "@" } ?? ""
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(who)\(shownHost):\(port)" + (database == 0 ? "" : "/\(database)")
        case .unix(let path):
            return "unix://\(who)\(path)" + (database == 0 ? "" : "?db=\(database)")
        }
    }

    /// The error never quotes the address, which may hold a password.
    private static func invalid(_ text: String, _ why: String) -> CollectorError {
        CollectorError("invalid --redis.addr: \(why)", configuration: true)
    }
}
