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

    /// What must never be shown: the password as given, as written in the text and percent-encoded.
    var redactor: Redactor {
        var secrets: [String] = []
        if let password = parameters["password"], !password.isEmpty {
            secrets.append(password)
            secrets.append(PercentEncoding.encode(password))
        }
        if let written = writtenPassword, !written.isEmpty { secrets.append(written) }
        return Redactor(secrets: secrets)
    }

    /// The URI's password as written (percent-encoding as the user typed it).
    private let writtenPassword: String?

    init(_ raw: String) throws(CollectorError) {
        self.raw = raw
        let text = PostgresText.trimmed(raw)
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            let parts = try Self.splitURI(text)
            parameters = try Self.parseURI(parts)
            connectionString = Self.normalized(text, parts, parameters)
            writtenPassword = parts.credentials.flatMap { info in info.firstIndex(of: ":").map { String(info[info.index(after: $0)...]) } }
        } else {
            parameters = try Self.parseKeywords(text)
            connectionString = raw
            writtenPassword = nil
        }
    }

    /// What libpq is given: the text as written, except that credentials holding an `@` are
    /// percent-encoded. libpq ends the credentials at the first `@` (fe-connect.c,
    /// conninfo_uri_parse_options), so `user:Se@cr3t@host` would log in as `Se` to the host
    /// `cr3t@host` (a name to resolve, then quoted in its error); the last `@` is the one meant.
    let connectionString: String

    /// A URI cut into its parts: `postgresql://[credentials@]hosts[/dbname][?query]`.
    struct URIParts {
        var scheme: Substring
        var credentials: Substring? = nil
        var hosts: Substring
        var path: Substring? = nil
        var query: Substring? = nil
    }

    /// The credentials end at the LAST `@` before the first `/`; an `@` that could end either
    /// the credentials or something else is refused rather than guessed, since a wrong guess puts
    /// part of the password into the `server` label and logs.
    static func splitURI(_ text: String) throws(CollectorError) -> URIParts {
        guard let scheme = text.firstRange(of: "://") else { throw invalid("not a URI") }
        let after = text[scheme.upperBound...]
        let region = after[..<(after.firstIndex(of: "/") ?? after.endIndex)]
        var authorityEnd = region.endIndex
        if let question = region.firstIndex(of: "?") {
            // `?` ends the authority (RFC 3986, 3.2), but libpq reads a `?` before an `@` as part
            // of the password: `u:pa?ss@host` cannot be told from a query.
            if region[question...].contains("@") { throw ambiguous("an '@' after a '?' (write '?' in the password as %3F, '@' as %40)") }
            authorityEnd = question
        }
        let authority = after[..<authorityEnd]
        var parts = URIParts(scheme: text[..<scheme.upperBound], hosts: authority)
        if let at = authority.lastIndex(of: "@") {
            parts.credentials = authority[..<at]
            parts.hosts = authority[authority.index(after: at)...]
        }
        var tail = after[authorityEnd...]
        if tail.first == "/" {
            let pathEnd = tail.firstIndex(of: "?") ?? tail.endIndex
            let path = tail[tail.index(after: tail.startIndex)..<pathEnd]
            // A `/` in the user or password makes the rest of the credentials read as host,
            // port and database; an `@` in the database name looks the same.
            if path.contains("@") { throw ambiguous("an '@' after the first '/' (write '/' in the user or password as %2F, '@' as %40)") }
            parts.path = path
            tail = tail[pathEnd...]
        }
        if tail.first == "?" { parts.query = tail.dropFirst() }
        return parts
    }

    /// `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`.
    static func parseURI(_ parts: URIParts) throws(CollectorError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (parts.query ?? "").split(separator: "&") where !pair.isEmpty {
            // Not quoted: the parameter may be the password.
            guard let equals = pair.firstIndex(of: "=") else { throw invalid("URI parameter without '='") }
            result[try decode(pair[..<equals])] = try decode(pair[pair.index(after: equals)...])
        }
        if let path = parts.path {
            let name = try decode(path)
            if !name.isEmpty, result["dbname"] == nil { result["dbname"] = name }
        }
        if let userInfo = parts.credentials {
            let colon = userInfo.firstIndex(of: ":")
            let user = try decode(userInfo[..<(colon ?? userInfo.endIndex)])
            if !user.isEmpty, result["user"] == nil { result["user"] = user }
            if let colon, result["password"] == nil { result["password"] = try decode(userInfo[userInfo.index(after: colon)...]) }
        }
        let rest = parts.hosts
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
            // Not quoted: a port that is no number is most likely a piece of a password.
            guard port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else { throw invalid("URI port is not a number") }
            hosts.append(try decode(host))
            ports.append(String(port))
        }
        if result["host"] == nil, hosts.contains(where: { !$0.isEmpty }) { result["host"] = hosts.joined(separator: ",") }
        if result["port"] == nil, ports.contains(where: { !$0.isEmpty }) {
            result["port"] = ports.map { $0.isEmpty ? "5432" : $0 }.joined(separator: ",")
        }
        return result
    }

    private static func normalized(_ text: String, _ parts: URIParts, _ parameters: [String: String]) -> String {
        guard let credentials = parts.credentials, credentials.contains("@") else { return text }
        let colon = credentials.firstIndex(of: ":")
        // Decoded then encoded again, so what was percent-encoded already stays one character.
        var userInfo = PercentEncoding.encode(PercentEncoding.decode(credentials[..<(colon ?? credentials.endIndex)]) ?? "")
        if let colon { userInfo += ":" + PercentEncoding.encode(PercentEncoding.decode(credentials[credentials.index(after: colon)...]) ?? "") }
        return String(parts.scheme) + userInfo + "@" + text[parts.hosts.startIndex...]
    }

    static func invalid(_ message: String) -> CollectorError {
        CollectorError("postgres DSN: \(message)", configuration: true)
    }

    private static func ambiguous(_ reason: String) -> CollectorError {
        invalid("ambiguous URI, \(reason); the DSN is not shown, it may hold a password")
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
                // Not quoted: an unquoted password with a space in it would show here.
                throw invalid("expected keyword=value")
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
                guard closed else { throw invalid("unterminated quoted value for \(key)") }
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
        guard let decoded = PercentEncoding.decode(text) else { throw invalid("invalid percent-encoding") }
        return decoded
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
        // Assignments first: masking credentials up to a URI's last `@` could cut a query's
        // `password=a@b` in half.
        return Self.maskURIUserInfo(Self.maskPasswordAssignments(result))
    }

    /// Every `password=…` (any letter case, spaces around `=`, single-quoted with `\'` escapes or
    /// not, a URI query parameter ending at `&`) → `password=xxxxx`.
    static func maskPasswordAssignments(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.indices.first(where: { rest[$0...].prefix(8).lowercased() == "password" }) {
            let keyword = rest[start...].prefix(8)
            var tail = rest[keyword.endIndex...].drop { $0 == " " || $0 == "\t" }
            guard tail.first == "=" else {
                output += rest[..<keyword.endIndex]
                rest = rest[keyword.endIndex...]
                continue
            }
            output += rest[..<keyword.endIndex] + "=" + mask
            tail = tail.dropFirst().drop { $0 == " " || $0 == "\t" }
            if tail.first == "'" {
                tail = tail.dropFirst()
                while let c = tail.popFirst(), c != "'" {
                    if c == "\\" { _ = tail.popFirst() }
                }
            } else {
                tail = tail.drop { !$0.isWhitespace && $0 != "&" && $0 != "\"" }
            }
            rest = tail
        }
        return output + rest
    }

    /// `scheme://user:secret@host` → `scheme://xxxxx@host`: everything between `://` and the last
    /// `@` of the word is credentials, even when an unencoded `/` or `@` in them hides the boundary.
    static func maskURIUserInfo(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let word = rest.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "'" }
            if let at = word.lastIndex(of: "@") {
                output += mask
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
    static func trimmed(_ text: String) -> String { text.trimmingWhitespace() }

    static func replacingAll(_ text: String, _ target: String, with replacement: String) -> String {
        text.replacingAll(target, with: replacement)
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
