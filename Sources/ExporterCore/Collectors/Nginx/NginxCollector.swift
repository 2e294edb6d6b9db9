/// nginx-prometheus-exporter's names from every `--nginx.status-url` at once, each series with
/// the URL as `addr`; a page that cannot be read is `nginx_up 0` for that URL alone.
struct NginxCollector: Collector {
    let targets: [NginxTarget]
    let timeout: Double
    let problems: ProblemLog
    /// `--nginx.access-log` files, followed across scrapes.
    let logs: [AccessLogTail]
    let logProblems: ProblemLog
    /// Connections to the pages kept between scrapes.
    let connections = NginxConnections()

    init(targets: [NginxTarget], timeout: Double, logs: [AccessLogTail] = [], logger: Logger) {
        self.targets = targets
        self.timeout = timeout
        self.logs = logs
        self.problems = ProblemLog(logger: logger, what: "nginx")
        self.logProblems = ProblemLog(logger: logger, what: "access_log")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let logFamilies = readLogs(until: ItemDeadline(collector: context.deadline).cutoff)
        return try pages(context) + logFamilies
    }

    /// Reads what the access logs gained since the last scrape, until `cutoff` at the latest (the
    /// rest is read by the next scrape).
    private func readLogs(until cutoff: MonotonicTime) -> [MetricFamily] {
        guard !logs.isEmpty else { return [] }
        let reports = logs.map { tail in
            let report = tail.advance(until: cutoff)
            logProblems.report(tail.path, report.problem)
            return (tail: tail, report: report)
        }
        return AccessLogMetrics.families(reports)
    }

    private func pages(_ context: CollectContext) throws -> [MetricFamily] {
        guard !targets.isEmpty else { return [] }
        let results = PollLoop.runItems(targets.map { StubStatusRequest(target: $0, connections: connections) }, timeout: timeout, collector: context.deadline)
        var families = NginxMetrics.empty()
        for (target, result) in zip(targets, results) {
            switch result {
            case .success(let status):
                problems.report(target.url, nil)
                NginxMetrics.add(status, addr: target.url, to: &families)
            case .failure(let error):
                problems.report(target.url, error.description)
                families[0].add([target.url], 0)
            }
        }
        return families.filter { !$0.samples.isEmpty }
    }
}

/// The names, types and help of nginx-prometheus-exporter 0.11 (Debian's prometheus-nginx-exporter).
enum NginxMetrics {
    static func family(_ name: String, _ type: MetricType, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "nginx_" + name, type: type, help: help, labels: ["addr"])
    }

    static let up = family("up", .gauge, "Status of the last metric scrape")
    static let active = family("connections_active", .gauge, "Active client connections")
    static let accepted = family("connections_accepted", .counter, "Accepted client connections")
    static let handled = family("connections_handled", .counter, "Handled client connections")
    static let reading = family("connections_reading", .gauge, "Connections where NGINX is reading the request header")
    static let writing = family("connections_writing", .gauge, "Connections where NGINX is writing the response back to the client")
    static let waiting = family("connections_waiting", .gauge, "Idle client connections")
    static let requests = family("http_requests_total", .counter, "Total http requests")

    /// `up` first: the collector adds failed URLs to it by index.
    static func empty() -> [MetricFamily] {
        [up, active, accepted, handled, reading, writing, waiting, requests].map { MetricFamily($0) }
    }

    static func add(_ status: StubStatus, addr: String, to families: inout [MetricFamily]) {
        let values = [1, status.active, status.accepted, status.handled, status.reading, status.writing, status.waiting, status.requests]
        for (index, value) in values.enumerated() { families[index].add([addr], value) }
    }
}

/// The `nginx` module and its flags (`--help` group "nginx").
public enum NginxCollectors {
    static let group = "nginx"

    static let statusURL = Flag.list(
        "nginx.status-url", help: "URL of an nginx stub_status page (http://127.0.0.1:8080/stub_status); repeatable.", group: group,
        placeholder: "<url>")
    static let timeout = Flag.duration(
        "nginx.timeout", default: "5s", help: "Longest one status page may take (the scrape deadline also bounds it).", group: group)

    static let accessLog = Flag.list(
        "nginx.access-log",
        help: "An nginx access log to follow: PATH[,name=NAME][,format=FORMAT] (format= last: the rest of the value).",
        group: group, placeholder: "<path>")
    static let accessLogFormat = Flag.string(
        "nginx.access-log-format", default: "combined",
        help: "log_format of the access logs that give none, in nginx's $variable syntax; must hold $status.", group: group,
        placeholder: "<format>")
    static let accessLogFromStart = Flag.bool(
        "nginx.access-log-from-start", help: "Count what the access logs already hold at start-up; off: only lines written after it.",
        group: group)

    static let flags: [FlagSpec] = [statusURL.spec, timeout.spec, accessLog.spec, accessLogFormat.spec, accessLogFromStart.spec]

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "nginx", enabledByDefault: true,
            summary: "nginx stub_status pages from --nginx.status-url (nginx-prometheus-exporter names) and access logs from --nginx.access-log; idle without either.",
            flags: flags, make: make),
    ]

    static func make(_ settings: CollectorSettings) throws -> any Collector {
        let seconds = settings.flags[timeout]
        guard seconds > 0 else { throw CollectorError("--nginx.timeout must be above zero", configuration: true) }
        var targets: [NginxTarget] = []
        for url in settings.flags[statusURL] {
            let target = try NginxTarget.parse(url)
            if !targets.contains(target) { targets.append(target) }
        }
        return NginxCollector(targets: targets, timeout: seconds, logs: try makeLogs(settings), logger: settings.logger)
    }

    /// Each file opened now, at its end unless `--nginx.access-log-from-start`.
    static func makeLogs(_ settings: CollectorSettings) throws -> [AccessLogTail] {
        let fallback = try AccessLogFormat(settings.flags[accessLogFormat])
        var tails: [AccessLogTail] = []
        for value in settings.flags[accessLog] {
            let spec = try AccessLogSpec.parse(value)
            guard !tails.contains(where: { $0.name == spec.name }) else {
                throw CollectorError("--nginx.access-log: two logs named \"\(spec.name)\"", configuration: true)
            }
            let format = try spec.format.map { format throws(CollectorError) in try AccessLogFormat(format) } ?? fallback
            tails.append(AccessLogTail(path: spec.path, name: spec.name, format: format, fromStart: settings.flags[accessLogFromStart]))
        }
        return tails
    }
}
