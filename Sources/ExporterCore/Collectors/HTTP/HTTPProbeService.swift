/// `/probe?module=http&target=URL`: blackbox's multi-target `http` module. The families carry no
/// `target` label (Prometheus relabelling puts it on `instance`). Query parameters `expect`,
/// `method` and `body-regex` take the `--http.endpoint` option syntax; a target that matches a
/// configured endpoint's URL uses that endpoint's options (headers, `insecure`, `ca`), so
/// secrets and trust stay on the command line.
public final class HTTPProbeService: Sendable {
    let prober: HTTPProber
    let allow: ProbeAllowList
    let configured: [HTTPEndpoint]
    let log: ProblemLog
    private let metrics = HTTPProbeMetrics(withTarget: false)

    init(prober: HTTPProber, allow: ProbeAllowList, configured: [HTTPEndpoint] = [], logger: Logger) {
        self.prober = prober
        self.allow = allow
        self.configured = configured
        self.log = ProblemLog(logger: logger, what: "http probe")
    }

    /// 400 for a bad target or option, 403 for a host outside `--http.probe-allow`.
    func endpoint(query: [(name: String, value: String)]) -> Result<HTTPEndpoint, TLSProbeService.RequestError> {
        func value(_ name: String) -> String? { query.last { $0.name == name }?.value }
        guard let target = value("target"), !target.isEmpty else {
            return .failure(.init(forbidden: false, message: "target parameter is missing"))
        }
        var endpoint: HTTPEndpoint
        do {
            if let known = configured.first(where: { $0.text == target }) {
                endpoint = known
            } else {
                endpoint = HTTPEndpoint(url: try HTTPURL.parse(target), text: target)
            }
            if let expect = value("expect") { endpoint.expect = try ExpectedStatus.parse(expect) }
            if let method = value("method") {
                guard let parsed = HTTPEndpoint.Method(rawValue: method.uppercased()) else {
                    return .failure(.init(forbidden: false, message: "invalid method \"\(method)\"; known: GET, HEAD"))
                }
                endpoint.method = parsed
            }
            if let pattern = value("body-regex") { endpoint.bodyRegex = try BodyRegex(pattern) }
        } catch {
            return .failure(.init(forbidden: false, message: String(describing: error)))
        }
        guard allow.allows(endpoint.url.host) else {
            return .failure(.init(forbidden: true, message: "target host \"\(endpoint.url.host)\" is not allowed by --http.probe-allow"))
        }
        return .success(endpoint)
    }

    /// Probes within `deadline` less the item margin, so a hung target is answered
    /// `probe_success 0` (200, as blackbox) before Prometheus gives up on the request.
    func probe(_ endpoint: HTTPEndpoint, deadline: MonotonicTime) -> [MetricFamily] {
        let results = prober.probeAll([endpoint], within: ItemDeadline(collector: deadline), allow: allow)
        for result in results { log.report(endpoint.text, Self.problem(result)) }
        return metrics.families(results)
    }

    /// The log line of a failed probe; nil when it succeeded.
    static func problem(_ result: HTTPProbeResult) -> String? {
        if result.success { return nil }
        if let error = result.error { return error.description }
        if result.failedDueToRegex { return "body does not match \(result.endpoint.bodyRegex?.pattern ?? "")" }
        return "unexpected status \(result.final.head?.status ?? 0)"
    }
}
