/// `--web.config.file`: exporter-toolkit's web-config.yml (docs/web-configuration.md), so the
/// file written for node_exporter works here. Decoded strictly, like the toolkit's
/// `yaml.UnmarshalStrict`: an unknown key is an error, not a silently open door.
public struct WebConfig: Sendable, Equatable {
    public struct TLSServer: Sendable, Equatable {
        /// Absolute paths (relative ones are resolved against the config file's directory).
        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuthPolicy = .noClientCert
        public var clientCAFile: String?
        public var minVersion: TLSVersion = .tls12
        public var maxVersion: TLSVersion = .tls13
        /// OpenSSL names of the TLS ≤ 1.2 suites, in preference order; empty: OpenSSL's defaults.
        public var cipherSuites: [String] = []
        public var preferServerCipherSuites = true
        /// OpenSSL group names, in preference order; empty: OpenSSL's defaults.
        public var curves: [String] = []
        /// `client_allowed_sans`: one must be in the client certificate; empty: any.
        public var allowedSANs: [String] = []
    }

    public var tls: TLSServer?
    /// User name → bcrypt hash.
    public var users: [String: String] = [:]
    /// Extra response headers (an allow-list, as the toolkit's).
    public var headers: [HTTPHeader] = []
    /// `http2` as given; HTTP/2 is not served, so it only earns a log line.
    public var http2: Bool?
    /// Whether `tls_server_config` was present but empty, which the toolkit takes as "TLS off".
    public var tlsSectionEmpty = false

    public init() {}

    /// The headers the toolkit lets a config add, with the values it accepts (nil: any).
    static let allowedHeaders: [(name: String, values: [String]?)] = [
        ("Content-Security-Policy", nil), ("X-Frame-Options", ["deny", "sameorigin"]),
        ("X-Content-Type-Options", ["nosniff"]), ("X-XSS-Protection", nil), ("Strict-Transport-Security", nil),
    ]

    /// Reads and decodes `path`, resolving relative paths against its directory.
    public static func load(path: String) throws(WebConfigError) -> WebConfig {
        let text: String
        do {
            text = try FileReader.readText(path, limit: 1 << 20)
        } catch {
            throw WebConfigError(file: path, line: 0, "cannot read: \(error.description)")
        }
        return try parse(text, file: path, directory: directory(of: path))
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Decodes the text of a file; `directory` anchors relative paths.
    static func parse(_ text: String, file: String, directory: String) throws(WebConfigError) -> WebConfig {
        let root = try YAMLSubsetParser.parse(text, file: file)
        let decoder = WebConfigDecoder(file: file, directory: directory)
        return try decoder.decode(root)
    }
}

/// Turns the YAML tree into a `WebConfig`, checking every key and value with its line.
struct WebConfigDecoder {
    let file: String
    let directory: String

    private func error(_ line: Int, _ message: String) -> WebConfigError {
        WebConfigError(file: file, line: line, message)
    }

    func decode(_ root: YAMLValue) throws(WebConfigError) -> WebConfig {
        var config = WebConfig()
        let top = try mapping(root, "the top level", allowed: ["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"])
        for entry in top {
            switch entry.key {
            case "tls_server_config":
                config.tls = try tlsServer(entry.value, line: entry.line)
                config.tlsSectionEmpty = config.tls == nil
            case "http_server_config": try httpServer(entry.value, into: &config)
            case "basic_auth_users": config.users = try users(entry.value)
            default: throw error(entry.line, "rate_limit is not supported by stack_exporter (see docs/security.md)")
            }
        }
        return config
    }

    /// The entries of a mapping (`empty` counts as none); unknown keys are errors.
    private func mapping(_ value: YAMLValue, _ section: String, allowed: Set<String>?) throws(WebConfigError) -> [YAMLEntry] {
        switch value.kind {
        case .empty: return []
        case .mapping(let entries):
            if let allowed, let unknown = entries.first(where: { !allowed.contains($0.key) }) {
                throw error(unknown.line, "unknown key \"\(unknown.key)\" in \(section)")
            }
            return entries
        default: throw error(value.line, "\(section) must be a mapping")
        }
    }

    private func string(_ value: YAMLValue, _ key: String) throws(WebConfigError) -> String {
        guard case .scalar(let text, _) = value.kind else { throw error(value.line, "\(key) must be a string") }
        return text
    }

    private func bool(_ value: YAMLValue, _ key: String) throws(WebConfigError) -> Bool {
        guard case .scalar(let text, false) = value.kind else { throw error(value.line, "\(key) must be true or false") }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(value.line, "\(key) must be true or false, not \"\(text)\"")
        }
    }

    private func strings(_ value: YAMLValue, _ key: String) throws(WebConfigError) -> [(String, Int)] {
        switch value.kind {
        case .empty: return []
        case .sequence(let items):
            var result: [(String, Int)] = []
            for item in items { result.append((try string(item, "each item of \(key)"), item.line)) }
            return result
        default: throw error(value.line, "\(key) must be a list")
        }
    }

    /// A path from the file: relative ones are relative to the file's directory, as the toolkit
    /// resolves them (config.SetDirectory).
    private func path(_ value: YAMLValue, _ key: String) throws(WebConfigError) -> String {
        let text = try string(value, key)
        guard !text.isEmpty else { throw error(value.line, "\(key) is empty") }
        return text.hasPrefix("/") ? text : directory + "/" + text
    }

    // MARK: sections

    private static let tlsKeys: Set<String> = [
        "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version", "cipher_suites",
        "prefer_server_cipher_suites", "curve_preferences", "cert", "key", "client_ca", "client_allowed_sans",
    ]

    private func tlsServer(_ value: YAMLValue, line: Int) throws(WebConfigError) -> WebConfig.TLSServer? {
        let entries = try mapping(value, "tls_server_config", allowed: Self.tlsKeys)
        var fields: [String: YAMLValue] = [:]
        for entry in entries {
            if ["cert", "key", "client_ca"].contains(entry.key) {
                throw error(entry.line, "inline \(entry.key) is not supported; use \(entry.key)_file")
            }
            fields[entry.key] = entry.value
        }
        // The toolkit serves plain HTTP when none of these is set (web/tls_config.go).
        let enabling = ["cert_file", "key_file", "client_auth_type", "client_ca_file"]
        guard enabling.contains(where: { fields[$0] != nil }) else { return nil }
        guard let cert = fields["cert_file"] else { throw error(line, "tls_server_config: missing cert_file") }
        guard let key = fields["key_file"] else { throw error(line, "tls_server_config: missing key_file") }
        var tls = WebConfig.TLSServer(certFile: try path(cert, "cert_file"), keyFile: try path(key, "key_file"))
        try tlsPolicy(fields, into: &tls, line: line)
        try tlsAlgorithms(fields, into: &tls)
        return tls
    }

    private func tlsPolicy(_ fields: [String: YAMLValue], into tls: inout WebConfig.TLSServer, line: Int) throws(WebConfigError) {
        if let value = fields["client_auth_type"] {
            let name = try string(value, "client_auth_type")
            guard let policy = ClientAuthPolicy(rawValue: name) else {
                let names = ClientAuthPolicy.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(value.line, "invalid client_auth_type \"\(name)\" (one of \(names))")
            }
            tls.clientAuth = policy
        }
        if let value = fields["client_ca_file"] {
            tls.clientCAFile = try path(value, "client_ca_file")
            // The toolkit's "Client CA's have been configured without a Client Auth Policy".
            guard tls.clientAuth != .noClientCert else {
                throw error(value.line, "client_ca_file is set but client_auth_type is NoClientCert; set client_auth_type (RequireAndVerifyClientCert)")
            }
        }
        for (key, keyPath) in [("min_version", \WebConfig.TLSServer.minVersion), ("max_version", \.maxVersion)] {
            guard let value = fields[key] else { continue }
            let name = try string(value, key)
            guard let version = TLSVersion(goName: name) else {
                throw error(value.line, "unknown TLS version \"\(name)\" for \(key) (TLS12 or TLS13; TLS10 and TLS11 are not offered)")
            }
            tls[keyPath: keyPath] = version
        }
        guard tls.minVersion <= tls.maxVersion else { throw error(fields["max_version"]?.line ?? line, "max_version is below min_version") }
        if let value = fields["client_allowed_sans"] {
            tls.allowedSANs = try strings(value, "client_allowed_sans").map(\.0)
            // Without a required certificate there may be no SAN to match (the toolkit's rule).
            guard tls.clientAuth.requiresCertificate || tls.allowedSANs.isEmpty else {
                throw error(value.line, "client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert")
            }
        }
        if let value = fields["prefer_server_cipher_suites"] {
            tls.preferServerCipherSuites = try bool(value, "prefer_server_cipher_suites")
        }
    }

    private func tlsAlgorithms(_ fields: [String: YAMLValue], into tls: inout WebConfig.TLSServer) throws(WebConfigError) {
        if let value = fields["cipher_suites"] {
            for (name, line) in try strings(value, "cipher_suites") {
                if TLSNames.tls13Suites.contains(name) { continue }
                guard let openSSL = TLSNames.cipherSuites[name] else { throw error(line, "unknown cipher suite \"\(name)\"") }
                tls.cipherSuites.append(openSSL)
            }
        }
        if let value = fields["curve_preferences"] {
            for (name, line) in try strings(value, "curve_preferences") {
                guard let group = TLSNames.curves[name] else { throw error(line, "unknown curve \"\(name)\"") }
                tls.curves.append(group)
            }
        }
    }

    private func httpServer(_ value: YAMLValue, into config: inout WebConfig) throws(WebConfigError) {
        for entry in try mapping(value, "http_server_config", allowed: ["http2", "headers"]) {
            if entry.key == "http2" {
                config.http2 = try bool(entry.value, "http2")
                continue
            }
            for header in try mapping(entry.value, "headers", allowed: nil) {
                config.headers.append(try self.header(header))
            }
        }
    }

    /// One extra header, checked against the toolkit's allow-list (web/headers.go): headers that
    /// shape the protocol (Content-Length, Content-Encoding, Authorization…) cannot be set.
    private func header(_ entry: YAMLEntry) throws(WebConfigError) -> HTTPHeader {
        guard let allowed = WebConfig.allowedHeaders.first(where: { $0.name.lowercased() == entry.key.lowercased() }) else {
            throw error(entry.line, "HTTP header \"\(entry.key)\" can not be configured")
        }
        let text = try string(entry.value, entry.key)
        if let values = allowed.values, !values.contains(text) {
            throw error(entry.line, "invalid value for \(allowed.name): expected one of \(values), got \"\(text)\"")
        }
        guard !text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw error(entry.line, "\(allowed.name) contains a control character")
        }
        return HTTPHeader(allowed.name, text)
    }

    /// bcrypt hashes as htpasswd -B and Go's bcrypt write them: `$2a$`, `$2b$` or `$2y$`, a
    /// two-digit cost, 53 characters of salt and hash (60 in all).
    private func users(_ value: YAMLValue) throws(WebConfigError) -> [String: String] {
        var users: [String: String] = [:]
        for entry in try mapping(value, "basic_auth_users", allowed: nil) {
            let hash = try string(entry.value, "the password hash of \(entry.key)")
            guard BasicAuth.isBcryptHash(hash) else {
                throw error(entry.line, "the password of user \"\(entry.key)\" is not a bcrypt hash ($2y$10$…, from htpasswd -nBC 10)")
            }
            guard !entry.key.contains(":") else { throw error(entry.line, "user name \"\(entry.key)\" contains \":\"") }
            users[entry.key] = hash
        }
        return users
    }
}
