import Synchronization

/// Routes requests: the landing page, health endpoints, and scrapes of the telemetry path.
public final class ExporterHandler: HTTPHandler {
    public struct Settings: Sendable {
        public var telemetryPath = "/metrics"
        public var collectorTimeout = 10.0
        public var exporterMetrics = true
        public var gzipLevel: Int32 = 3

        public init() {}
    }

    private let settings: Settings
    private let scraper: Scraper
    private let selfMetrics: SelfMetrics
    private let exposition: ExpositionStats
    private let normalizerPlan = Normalizer.PlanCache()
    private let lastBodySize = Atomic<Int>(0)
    private let logger: Logger
    private let landingPage: [UInt8]
    /// `/probe` (TLS endpoints, ssl_exporter style); nil when the build or flags provide none.
    private let probe: TLSProbeService?
    /// `/probe?module=http` (blackbox's http prober); nil when the http collector is disabled.
    private let httpProbe: HTTPProbeService?
    private static let allowed = [HTTPHeader("Allow", "GET, HEAD")]

    public init(
        settings: Settings, scraper: Scraper, serverStats: ServerStats, exposition: ExpositionStats, logger: Logger,
        probe: TLSProbeService? = nil, httpProbe: HTTPProbeService? = nil
    ) {
        self.settings = settings
        self.probe = probe
        self.httpProbe = httpProbe
        self.scraper = scraper
        self.exposition = exposition
        self.logger = logger
        self.selfMetrics = SelfMetrics(server: serverStats, exposition: exposition)
        self.landingPage = Array(LandingPage.html(telemetryPath: settings.telemetryPath, collectors: scraper.collectorNames).utf8)
    }

    public func handlerLabel(for request: HTTPRequest) -> String {
        switch request.path {
        case settings.telemetryPath, "/", "/-/healthy", "/-/ready", "/probe": request.path
        default: "other"
        }
    }

    public func route(_ request: HTTPRequest) -> Routing {
        var known = ["/", "/-/healthy", "/-/ready", settings.telemetryPath]
        if probe != nil || httpProbe != nil { known.append("/probe") }
        guard known.contains(request.path) else { return .respond(.text(.notFound, "404 page not found\n")) }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .respond(.text(.methodNotAllowed, "method \(request.method) not allowed; use GET or HEAD\n", headers: Self.allowed))
        }
        switch request.path {
        case "/": return .respond(HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: landingPage))
        case "/-/healthy": return .respond(.text(.ok, "stack_exporter is healthy.\n"))
        case "/-/ready": return .respond(.text(.ok, "stack_exporter is ready.\n"))
        case "/probe":
            if case .failure(let error) = probeRequest(request) {
                return .respond(.text(error.forbidden ? .forbidden : .badRequest, error.message + "\n"))
            }
            return .work(.probe, seconds: timeout(of: request))
        default:
            if case .failure(let error) = selection(for: request) { return .respond(.text(.badRequest, error.message + "\n")) }
            return .work(.scrape, seconds: timeout(of: request))
        }
    }

    private enum ProbeRequest {
        case tls(TLSProbeService, TLSTarget)
        case http(HTTPProbeService, HTTPEndpoint)
    }

    /// `module=http` selects the HTTP prober; no module (or `tls`) keeps meaning the TLS probe.
    private func probeRequest(_ request: HTTPRequest) -> Result<ProbeRequest, TLSProbeService.RequestError> {
        let module = request.query.last { $0.name == "module" }?.value ?? "tls"
        switch module {
        case "tls":
            guard let probe else { return .failure(.init(forbidden: false, message: "module tls is not enabled (--collector.tls)")) }
            return probe.target(query: request.query).map { .tls(probe, $0) }
        case "http":
            guard let httpProbe else { return .failure(.init(forbidden: false, message: "module http is not enabled (--collector.http)")) }
            return httpProbe.endpoint(query: request.query).map { .http(httpProbe, $0) }
        default:
            return .failure(.init(forbidden: false, message: "unknown module \"\(module.prefix(64))\"; known: tls, http"))
        }
    }

    /// The scrape's budget: `--collector.timeout`, lowered by Prometheus' scrape-timeout header.
    private func timeout(of request: HTTPRequest) -> Double {
        ScrapeDeadline.seconds(header: request.header(ScrapeDeadline.headerName), configured: settings.collectorTimeout)
    }

    public func response(to request: HTTPRequest, deadline: MonotonicTime) -> HTTPResponse {
        if request.path == "/probe" {
            switch probeRequest(request) {
            case .success(.tls(let service, let target)): return render(service.probe(target, deadline: deadline), for: request)
            case .success(.http(let service, let endpoint)): return render(service.probe(endpoint, deadline: deadline), for: request)
            case .failure: return .text(.badRequest, "invalid probe target\n")
            }
        }
        guard case .success(let selection) = selection(for: request) else {
            return .text(.badRequest, "invalid collector selection\n")
        }
        var families = scraper.scrape(selection, deadline: deadline)
        if settings.exporterMetrics { families.append(contentsOf: selfMetrics.families()) }
        return render(families, for: request)
    }

    /// Normalizes, renders in the negotiated format and compresses when asked.
    private func render(_ families: [MetricFamily], for request: HTTPRequest) -> HTTPResponse {
        let normalized = Normalizer.normalize(families, stats: exposition, cache: normalizerPlan)
        let format = ContentNegotiation.format(accept: request.header("accept"))
        // Sized like the last body (+1/8), which the next one nearly always matches.
        let expected = lastBodySize.load(ordering: .relaxed)
        let capacity = expected + expected / 8
        var body = format == .openMetrics
            ? OpenMetricsFormat.render(normalized, capacity: capacity) : TextFormat.render(normalized, capacity: capacity)
        lastBodySize.store(body.count, ordering: .relaxed)
        var headers = [HTTPHeader("Vary", "Accept, Accept-Encoding")]
        if ContentNegotiation.acceptsGzip(request.header("accept-encoding")) {
            do {
                body = try Gzip.compress(body, level: settings.gzipLevel)
                headers.append(HTTPHeader("Content-Encoding", "gzip"))
            } catch {
                logger.warn("gzip failed; sending identity", ["err": error.description])
            }
        }
        let contentType = format == .openMetrics ? OpenMetricsFormat.contentType : TextFormat.contentType
        return HTTPResponse(status: .ok, contentType: contentType, body: body, headers: headers)
    }

    /// `collect[]=a&collect[]=b` restricts the scrape; `exclude[]=c` removes collectors; both at
    /// once, or an unknown name, is a 400 (node_exporter's convention).
    func selection(for request: HTTPRequest) -> Result<Scraper.Selection, SelectionError> {
        let include = request.queryValues("collect[]"), exclude = request.queryValues("exclude[]")
        let known = Set(scraper.collectorNames)
        if !include.isEmpty && !exclude.isEmpty {
            return .failure(SelectionError("collect[] and exclude[] cannot be combined"))
        }
        for name in include + exclude where !known.contains(name) {
            let list = known.sorted().joined(separator: ", ")
            return .failure(SelectionError("unknown or disabled collector \"\(name)\"; enabled: \(list.isEmpty ? "none" : list)"))
        }
        if !include.isEmpty { return .success(.only(Set(include))) }
        if !exclude.isEmpty { return .success(.only(known.subtracting(exclude))) }
        return .success(.all)
    }

    struct SelectionError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
