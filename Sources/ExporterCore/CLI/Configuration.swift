/// Everything the command line decides, validated.
public struct Configuration: Sendable {
    public var listenAddresses: [ListenAddress]
    public var handler: ExporterHandler.Settings
    public var limits: ServerLimits
    public var logLevel: Logger.Level
    public var logFormat: Logger.Format
    public var collectors: [CollectorModule]
    public var flags: ParsedFlags
    /// `--web.config.file`; nil when not given.
    public var webConfigFile: String?

    public static let summary = """
        Prometheus exporter for a small production stack: host (node_exporter names, textfile
        included), Docker/Podman containers (cAdvisor names), PostgreSQL (postgres_exporter names),
        Redis (redis_exporter names), nginx (nginx-prometheus-exporter names), TLS certificates
        (x509/ssl_exporter and blackbox names) and backup files.
        """

    /// The flags every build has; collector modules add theirs.
    public static let coreFlags: [FlagSpec] = [
        CoreFlags.listenAddress.spec, CoreFlags.webConfigFile.spec, CoreFlags.telemetryPath.spec, CoreFlags.maxRequests.spec, CoreFlags.maxProbes.spec,
        CoreFlags.maxConnections.spec, CoreFlags.readHeaderTimeout.spec, CoreFlags.idleTimeout.spec, CoreFlags.writeTimeout.spec,
        CoreFlags.disableExporterMetrics.spec, CoreFlags.disableDefaults.spec, CoreFlags.collectorTimeout.spec,
        CoreFlags.logLevel.spec, CoreFlags.logFormat.spec,
    ]

    /// All flags: core flags, then one `--[no-]collector.<name>` per module, then module flags.
    public static func flagSpecs(modules: [CollectorModule]) -> [FlagSpec] {
        let toggles = modules.map {
            FlagSpec("collector.\($0.name)", kind: .bool, default: $0.enabledByDefault ? "true" : "false",
                     help: "Enable the \($0.name) collector: \($0.summary)", group: "Collectors")
        }
        var seen = Set<String>()
        return (coreFlags + toggles + modules.flatMap(\.flags)).filter { seen.insert($0.name).inserted }
    }

    public static func make(flags: ParsedFlags, modules: [CollectorModule]) throws(CommandLineError) -> Configuration {
        var addresses: [ListenAddress] = []
        for text in flags[CoreFlags.listenAddress] {
            guard let address = ListenAddress(parsing: text) else {
                throw CommandLineError("invalid --web.listen-address \"\(text)\": use :PORT, HOST:PORT or [IPv6]:PORT")
            }
            addresses.append(address)
        }
        let path = flags[CoreFlags.telemetryPath]
        guard path.hasPrefix("/"), path != "/", !path.hasPrefix("/-/") else {
            throw CommandLineError("invalid --web.telemetry-path \"\(path)\": must start with / and not be / or /-/…")
        }
        var handler = ExporterHandler.Settings()
        handler.telemetryPath = path
        handler.collectorTimeout = flags[CoreFlags.collectorTimeout]
        handler.exporterMetrics = !flags[CoreFlags.disableExporterMetrics]
        guard handler.collectorTimeout > 0 else { throw CommandLineError("--collector.timeout must be above zero") }

        var limits = ServerLimits()
        let maxRequests = flags[CoreFlags.maxRequests], maxConnections = flags[CoreFlags.maxConnections]
        let maxProbes = flags[CoreFlags.maxProbes]
        guard maxRequests >= 0 else { throw CommandLineError("--web.max-requests must not be negative") }
        guard maxProbes >= 0 else { throw CommandLineError("--web.max-probes must not be negative") }
        guard maxConnections > 0 else { throw CommandLineError("--web.max-connections must be above zero") }
        limits.maxConcurrentRequests = maxRequests == 0 ? Int.max : maxRequests
        limits.maxConcurrentProbes = maxProbes == 0 ? Int.max : maxProbes
        limits.maxConnections = maxConnections
        limits.readHeaderTimeout = flags[CoreFlags.readHeaderTimeout]
        limits.idleTimeout = flags[CoreFlags.idleTimeout]
        limits.writeTimeout = flags[CoreFlags.writeTimeout]

        let disableDefaults = flags[CoreFlags.disableDefaults]
        let enabled = modules.filter { module in
            flags.collectorToggle(module.name) ?? (module.enabledByDefault && !disableDefaults)
        }
        let webConfig = flags[CoreFlags.webConfigFile]
        return Configuration(
            listenAddresses: addresses, handler: handler, limits: limits,
            logLevel: Logger.Level(name: flags[CoreFlags.logLevel]) ?? .info,
            logFormat: Logger.Format(rawValue: flags[CoreFlags.logFormat]) ?? .logfmt,
            collectors: enabled, flags: flags, webConfigFile: webConfig.isEmpty ? nil : webConfig)
    }
}

/// The flags of the server, the scrape and logging.
public enum CoreFlags {
    static let listenAddress = Flag.list(
        "web.listen-address", default: ":9630", help: "Address to listen on: :PORT (all interfaces), HOST:PORT or [IPv6]:PORT.",
        group: "Web", placeholder: "<addr>")
    static let webConfigFile = Flag.string(
        "web.config.file", help: "exporter-toolkit web config (TLS, basic auth, headers), as node_exporter's; reloaded on SIGHUP. See docs/security.md.",
        group: "Web", placeholder: "<file>")
    static let telemetryPath = Flag.string(
        "web.telemetry-path", default: "/metrics", help: "Path under which to expose metrics.", group: "Web", placeholder: "<path>")
    static let maxRequests = Flag.int(
        "web.max-requests", default: 40, help: "Scrapes served in parallel; more get 503 at once. 0 means no limit.", group: "Web")
    static let maxProbes = Flag.int(
        "web.max-probes", default: 20, help: "/probe requests served in parallel, apart from scrapes; more get 503 at once. 0 means no limit.",
        group: "Web")
    static let maxConnections = Flag.int(
        "web.max-connections", default: 10_000,
        help: "Open client connections (at most the open-file limit less a reserve). At the limit the one waiting longest for a request is closed; when all are busy, new ones get 503.",
        group: "Web")
    static let readHeaderTimeout = Flag.duration(
        "web.read-header-timeout", default: "10s", help: "Time a client has to send a complete request head.", group: "Web")
    static let idleTimeout = Flag.duration("web.idle-timeout", default: "60s", help: "Time an idle keep-alive connection stays open.", group: "Web")
    static let writeTimeout = Flag.duration("web.write-timeout", default: "30s", help: "Time a response has to reach the client.", group: "Web")
    static let disableExporterMetrics = Flag.bool(
        "web.disable-exporter-metrics", help: "Exclude the exporter's own metrics (process_*, stack_exporter_*) from the scrape.", group: "Web")
    static let disableDefaults = Flag.bool(
        "collector.disable-defaults", help: "Disable all collectors that are on by default; enable chosen ones with --collector.<name>.",
        group: "Collectors")
    static let collectorTimeout = Flag.duration(
        "collector.timeout", default: "10s", help: "Longest a collector may take; Prometheus' scrape timeout header lowers it.",
        group: "Collectors")
    static let logLevel = Flag.string(
        "log.level", default: "info", help: "Only log messages with this severity or above.", group: "Logging", placeholder: "<level>",
        choices: ["debug", "info", "warn", "error"])
    static let logFormat = Flag.string(
        "log.format", default: "logfmt", help: "Output format of log messages.", group: "Logging", placeholder: "<format>",
        choices: ["logfmt", "json"])
}
