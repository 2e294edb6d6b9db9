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

    static let file = Flag.list("tls.file", help: "Certificate file or glob pattern (PEM bundle or DER); repeatable.", group: group, placeholder: "<pattern>")
    static let dir = Flag.list("tls.dir", help: "Directory searched recursively for *.pem, *.crt, *.cer, *.der; repeatable.", group: group, placeholder: "<dir>")
    static let maxFileSize = Flag.int(
        "tls.max-file-size", default: 1_048_576, help: "Files larger than this many bytes are reported (too_large), not read.",
        group: group, placeholder: "<bytes>")
    static let exposeRelativeMetrics = Flag.bool(
        "tls.expose-relative-metrics", help: "Also export x509_cert_expires_in_seconds and x509_cert_valid_since_seconds.", group: group)
    static let endpoint = Flag.list(
        "tls.endpoint", help: "Endpoint to probe: host:port[,sni=name][,starttls=postgres]; repeatable.", group: group, placeholder: "<target>")
    static let caFile = Flag.string(
        "tls.ca-file", help: "PEM bundle of trusted CAs for verification (default: the system store).", group: group, placeholder: "<file>")
    static let timeout = Flag.duration(
        "tls.timeout", default: "5s", help: "Longest one endpoint probe may take (the scrape deadline also bounds it).", group: group)
    static let probeAllow = Flag.list(
        "tls.probe-allow", help: "Hosts /probe may connect to (`*` wildcards; `*` alone: any). Default: only the hosts of --tls.endpoint.",
        group: group, placeholder: "<pattern>")
    public static let flags: [FlagSpec] = [
        file.spec, dir.spec, maxFileSize.spec, exposeRelativeMetrics.spec, endpoint.spec, caFile.spec, timeout.spec, probeAllow.spec,
    ]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "tls", enabledByDefault: true, summary: "certificate files (x509_*) and endpoints (ssl_*, probe_ssl_*).",
            flags: flags
        ) { settings in try make(settings) },
    ]

    static func endpoints(_ flags: ParsedFlags) throws -> [TLSTarget] {
        var targets: [TLSTarget] = []
        for text in flags[endpoint] {
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
        let maxSize = flags[maxFileSize]
        guard maxSize > 0 else { throw CollectorError("--tls.max-file-size must be above zero") }
        let sources = CertificateSources(patterns: flags[file], directories: flags[dir], maxFileSize: maxSize)
        let prober = targets.isEmpty ? nil : try makeProber(flags)
        return TLSCollector(
            sources: sources, relativeMetrics: flags[exposeRelativeMetrics], endpoints: targets,
            prober: prober, logger: settings.logger)
    }

    static func makeProber(_ flags: ParsedFlags) throws -> TLSProber {
        let seconds = flags[timeout]
        guard seconds > 0 else { throw CollectorError("--tls.timeout must be above zero") }
        let trusted = flags[caFile]
        do {
            return try TLSProber(caFile: trusted.isEmpty ? nil : trusted, timeout: seconds)
        } catch {
            throw CollectorError("TLS client setup failed: \(error.description)")
        }
    }

    /// The `/probe` service for ExporterMain; it exists whether or not the collector runs.
    public static func probeService(flags: ParsedFlags, logger: Logger) throws -> TLSProbeService {
        let targets = try endpoints(flags)
        var patterns = flags[probeAllow]
        if !flags.wasSet(probeAllow) { patterns = targets.map(\.host) }
        return TLSProbeService(prober: try makeProber(flags), allow: ProbeAllowList(patterns: patterns), logger: logger)
    }
}
