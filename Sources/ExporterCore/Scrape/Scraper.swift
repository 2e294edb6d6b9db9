/// Runs the enabled collectors of one scrape concurrently, each until the scrape deadline, and adds
/// `stack_exporter_scrape_collector_success` and `…_duration_seconds` for every collector it ran.
public final class Scraper: Sendable {
    private let runners: [CollectorRunner]
    /// Collectors whose success and duration are also reported under node_exporter's names
    /// (`node_scrape_collector_*`), which Node Exporter Full's panels query.
    private let nodeCompatible: Set<String>
    public var collectorNames: [String] { runners.map(\.name) }

    public init(
        collectors: [(name: String, collector: any Collector)], logger: Logger, exposition: ExpositionStats,
        nodeCompatible: Set<String> = []
    ) {
        self.nodeCompatible = nodeCompatible
        // One pool thread per collector is enough: the runner's coalescing means one run, so one
        // thread, per collector at most, and a blocked collector never starves the others.
        let pool = WorkerPool(name: "se-collector", maxThreads: collectors.count, stackSize: 1 << 20)
        runners = collectors.map {
            CollectorRunner(name: $0.name, collector: $0.collector, logger: logger, exposition: exposition, pool: pool)
        }
    }

    /// The collectors whose latest run failed, with the error (`check` shows it in their row).
    public func failures() -> [String: String] {
        Dictionary(runners.compactMap { runner in runner.lastError.map { (runner.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    public enum Selection: Sendable {
        case all
        case only(Set<String>)
    }

    private func runners(in selection: Selection) -> [CollectorRunner] {
        runners.filter {
            switch selection {
            case .all: true
            case .only(let names): names.contains($0.name)
            }
        }
    }

    /// Runs (or joins) every selected collector and waits for each until `deadline`. Called on a
    /// worker thread, never on the event loop.
    public func scrape(_ selection: Selection, deadline: MonotonicTime) -> [MetricFamily] {
        let selected = runners(in: selection)
        let inline = selected.map(\.runsInline)  // decided once: the file system collector's answer can change
        var runs: [CollectorRun?] = Array(repeating: nil, count: selected.count)
        // Threaded runs start first so they proceed in parallel with the inline ones.
        for index in selected.indices where !inline[index] {
            runs[index] = selected[index].join(deadline: deadline, inline: false).run
        }
        // Inline collectors run one after another on this thread. Sharing them with a helper
        // thread was tried: on two cores it cost 35 % more CPU per host scrape (futex wake-ups,
        // context switches, malloc arena contention when one thread frees what the other
        // allocated) and was no faster. Each is joined only when its turn comes, so a scrape that
        // meets one still running in an earlier scrape (stuck in a read) runs all the others and
        // waits for that one last, until the deadline.
        for index in selected.indices where inline[index] {
            let entry = selected[index].join(deadline: deadline, inline: true)
            if entry.pending { selected[index].executeInline(entry.run, deadline: deadline) }
            runs[index] = entry.run
        }
        var outcomes: [CollectorOutcome] = []
        outcomes.reserveCapacity(selected.count)
        for (runner, run) in zip(selected, runs) {
            guard let run else { continue }
            outcomes.append(runner.outcome(of: run, deadline: deadline))
        }
        return Self.families(from: outcomes, nodeCompatible: nodeCompatible)
    }

    static func families(from outcomes: [CollectorOutcome], nodeCompatible: Set<String> = []) -> [MetricFamily] {
        var success = MetricFamily(ScrapeMetrics.collectorSuccess)
        var duration = MetricFamily(ScrapeMetrics.collectorDuration)
        var nodeSuccess = MetricFamily(ScrapeMetrics.nodeCollectorSuccess)
        var nodeDuration = MetricFamily(ScrapeMetrics.nodeCollectorDuration)
        var families: [MetricFamily] = []
        for outcome in outcomes {
            families.append(contentsOf: outcome.families)
            success.add([outcome.name], outcome.succeeded ? 1 : 0)
            duration.add([outcome.name], outcome.duration)
            if nodeCompatible.contains(outcome.name) {
                nodeSuccess.add([outcome.name], outcome.succeeded ? 1 : 0)
                nodeDuration.add([outcome.name], outcome.duration)
            }
        }
        for family in [success, duration, nodeSuccess, nodeDuration] where !family.samples.isEmpty {
            families.append(family)
        }
        return families
    }
}

public enum ScrapeMetrics {
    public static let nodeCollectorSuccess = FamilyDescriptor(
        name: "node_scrape_collector_success", type: .gauge,
        help: "node_exporter: Whether a collector succeeded.", labels: ["collector"])
    public static let nodeCollectorDuration = FamilyDescriptor(
        name: "node_scrape_collector_duration_seconds", type: .gauge,
        help: "node_exporter: Duration of a collector scrape.", unit: "seconds", labels: ["collector"])
    public static let collectorSuccess = FamilyDescriptor(
        name: "stack_exporter_scrape_collector_success", type: .gauge,
        help: "Whether a collector succeeded within the scrape deadline (1) or failed or timed out (0).",
        labels: ["collector"])
    public static let collectorDuration = FamilyDescriptor(
        name: "stack_exporter_scrape_collector_duration_seconds", type: .gauge,
        help: "Duration of a collector's run in seconds; the time waited for one that timed out.",
        unit: "seconds", labels: ["collector"])
}
