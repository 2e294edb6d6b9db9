/// `/probe?target=host:port[&sni=name][&starttls=postgres]`: the multi-target pattern of
/// ssl_exporter and blackbox. Answers ssl_* and probe_* families for one target, without a
/// `target` label (Prometheus relabelling puts it on `instance`).
public final class TLSProbeService: Sendable {
    let prober: TLSProber
    let allow: ProbeAllowList
    let log: ProblemLog
    private let metrics = EndpointMetrics(withTarget: false)

    init(prober: TLSProber, allow: ProbeAllowList, logger: Logger) {
        self.prober = prober
        self.allow = allow
        self.log = ProblemLog(logger: logger, what: "probe")
    }

    public struct RequestError: Error, Equatable {
        public let forbidden: Bool
        public let message: String
    }

    /// Validates the query: 400 for a bad target, 403 for a host outside `--tls.probe-allow`.
    public func target(query: [(name: String, value: String)]) -> Result<TLSTarget, RequestError> {
        func value(_ name: String) -> String? { query.last { $0.name == name }?.value }
        guard let address = value("target"), !address.isEmpty else {
            return .failure(RequestError(forbidden: false, message: "target parameter is missing"))
        }
        let target: TLSTarget
        do {
            let startTLS = try TLSTarget.parseStartTLS(value("starttls") ?? "none")
            target = try TLSTarget.make(address: address, serverName: value("sni"), startTLS: startTLS, text: address)
        } catch {
            return .failure(RequestError(forbidden: false, message: error.description))
        }
        guard allow.allows(target.host) else {
            return .failure(RequestError(forbidden: true, message: "target host \"\(target.host)\" is not allowed by --tls.probe-allow"))
        }
        return .success(target)
    }

    /// Probes `target` within `deadline` (the scrape deadline, from Prometheus' timeout header),
    /// minus the item margin: a probe that cannot finish is answered as failed (200 with
    /// `probe_success 0`, as blackbox does) before Prometheus gives up on the request.
    public func probe(_ target: TLSTarget, deadline: MonotonicTime) -> [MetricFamily] {
        let results = prober.probeAll([target], within: ItemDeadline(collector: deadline))
        guard let result = results.first else { return [] }  // one result per target, always
        log.report(target.text, result.error?.description)
        var families = metrics.families([result])
        families.append(MetricFamily(EndpointMetrics.probeSuccessBlackbox, value: result.handshake == nil ? 0 : 1))
        families.append(MetricFamily(EndpointMetrics.probeDuration, value: result.duration))
        return families
    }
}
