import Dispatch

/// Runs the enabled collectors of one scrape concurrently, each until the scrape deadline, and adds
/// `stack_exporter_scrape_collector_success` and `…_duration_seconds` for every collector it ran.
public final class Scraper: Sendable {
    private let runners: [CollectorRunner]
    public var collectorNames: [String] { runners.map(\.name) }

    public init(collectors: [(name: String, collector: any Collector)], logger: Logger, exposition: ExpositionStats) {
        // A serial queue per collector: serial queues run on libdispatch's overcommitting pool, so
        // a blocked collector never starves the others (concurrent queues share ncpu threads), and
        // the runner's coalescing means one run, so one thread, per collector at most.
        runners = collectors.map {
            let queue = DispatchQueue(label: "stack_exporter.collector.\($0.name)")
            return CollectorRunner(name: $0.name, collector: $0.collector, logger: logger, exposition: exposition, queue: queue)
        }
    }

    public enum Selection: Sendable {
        case all
        case only(Set<String>)
    }

    public func scrape(_ selection: Selection, deadline: MonotonicTime) -> [MetricFamily] {
        let selected = runners.filter {
            switch selection {
            case .all: true
            case .only(let names): names.contains($0.name)
            }
        }
        // Start (or join) every run first so they proceed in parallel, then wait for each.
        let runs = selected.map { $0.join(deadline: deadline) }
        var outcomes: [CollectorOutcome] = []
        outcomes.reserveCapacity(selected.count)
        for (runner, run) in zip(selected, runs) { outcomes.append(runner.outcome(of: run, deadline: deadline)) }
        return Self.families(from: outcomes)
    }

    static func families(from outcomes: [CollectorOutcome]) -> [MetricFamily] {
        var success = MetricFamily(ScrapeMetrics.collectorSuccess)
        var duration = MetricFamily(ScrapeMetrics.collectorDuration)
        var families: [MetricFamily] = []
        for outcome in outcomes {
            families.append(contentsOf: outcome.families)
            success.add([outcome.name], outcome.succeeded ? 1 : 0)
            duration.add([outcome.name], outcome.duration)
        }
        if !outcomes.isEmpty {
            families.append(success)
            families.append(duration)
        }
        return families
    }
}

public enum ScrapeMetrics {
    public static let collectorSuccess = FamilyDescriptor(
        name: "stack_exporter_scrape_collector_success", type: .gauge,
        help: "Whether a collector succeeded within the scrape deadline (1) or failed or timed out (0).",
        labels: ["collector"])
    public static let collectorDuration = FamilyDescriptor(
        name: "stack_exporter_scrape_collector_duration_seconds", type: .gauge,
        help: "Duration of a collector's run in seconds; the time waited for one that timed out.",
        unit: "seconds", labels: ["collector"])
}
