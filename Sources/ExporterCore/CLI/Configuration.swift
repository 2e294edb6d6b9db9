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
        Prometheus exporter for a small production stack: host (node_exporter names), Docker/Podman
        containers (cAdvisor names), PostgreSQL (postgres_exporter names) and TLS certificates.
        """

    /// The flags every build has; collector modules add theirs.
    public static let coreFlags: [FlagSpec] = [
        FlagSpec("web.listen-address", kind: .list, default: ":9630",
                 help: "Address to listen on: :PORT (all interfaces), HOST:PORT or [IPv6]:PORT.", group: "Web", placeholder: "<addr>"),
        FlagSpec("web.config.file", kind: .string, default: "",
                 help: "exporter-toolkit web config (TLS, basic auth, headers), as node_exporter's; reloaded on SIGHUP. See docs/security.md.",
                 group: "Web", placeholder: "<file>"),
        FlagSpec("web.telemetry-path", kind: .string, default: "/metrics", help: "Path under which to expose metrics.", group: "Web", placeholder: "<path>"),
        FlagSpec("web.max-requests", kind: .int, default: "40",
                 help: "Scrapes served in parallel; more get 503 at once. 0 means no limit.", group: "Web", placeholder: "<n>"),
        FlagSpec("web.max-probes", kind: .int, default: "20",
                 help: "/probe requests served in parallel, apart from scrapes; more get 503 at once. 0 means no limit.",
                 group: "Web", placeholder: "<n>"),
        FlagSpec("web.max-connections", kind: .int, default: "10000",
                 help: "Open client connections (at most the open-file limit less a reserve). At the limit the one waiting longest for a request is closed; when all are busy, new ones get 503.",
                 group: "Web", placeholder: "<n>"),
        FlagSpec("web.read-header-timeout", kind: .duration, default: "10s",
                 help: "Time a client has to send a complete request head.", group: "Web"),
        FlagSpec("web.idle-timeout", kind: .duration, default: "60s",
                 help: "Time an idle keep-alive connection stays open.", group: "Web"),
        FlagSpec("web.write-timeout", kind: .duration, default: "30s",
                 help: "Time a response has to reach the client.", group: "Web"),
        FlagSpec("web.disable-exporter-metrics", kind: .bool,
                 help: "Exclude the exporter's own metrics (process_*, stack_exporter_*) from the scrape.", group: "Web"),
        FlagSpec("collector.disable-defaults", kind: .bool,
                 help: "Disable all collectors that are on by default; enable chosen ones with --collector.<name>.", group: "Collectors"),
        FlagSpec("collector.timeout", kind: .duration, default: "10s",
                 help: "Longest a collector may take; Prometheus' scrape timeout header lowers it.", group: "Collectors"),
        FlagSpec("log.level", kind: .string, default: "info", help: "Only log messages with this severity or above.",
                 group: "Logging", placeholder: "<level>", choices: ["debug", "info", "warn", "error"]),
        FlagSpec("log.format", kind: .string, default: "logfmt", help: "Output format of log messages.",
                 group: "Logging", placeholder: "<format>", choices: ["logfmt", "json"]),
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
        for text in flags.list("web.listen-address") {
            guard let address = ListenAddress(parsing: text) else {
                throw CommandLineError("invalid --web.listen-address \"\(text)\": use :PORT, HOST:PORT or [IPv6]:PORT")
            }
            addresses.append(address)
        }
        let path = flags.string("web.telemetry-path")
        guard path.hasPrefix("/"), path != "/", !path.hasPrefix("/-/") else {
            throw CommandLineError("invalid --web.telemetry-path \"\(path)\": must start with / and not be / or /-/…")
        }
        var handler = ExporterHandler.Settings()
        handler.telemetryPath = path
        handler.collectorTimeout = flags.seconds("collector.timeout")
        handler.exporterMetrics = !flags.bool("web.disable-exporter-metrics")
        guard handler.collectorTimeout > 0 else { throw CommandLineError("--collector.timeout must be above zero") }

        var limits = ServerLimits()
        let maxRequests = flags.int("web.max-requests"), maxConnections = flags.int("web.max-connections")
        let maxProbes = flags.int("web.max-probes")
        guard maxRequests >= 0 else { throw CommandLineError("--web.max-requests must not be negative") }
        guard maxProbes >= 0 else { throw CommandLineError("--web.max-probes must not be negative") }
        guard maxConnections > 0 else { throw CommandLineError("--web.max-connections must be above zero") }
        limits.maxConcurrentRequests = maxRequests == 0 ? Int.max : maxRequests
        limits.maxConcurrentProbes = maxProbes == 0 ? Int.max : maxProbes
        limits.maxConnections = maxConnections
        limits.readHeaderTimeout = flags.seconds("web.read-header-timeout")
        limits.idleTimeout = flags.seconds("web.idle-timeout")
        limits.writeTimeout = flags.seconds("web.write-timeout")

        let disableDefaults = flags.bool("collector.disable-defaults")
        let enabled = modules.filter { module in
            let flag = "collector.\(module.name)"
            if flags.wasSet(flag) { return flags.bool(flag) }
            return module.enabledByDefault && !disableDefaults
        }
        let webConfig = flags.string("web.config.file")
        return Configuration(
            listenAddresses: addresses, handler: handler, limits: limits,
            logLevel: Logger.Level(name: flags.string("log.level")) ?? .info,
            logFormat: Logger.Format(rawValue: flags.string("log.format")) ?? .logfmt,
            collectors: enabled, flags: flags, webConfigFile: webConfig.isEmpty ? nil : webConfig)
    }
}
