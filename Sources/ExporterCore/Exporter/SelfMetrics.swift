/// The exporter's own metrics: build info, process, HTTP and exposition counters.
struct SelfMetrics: Sendable {
    let server: ServerStats
    let exposition: ExpositionStats
    let process = ProcessMetricsReader()

    static let buildInfo = FamilyDescriptor(
        name: "stack_exporter_build_info", type: .gauge,
        help: "A metric with a constant '1' value labeled by version, revision and Swift version.",
        labels: ["version", "revision", "swiftversion"])
    static let httpRequests = FamilyDescriptor(
        name: "stack_exporter_http_requests_total", type: .counter,
        help: "HTTP requests answered, by handler and status code.", labels: ["handler", "code"])
    static let inFlight = FamilyDescriptor(
        name: "stack_exporter_scrapes_in_flight", type: .gauge,
        help: "Scrapes being worked on, this one included.")
    static let probesInFlight = FamilyDescriptor(
        name: "stack_exporter_probes_in_flight", type: .gauge,
        help: "/probe requests being worked on (limited apart from scrapes by --web.max-probes).")
    static let evicted = FamilyDescriptor(
        name: "stack_exporter_http_connections_evicted_total", type: .counter,
        help: "Connections waiting for a request head that were closed to make room for a new one at --web.max-connections.")
    static let late = FamilyDescriptor(
        name: "stack_exporter_http_late_answers_total", type: .counter,
        help: "Requests answered 503 because their worker had not finished by the deadline (a read stuck in the kernel).")
    static let refused = FamilyDescriptor(
        name: "stack_exporter_http_connections_refused_total", type: .counter,
        help: "Connections closed at once because --web.max-connections was reached and every connection was busy.")
    static let duplicates = FamilyDescriptor(
        name: "stack_exporter_exposition_duplicate_series_dropped_total", type: .counter,
        help: "Series dropped because an identical series was already in the scrape.")
    static let invalidNames = FamilyDescriptor(
        name: "stack_exporter_exposition_invalid_names_dropped_total", type: .counter,
        help: "Samples dropped because a metric or label name was invalid.")
    static let repaired = FamilyDescriptor(
        name: "stack_exporter_exposition_label_values_repaired_total", type: .counter,
        help: "Label values that were not valid UTF-8 and were repaired with U+FFFD.")

    func families() -> [MetricFamily] {
        var families = process.families()
        var build = MetricFamily(Self.buildInfo)
        build.add([BuildInfo.version, BuildInfo.revision, BuildInfo.swiftVersion], 1)
        families.append(build)
        var requests = MetricFamily(Self.httpRequests)
        for entry in server.requestCounts() { requests.add([entry.handler, entry.code], Double(entry.count)) }
        families.append(requests)
        families.append(MetricFamily(Self.inFlight, value: Double(server.requestsInFlight)))
        families.append(MetricFamily(Self.probesInFlight, value: Double(server.probesInFlightCount)))
        families.append(MetricFamily(Self.refused, value: Double(server.refusedConnections)))
        families.append(MetricFamily(Self.evicted, value: Double(server.evictedConnections)))
        families.append(MetricFamily(Self.late, value: Double(server.lateAnswers)))
        families.append(MetricFamily(Self.duplicates, value: Double(exposition.duplicateSeries)))
        families.append(MetricFamily(Self.invalidNames, value: Double(exposition.invalidNamesDropped)))
        families.append(MetricFamily(Self.repaired, value: Double(exposition.repairedLabelValues)))
        return families
    }
}
