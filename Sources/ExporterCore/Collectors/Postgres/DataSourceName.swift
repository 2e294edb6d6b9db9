/// A libpq connection string, URI (`postgresql://user:secret@host:5432/db?sslmode=disable`) or
/// key=value (`host=db port=5432 password='s e'`), parsed only to name the server and to know the
/// secret to scrub; libpq itself parses the raw text (libpq docs, "Connection Strings").
struct DataSourceName: Sendable, Equatable {
    let raw: String
    /// Keywords as libpq understands them (`user`, `password`, `host`, `port`, `dbname`, …).
    let parameters: [String: String]

    /// `host:port` for the `server` label; never the user or password. A socket directory stays a path.
    var server: String {
        let hosts = (parameters["host"] ?? parameters["hostaddr"] ?? "localhost").split(separator: ",", omittingEmptySubsequences: false)
        let ports = (parameters["port"] ?? "5432").split(separator: ",", omittingEmptySubsequences: false)
        var parts: [String] = []
        for (index, host) in hosts.enumerated() {
            let port = ports.count == hosts.count ? ports[index] : (ports.first ?? "5432")
            let name = host.isEmpty ? "localhost" : String(host)
            parts.append((name.contains(":") && !name.hasPrefix("/") ? "[\(name)]" : name) + ":" + port)
        }
        return parts.joined(separator: ",")
    }

    var database: String { parameters["dbname"] ?? parameters["user"] ?? "" }
    var user: String { parameters["user"] ?? "" }

    /// What must never be shown: the password as given and as written in the text (percent-encoded).
    var redactor: Redactor {
        var secrets: [String] = []
        if let password = parameters["password"], !password.isEmpty {
            secrets.append(password)
            secrets.append(PercentEncoding.encode(password))
        }
        return Redactor(secrets: secrets)
    }

    init(_ raw: String) throws(CollectorError) {
        self.raw = raw
        let text = PostgresText.trimmed(raw)
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            parameters = try Self.parseURI(text)
        } else {
            parameters = try Self.parseKeywords(text)
        }
    }

    /// `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`.
    static func parseURI(_ text: String) throws(CollectorError) -> [String: String] {
        var rest = Substring(text)
        rest = rest.drop { $0 != "/" }.dropFirst(2)
        var result: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") where !pair.isEmpty {
                guard let equals = pair.firstIndex(of: "=") else { throw CollectorError("postgres DSN: URI parameter without '=' (\(Self.uriShape(text)))") }
                result[try decode(pair[..<equals])] = try decode(pair[pair.index(after: equals)...])
            }
            rest = rest[..<question]
        }
        if let slash = rest.firstIndex(of: "/") {
            let name = try decode(rest[rest.index(after: slash)...])
            if !name.isEmpty, result["dbname"] == nil { result["dbname"] = name }
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try decode(userInfo[..<colon])
                let password = try decode(userInfo[userInfo.index(after: colon)...])
                if result["user"] == nil { result["user"] = user }
                if result["password"] == nil { result["password"] = password }
            } else if !userInfo.isEmpty {
                let user = try decode(userInfo)
                if result["user"] == nil { result["user"] = user }
            }
            rest = rest[rest.index(after: at)...]
        }
        var hosts: [String] = [], ports: [String] = []
        for entry in rest.split(separator: ",", omittingEmptySubsequences: false) where !rest.isEmpty {
            var host = entry, port: Substring = ""
            if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                host = entry[entry.index(after: entry.startIndex)..<close]
                let after = entry[entry.index(after: close)...]
                if after.hasPrefix(":") { port = after.dropFirst() }
            } else if let colon = entry.lastIndex(of: ":") {
                host = entry[..<colon]
                port = entry[entry.index(after: colon)...]
            }
            hosts.append(try decode(host))
            ports.append(String(port))
        }
        if result["host"] == nil, hosts.contains(where: { !$0.isEmpty }) { result["host"] = hosts.joined(separator: ",") }
        if result["port"] == nil, ports.contains(where: { !$0.isEmpty }) {
            result["port"] = ports.map { $0.isEmpty ? "5432" : $0 }.joined(separator: ",")
        }
        return result
    }

    /// `keyword = value` pairs separated by whitespace; values may be single-quoted with `\'` and `\\`.
    static func parseKeywords(_ text: String) throws(CollectorError) -> [String: String] {
        var result: [String: String] = [:]
        var characters = Array(text)[...]
        func skipSpaces() { while let c = characters.first, c.isWhitespace { characters.removeFirst() } }
        while true {
            skipSpaces()
            guard !characters.isEmpty else { break }
            var key = ""
            while let c = characters.first, c != "=", !c.isWhitespace { key.append(c); characters.removeFirst() }
            skipSpaces()
            guard characters.first == "=", !key.isEmpty else {
                throw CollectorError("postgres DSN: expected keyword=value near \"\(key.prefix(20))\"")
            }
            characters.removeFirst()
            skipSpaces()
            var value = ""
            if characters.first == "'" {
                characters.removeFirst()
                var closed = false
                while let c = characters.first {
                    characters.removeFirst()
                    if c == "\\", let next = characters.first { value.append(next); characters.removeFirst(); continue }
                    if c == "'" { closed = true; break }
                    value.append(c)
                }
                // The value is not echoed: it may be the password.
                guard closed else { throw CollectorError("postgres DSN: unterminated quoted value for \(key)") }
            } else {
                while let c = characters.first, !c.isWhitespace {
                    characters.removeFirst()
                    if c == "\\", let next = characters.first { value.append(next); characters.removeFirst(); continue }
                    value.append(c)
                }
            }
            result[key] = value
        }
        return result
    }

    private static func decode(_ text: Substring) throws(CollectorError) -> String {
        guard let decoded = PercentEncoding.decode(text) else { throw CollectorError("postgres DSN: invalid percent-encoding") }
        return decoded
    }

    /// The URI with its user information removed, for error messages.
    static func uriShape(_ text: String) -> String {
        guard let scheme = text.firstRange(of: "://") else { return "postgresql://…" }
        let after = text[scheme.upperBound...]
        guard let at = after.firstIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "xxxxx@" + after[after.index(after: at)...]
    }

    /// Reads `--postgres.dsn`, `--postgres.dsn-file` contents (one DSN a line; `#` comments) and
    /// `DATA_SOURCE_NAME` (postgres_exporter's comma-separated list of URIs).
    static func collect(flags: [String], files: [String], environment: String?) throws(CollectorError) -> [DataSourceName] {
        var texts = flags
        for content in files {
            for line in content.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                let trimmed = PostgresText.trimmed(String(line))
                if !trimmed.isEmpty, !trimmed.hasPrefix("#") { texts.append(trimmed) }
            }
        }
        if let environment, !environment.isEmpty {
            let parts = environment.split(separator: ",").map { PostgresText.trimmed(String($0)) }
            let allURIs = parts.allSatisfy { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") }
            texts += allURIs ? parts : [environment]
        }
        var result: [DataSourceName] = []
        for text in texts {
            let dsn = try DataSourceName(text)
            if !result.contains(where: { $0.server == dsn.server && $0.database == dsn.database && $0.user == dsn.user }) { result.append(dsn) }
        }
        return result
    }
}

/// Scrubs secrets from text that may echo them (libpq's messages can quote the connection string,
/// postgres_exporter #181, #643, #1111).
struct Redactor: Sendable, Equatable {
    let secrets: [String]
    static let mask = "xxxxx"

    func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = PostgresText.replacingAll(result, secret, with: Self.mask)
        }
        return Self.maskPasswordAssignments(Self.maskURIUserInfo(result))
    }

    /// `password=...` / `password='...'` → `password=xxxxx`.
    static func maskPasswordAssignments(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "password=") {
            output += rest[..<range.upperBound] + mask
            var tail = rest[range.upperBound...]
            if tail.first == "'" {
                tail = tail.dropFirst()
                if let close = tail.firstIndex(of: "'") { tail = tail[tail.index(after: close)...] } else { tail = "" }
            } else {
                tail = tail.drop { !$0.isWhitespace && $0 != "&" && $0 != "\"" }
            }
            rest = tail
        }
        return output + rest
    }

    /// `scheme://user:secret@host` → `scheme://user:xxxxx@host`.
    static func maskURIUserInfo(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authority = rest.prefix { !$0.isWhitespace && $0 != "/" && $0 != "\"" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[..<colon] + ":" + mask
                rest = rest[at...]
            }
        }
        return output + rest
    }
}

enum PercentEncoding {
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard iterator.count >= 2, let high = hex(iterator.removeFirst()), let low = hex(iterator.removeFirst()) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every byte outside RFC 3986's unreserved set, escaped.
    static func encode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            let unreserved = MetricNames.isLetter(byte) || MetricNames.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if unreserved { out.append(byte) } else { out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Small string helpers without Foundation.
enum PostgresText {
    static func trimmed(_ text: String) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    static func replacingAll(_ text: String, _ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return text }
        var output = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: target) {
            output += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}

/// postgres_exporter's environment conventions, so its container and systemd set-ups carry over:
/// `DATA_SOURCE_NAME` (or `DATA_SOURCE_NAME_FILE`), else `DATA_SOURCE_URI` with
/// `DATA_SOURCE_USER` and `DATA_SOURCE_PASS` (each also as `…_FILE`), assembled into
/// `postgresql://user:pass@uri` (cmd/postgres_exporter/main.go, getDataSources).
enum PostgresEnvironment {
    static func dataSourceNames(
        _ environment: [String: String], readFile: (String) throws -> String
    ) throws(CollectorError) -> String? {
        func value(_ name: String) throws(CollectorError) -> String? {
            if let direct = environment[name], !direct.isEmpty { return direct }
            guard let path = environment[name + "_FILE"], !path.isEmpty else { return nil }
            do {
                return PostgresText.trimmed(try readFile(path))
            } catch {
                throw CollectorError("\(name)_FILE \(path): cannot be read")
            }
        }
        if let names = try value("DATA_SOURCE_NAME") { return names }
        guard let uri = try value("DATA_SOURCE_URI") else { return nil }
        var userInfo = ""
        if let user = try value("DATA_SOURCE_USER") {
            userInfo = PercentEncoding.encode(user)
            if let password = try value("DATA_SOURCE_PASS") { userInfo += ":" + PercentEncoding.encode(password) }
            userInfo += "@"
        }
        let location = uri.hasPrefix("postgresql://") ? String(uri.dropFirst(13)) : uri.hasPrefix("postgres://") ? String(uri.dropFirst(11)) : uri
        return "postgresql://" + userInfo + location
    }
}
