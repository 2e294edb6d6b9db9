/// blackbox's `http` prober on every `--http.endpoint` at once, each sample with `target` and
/// `name`. A failed endpoint is `probe_success 0` for that endpoint alone; nothing here throws.
struct HTTPCollector: Collector {
    let endpoints: [HTTPEndpoint]
    let prober: HTTPProber
    let problems: ProblemLog
    private let metrics = HTTPProbeMetrics(withTarget: true)

    init(endpoints: [HTTPEndpoint], prober: HTTPProber, logger: Logger) {
        self.endpoints = endpoints
        self.prober = prober
        self.problems = ProblemLog(logger: logger, what: "http endpoint")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        guard !endpoints.isEmpty else { return [] }
        let results = prober.probeAll(endpoints, within: ItemDeadline(collector: context.deadline))
        for result in results { problems.report(result.endpoint.text, HTTPProbeService.problem(result)) }
        return metrics.families(results)
    }
}

/// The `http` module, its flags, and the `/probe?module=http` service built from the same flags.
public enum HTTPCollectors {
    static let group = "HTTP"

    static let endpoint = Flag.list(
        "http.endpoint",
        help: "URL to probe: URL[,name=…][,expect=2xx][,method=GET|HEAD][,header=Name: value][,body-regex=…][,insecure][,ca=FILE]; repeatable.",
        group: group, placeholder: "<url>")
    static let timeout = Flag.duration(
        "http.timeout", default: "5s", help: "Longest one probe may take, redirects included (the scrape deadline also bounds it).", group: group)
    static let bodyLimit = Flag.int(
        "http.body-limit", default: 10 << 20, help: "Largest response body read; a larger one fails the probe (blackbox body_size_limit).",
        group: group, placeholder: "<bytes>")
    static let regexWindow = Flag.int(
        "http.regex-window", default: 1 << 20, help: "How many bytes at the start of the body a body-regex sees.", group: group,
        placeholder: "<bytes>")
    static let probeAllow = Flag.list(
        "http.probe-allow", help: "Hosts /probe?module=http may connect to, redirects included (`*` wildcards; `*` alone: any). Default: only the hosts of --http.endpoint.",
        group: group, placeholder: "<pattern>")

    public static let flags: [FlagSpec] = [endpoint.spec, timeout.spec, bodyLimit.spec, regexWindow.spec, probeAllow.spec]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "http", enabledByDefault: true,
            summary: "HTTP(S) endpoints from --http.endpoint (blackbox_exporter http prober names); idle without one.",
            flags: flags, make: { try make($0) }),
    ]

    static func endpoints(_ flags: ParsedFlags) throws(CollectorError) -> [HTTPEndpoint] {
        var list: [HTTPEndpoint] = []
        for text in flags[endpoint] {
            do {
                let parsed = try HTTPEndpoint.parse(text)
                if !list.contains(where: { $0.text == parsed.text && $0.name == parsed.name }) { list.append(parsed) }
            } catch {
                throw CollectorError("invalid --http.endpoint \"\(text.prefix(200))\": \(error.description)", configuration: true)
            }
        }
        return list
    }

    static func makeProber(_ flags: ParsedFlags) throws(CollectorError) -> HTTPProber {
        let seconds = flags[timeout]
        guard seconds > 0 else { throw CollectorError("--http.timeout must be above zero", configuration: true) }
        guard flags[bodyLimit] > 0 else { throw CollectorError("--http.body-limit must be above zero", configuration: true) }
        guard flags[regexWindow] > 0 else { throw CollectorError("--http.regex-window must be above zero", configuration: true) }
        return HTTPProber(timeout: seconds, bodyLimit: flags[bodyLimit], regexWindow: min(flags[regexWindow], flags[bodyLimit]))
    }

    static func make(_ settings: CollectorSettings) throws -> HTTPCollector {
        HTTPCollector(endpoints: try endpoints(settings.flags), prober: try makeProber(settings.flags), logger: settings.logger)
    }

    /// The `/probe?module=http` service for ExporterMain, when the collector is enabled.
    public static func probeService(flags: ParsedFlags, logger: Logger) throws -> HTTPProbeService {
        let configured = try endpoints(flags)
        let patterns = flags.wasSet(probeAllow) ? flags[probeAllow] : configured.map(\.url.host)
        return HTTPProbeService(prober: try makeProber(flags), allow: ProbeAllowList(patterns: patterns), configured: configured, logger: logger)
    }
}
