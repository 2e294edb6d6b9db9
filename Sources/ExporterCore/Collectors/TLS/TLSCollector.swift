/// Certificate files (x509-certificate-exporter names) and live endpoints (ssl_exporter and
/// blackbox names) in one collector. Nothing here throws: each bad file or endpoint is reported
/// by its own metric and one log line per change, and the rest of the scrape is unaffected.
struct TLSCollector: Collector {
    let sources: CertificateSources
    let relativeMetrics: Bool
    let endpoints: [TLSTarget]
    let prober: TLSProber?
    let cache: CertificateFileCache
    let fileLog: ProblemLog
    let endpointLog: ProblemLog
    private let endpointMetrics = EndpointMetrics(withTarget: true)

    init(sources: CertificateSources, relativeMetrics: Bool, endpoints: [TLSTarget], prober: TLSProber?, logger: Logger) {
        self.sources = sources
        self.relativeMetrics = relativeMetrics
        self.endpoints = endpoints
        self.prober = prober
        self.cache = CertificateFileCache()
        self.fileLog = ProblemLog(logger: logger, what: "file")
        self.endpointLog = ProblemLog(logger: logger, what: "endpoint")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        if !sources.isEmpty { families += collectFiles() }
        if let prober, !endpoints.isEmpty {
            let results = prober.probeAll(endpoints, within: ItemDeadline(collector: context.deadline))
            for result in results { endpointLog.report(result.target.text, result.error?.description) }
            families += endpointMetrics.families(results)
        }
        return families
    }

    func collectFiles() -> [MetricFamily] {
        let expansion = sources.expand()
        var files: [FileCertificates] = []
        files.reserveCapacity(expansion.paths.count)
        for path in expansion.paths {
            let content = cache.content(of: path, maxSize: sources.maxFileSize)
            fileLog.report(path, content.problem.map { "\($0.rawValue): \(content.detail)" })
            files.append(FileCertificates(path: path, content: content))
        }
        for source in expansion.sources { fileLog.report(source.name, source.problem) }
        let watched = Set(expansion.paths)
        cache.retain(only: watched)
        fileLog.retain(only: watched.union(expansion.sources.map(\.name)))
        return FileCertificateRenderer.families(files: files, sources: expansion.sources, now: WallClock.now(), relative: relativeMetrics)
    }
}

/// The `tls` module, its flags, and the `/probe` service built from the same flags.
public enum TLSCollectors {
    static let group = "TLS"

    public static let flags: [FlagSpec] = [
        FlagSpec("tls.file", kind: .list, help: "Certificate file or glob pattern (PEM bundle or DER); repeatable.", group: group, placeholder: "<pattern>"),
        FlagSpec("tls.dir", kind: .list, help: "Directory searched recursively for *.pem, *.crt, *.cer, *.der; repeatable.", group: group, placeholder: "<dir>"),
        FlagSpec("tls.max-file-size", kind: .int, default: "1048576", help: "Files larger than this many bytes are reported (too_large), not read.", group: group, placeholder: "<bytes>"),
        FlagSpec("tls.expose-relative-metrics", kind: .bool, help: "Also export x509_cert_expires_in_seconds and x509_cert_valid_since_seconds.", group: group),
        FlagSpec("tls.endpoint", kind: .list, help: "Endpoint to probe: host:port[,sni=name][,starttls=postgres]; repeatable.", group: group, placeholder: "<target>"),
        FlagSpec("tls.ca-file", kind: .string, help: "PEM bundle of trusted CAs for verification (default: the system store).", group: group, placeholder: "<file>"),
        FlagSpec("tls.timeout", kind: .duration, default: "5s", help: "Longest one endpoint probe may take (the scrape deadline also bounds it).", group: group),
        FlagSpec("tls.probe-allow", kind: .list,
                 help: "Hosts /probe may connect to (`*` wildcards; `*` alone: any). Default: only the hosts of --tls.endpoint.", group: group, placeholder: "<pattern>"),
    ]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "tls", enabledByDefault: true, summary: "certificate files (x509_*) and endpoints (ssl_*, probe_ssl_*).",
            flags: flags
        ) { settings in try make(settings) },
    ]

    static func endpoints(_ flags: ParsedFlags) throws -> [TLSTarget] {
        var targets: [TLSTarget] = []
        for text in flags.list("tls.endpoint") {
            do {
                targets.append(try TLSTarget.parse(text))
            } catch {
                throw CollectorError("invalid --tls.endpoint \"\(text)\": \(error.description)")
            }
        }
        return targets
    }

    static func make(_ settings: CollectorSettings) throws -> TLSCollector {
        let flags = settings.flags
        let targets = try endpoints(flags)
        let maxSize = flags.int("tls.max-file-size")
        guard maxSize > 0 else { throw CollectorError("--tls.max-file-size must be above zero") }
        let sources = CertificateSources(patterns: flags.list("tls.file"), directories: flags.list("tls.dir"), maxFileSize: maxSize)
        let prober = targets.isEmpty ? nil : try makeProber(flags)
        return TLSCollector(
            sources: sources, relativeMetrics: flags.bool("tls.expose-relative-metrics"), endpoints: targets,
            prober: prober, logger: settings.logger)
    }

    static func makeProber(_ flags: ParsedFlags) throws -> TLSProber {
        let timeout = flags.seconds("tls.timeout")
        guard timeout > 0 else { throw CollectorError("--tls.timeout must be above zero") }
        let caFile = flags.string("tls.ca-file")
        do {
            return try TLSProber(caFile: caFile.isEmpty ? nil : caFile, timeout: timeout)
        } catch {
            throw CollectorError("TLS client setup failed: \(error.description)")
        }
    }

    /// The `/probe` service for ExporterMain; it exists whether or not the collector runs.
    public static func probeService(flags: ParsedFlags, logger: Logger) throws -> TLSProbeService {
        let targets = try endpoints(flags)
        var patterns = flags.list("tls.probe-allow")
        if !flags.wasSet("tls.probe-allow") { patterns = targets.map(\.host) }
        return TLSProbeService(prober: try makeProber(flags), allow: ProbeAllowList(patterns: patterns), logger: logger)
    }
}
