/// One `--nginx.access-log` value: `PATH[,name=NAME][,format=FORMAT]`. `format=` takes the rest of
/// the value (formats hold commas and spaces), so it comes last.
struct AccessLogSpec: Sendable, Equatable {
    var path: String
    var name: String
    var format: String?

    static func parse(_ value: String) throws(CollectorError) -> AccessLogSpec {
        var rest = Substring(value), format: String?
        if let range = rest.firstRange(of: ",format=") {
            format = String(rest[range.upperBound...])
            rest = rest[..<range.lowerBound]
        }
        var name: String?
        if let range = rest.firstRange(of: ",name=") {
            name = String(rest[range.upperBound...])
            rest = rest[..<range.lowerBound]
        }
        let path = String(rest)
        // A misspelt option (",colour=1") would otherwise become part of the path and fail
        // silently as a missing file; a path with ",word=" in it is not worth that.
        if let unknown = path.firstMatch(of: /,([A-Za-z_-]+)=/) {
            throw CollectorError("--nginx.access-log: unknown option \"\(unknown.output.1)=\" (options: name=, format=)", configuration: true)
        }
        guard path.hasPrefix("/") else {
            throw CollectorError("--nginx.access-log needs an absolute path, got \"\(path.prefix(200))\"", configuration: true)
        }
        if let name, name.isEmpty { throw CollectorError("--nginx.access-log \(path): empty name=", configuration: true) }
        if let format, format.isEmpty { throw CollectorError("--nginx.access-log \(path): empty format=", configuration: true) }
        return AccessLogSpec(path: path, name: name ?? path, format: format)
    }
}

/// The access-log families. Every series of a log has the same `log` label, and
/// `nginx_http_responses_total` has `status_class` besides, with all five classes present from
/// the start, so `sum without (status_class)` ratios exist before the first 5xx.
enum AccessLogMetrics {
    static let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    static let responses = FamilyDescriptor(
        name: "nginx_http_responses_total", type: .counter, help: "Responses by status class, counted from the access log.",
        labels: ["log", "status_class"])
    static let duration = FamilyDescriptor(
        name: "nginx_http_request_duration_seconds", type: .histogram,
        help: "Request processing time ($request_time) from the access log.", unit: "seconds", labels: ["log"])
    static let up = log("up", .gauge, "1 when the access log path is a regular file being followed.")
    static let unparsed = log("unparsed_lines_total", .counter, "Access-log lines that do not have the configured format.")
    static let overlong = log("overlong_lines_total", .counter, "Access-log lines dropped for being longer than 16 KiB.")
    static let rotations = log("rotations_total", .counter, "Access-log rotations seen: renamed, removed or truncated.")
    static let unread = log("unread_bytes", .gauge, "Bytes of the access log not read yet (the per-scrape read budget ran out).")

    private static func log(_ name: String, _ type: MetricType, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "nginx_access_log_" + name, type: type, help: help, labels: ["log"])
    }

    static func families(_ reports: [(tail: AccessLogTail, report: AccessLogReport)]) -> [MetricFamily] {
        var responses = MetricFamily(responses), duration = MetricFamily(duration)
        var scalars = [up, unparsed, overlong, rotations, unread].map { MetricFamily($0) }
        for (tail, report) in reports {
            let counts = report.counts
            for (index, name) in classes.enumerated() { responses.add([tail.name, name], counts.classes[index]) }
            if tail.format.hasRequestTime { addHistogram(counts, log: tail.name, to: &duration) }
            let values = [report.problem == nil ? 1 : 0, counts.unparsed, counts.overlong, counts.rotations, report.unreadBytes]
            for (index, value) in values.enumerated() { scalars[index].add([tail.name], value) }
        }
        return ([responses, duration] + scalars).filter { !$0.samples.isEmpty }
    }

    private static func addHistogram(_ counts: AccessLogCounts, log: String, to family: inout MetricFamily) {
        var cumulative = 0.0
        for (bound, count) in zip(AccessLogCounts.bounds, counts.buckets) {
            cumulative += count
            family.samples.append(Sample(labels: [Label("le", bound == bound.rounded() ? String(Int(bound)) : String(bound)), Label("log", log)], value: cumulative, suffix: "_bucket"))
        }
        family.samples.append(Sample(labels: [Label("le", "+Inf"), Label("log", log)], value: counts.durationCount, suffix: "_bucket"))
        family.samples.append(Sample(labels: [Label("log", log)], value: counts.durationSum, suffix: "_sum"))
        family.samples.append(Sample(labels: [Label("log", log)], value: counts.durationCount, suffix: "_count"))
    }
}
