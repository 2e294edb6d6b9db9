/// The `redis` module and its flags (`--help` group "Redis").
public enum RedisCollectors {
    static let group = "Redis"

    static let addr = Flag.list(
        "redis.addr",
        help: "Redis server: redis://[user:password@]host:port[/db], rediss://… (TLS) or unix:///path; repeatable. The command line is readable by every local user: give a password in REDIS_PASSWORD, REDIS_PASSWORD_FILE or --redis.addr-file.",
        group: group, placeholder: "<url>")
    static let addrFile = Flag.list(
        "redis.addr-file", help: "File with Redis addresses, one a line (# comments); keeps passwords off the command line.", group: group,
        placeholder: "<path>")
    static let timeout = Flag.duration(
        "redis.timeout", default: "5s", help: "Longest one server's scrape may take (the scrape deadline also bounds it).", group: group)
    static let configCommand = Flag.string(
        "redis.config-command", default: "CONFIG",
        help: "Name of the CONFIG command (servers may rename it); empty: do not ask for maxmemory, maxclients, io-threads, databases.",
        group: group, placeholder: "<name>")
    static let tlsCAFile = Flag.string(
        "redis.tls-ca-file", help: "PEM bundle of CAs that sign rediss:// servers' certificates (default: the system store).", group: group,
        placeholder: "<file>")
    static let tlsClientCertFile = Flag.string(
        "redis.tls-client-cert-file", help: "Client certificate (PEM) for servers with tls-auth-clients.", group: group, placeholder: "<file>")
    static let tlsClientKeyFile = Flag.string(
        "redis.tls-client-key-file", help: "Key of --redis.tls-client-cert-file (PEM).", group: group, placeholder: "<file>")
    static let tlsSkipVerify = Flag.bool(
        "redis.tls-insecure-skip-verify", help: "Accept any certificate from rediss:// servers.", group: group)

    static let flags: [FlagSpec] = [
        addr.spec, addrFile.spec, timeout.spec, configCommand.spec, tlsCAFile.spec, tlsClientCertFile.spec, tlsClientKeyFile.spec,
        tlsSkipVerify.spec,
    ]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "redis", enabledByDefault: true,
            summary: "Redis servers from --redis.addr or --redis.addr-file (redis_exporter names); idle without one.",
            flags: flags, make: make),
    ]

    static func make(_ settings: CollectorSettings) throws -> any Collector {
        let flags = settings.flags
        let seconds = flags[timeout]
        guard seconds > 0 else { throw CollectorError("--redis.timeout must be above zero", configuration: true) }
        let targets = try self.targets(flags, environment: settings.environment)
        let certificate = flags[tlsClientCertFile], key = flags[tlsClientKeyFile]
        guard certificate.isEmpty == key.isEmpty else {
            throw CollectorError("--redis.tls-client-cert-file and --redis.tls-client-key-file go together", configuration: true)
        }
        let tls = targets.contains(where: \.tls)
            ? RedisTLSContext(
                caFile: flags[tlsCAFile].isEmpty ? nil : flags[tlsCAFile], certificateFile: certificate.isEmpty ? nil : certificate,
                keyFile: key.isEmpty ? nil : key, verify: !flags[tlsSkipVerify])
            : nil
        return RedisCollector(targets: targets, timeout: seconds, configCommand: flags[configCommand], tls: tls, logger: settings.logger)
    }

    /// `--redis.addr`, then the lines of each `--redis.addr-file`; a server listed twice once.
    static func targets(_ flags: ParsedFlags, environment: [String: String]) throws(CollectorError) -> [RedisTarget] {
        var texts = flags[addr]
        for path in flags[addrFile] {
            let content: String
            do { content = try FileReader.readText(path, limit: 64 * 1024) } catch {
                throw CollectorError("--redis.addr-file \(path): \(error)", configuration: true)
            }
            for line in content.split(whereSeparator: \.isNewline) {
                let text = PostgresText.trimmed(String(line))
                if !text.isEmpty && !text.hasPrefix("#") { texts.append(text) }
            }
        }
        let password = try RedisEnvironment.password(environment)
        let user = environment["REDIS_USER"]
        var targets: [RedisTarget] = []
        for text in texts {
            let target = try RedisTarget.parse(text, fallbackUser: user, fallbackPassword: password)
            if !targets.contains(where: { $0.label == target.label }) { targets.append(target) }
        }
        return targets
    }
}

/// redis_exporter's environment: `REDIS_PASSWORD`, or `REDIS_PASSWORD_FILE` naming a file that
/// holds it (one trailing newline dropped), for the servers whose address has none.
enum RedisEnvironment {
    static func password(_ environment: [String: String]) throws(CollectorError) -> String? {
        if let direct = environment["REDIS_PASSWORD"], !direct.isEmpty { return direct }
        guard let path = environment["REDIS_PASSWORD_FILE"], !path.isEmpty else { return nil }
        do {
            var text = try FileReader.readText(path, limit: 64 * 1024)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            return text.isEmpty ? nil : text
        } catch {
            throw CollectorError("REDIS_PASSWORD_FILE \(path): cannot be read", configuration: true)
        }
    }
}
