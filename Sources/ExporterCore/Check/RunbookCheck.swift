/// `stack_exporter check`: the operators' runbook as one command. Every collector runs twice, a
/// second apart (rates need two samples), and each signal of the `ThresholdTable` is graded; a
/// failed item (collector, server, file) is a row of its own with the reason.
public enum RunbookCheck {
    /// Ordered as monitoring plugins combine them (Nagios): CRIT > WARN > UNKNOWN > OK.
    public enum Severity: Int, Comparable, Sendable {
        case ok = 0, unknown = 1, warning = 2, critical = 3

        public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

        /// The plugin exit status: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.
        public var exitCode: Int32 {
            switch self {
            case .ok: 0
            case .warning: 1
            case .critical: 2
            case .unknown: 3
            }
        }

        public var word: String {
            switch self {
            case .ok: "OK"
            case .unknown: "UNKNOWN"
            case .warning: "WARN"
            case .critical: "CRIT"
            }
        }
    }

    public struct Finding: Sendable, Equatable {
        public let severity: Severity
        /// The signal's title ("memory used"); `id` is the table's key ("memory").
        public let signal: String
        public let subject: String
        public let value: String
        public let rule: String
        public var id: String = ""
        /// The runbook section, `docs/runbook.md#anchor`.
        public var runbook: String = ""
    }

    /// The two scrapes and the table, handed to every signal's grader.
    struct Context {
        let before: MetricIndex
        let after: MetricIndex
        let interval: Double
        let now: Double
        let table: ThresholdTable
        /// The error of each collector that failed, by name.
        let failures: [String: String]

        /// A row of `id`'s signal: its title, rule text and runbook section.
        func finding(_ id: String, _ severity: Severity, subject: String, value: String) -> Finding {
            guard let signal = table[id] else {
                return Finding(severity: .unknown, signal: id, subject: subject, value: value, rule: "not in the table", id: id)
            }
            return Finding(severity: severity, signal: signal.title, subject: subject, value: value, rule: signal.ruleText,
                           id: id, runbook: "docs/runbook.md#\(signal.anchor(for: severity))")
        }

        /// A graded value: the table's levels decide.
        func graded(_ id: String, _ value: Double, subject: String, text: String) -> Finding {
            finding(id, table[id]?.grade(value) ?? .unknown, subject: subject, value: text)
        }

        /// Whether `collector` ran in this check and succeeded (false if it failed or is off).
        func succeeded(_ collector: String) -> Bool {
            after.samples("stack_exporter_scrape_collector_success").contains { $0.label("collector") == collector && $0.value == 1 }
        }
    }

    /// Evaluates two scrapes taken `interval` seconds apart against `table`; `failures` are the
    /// collectors' errors (`Scraper.failures()`), shown as the reason of their rows.
    public static func evaluate(
        first: [MetricFamily], second: [MetricFamily], interval: Double, now: Double, table: ThresholdTable = .defaults,
        failures: [String: String] = [:]
    ) -> [Finding] {
        let context = Context(
            before: MetricIndex(first), after: MetricIndex(second), interval: interval, now: now, table: table, failures: failures)
        let graders: [(Context) -> [Finding]] = [
            memory, cpu, disks, certificates, certificateProblems, postgres, containers, redis, nginx, http, backups, collectors,
        ]
        return graders.flatMap { $0(context) }
    }

    /// A failing collector is UNKNOWN: whatever it measures is not known.
    static func collectors(_ c: Context) -> [Finding] {
        var findings = c.after.samples("stack_exporter_scrape_collector_success").filter { $0.value == 0 }.map {
            c.finding("collector", .unknown, subject: $0.label("collector"),
                      value: c.failures[$0.label("collector")].map { "failed: \($0)" } ?? "failed (the log on stderr says why)")
        }
        if let error = c.after.value("node_textfile_scrape_error") {
            findings.append(c.finding("textfile", c.table["textfile"]?.grade(error) ?? .unknown, subject: "*.prom files",
                                      value: error == 1 ? "a file unreadable" : "all read"))
        }
        return findings
    }

    /// A value as a whole number, truncated; one out of Int's range as the double it is. Values
    /// come from daemons, databases and certificates, and Int(_:) traps on those (issue #12).
    static func whole(_ value: Double) -> String {
        Int(exactly: value.rounded(.towardZero)).map { "\($0)" } ?? "\(value)"
    }

    static func percent(_ ratio: Double) -> String {
        let tenths = (ratio * 1000).rounded() / 10
        return "\(tenths) %"
    }
}

/// Families by name, for looking values up by label.
struct MetricIndex {
    struct Entry {
        let labels: [Label]
        let value: Double

        func label(_ name: String) -> String { labels.first { $0.name == name }?.value ?? "" }

        /// Whether every label of `other` but those in `ignoring` has the same value here.
        func matches(_ other: Entry, ignoring: Set<String> = []) -> Bool {
            other.labels.allSatisfy { ignoring.contains($0.name) || label($0.name) == $0.value }
        }
    }

    private var byName: [String: [Entry]] = [:]

    init(_ families: [MetricFamily]) {
        for family in families {
            byName[family.name, default: []] += family.samples.filter { $0.suffix.isEmpty }.map { Entry(labels: $0.labels, value: $0.value) }
        }
    }

    func samples(_ name: String) -> [Entry] { byName[name] ?? [] }
    func value(_ name: String) -> Double? { byName[name]?.first?.value }
}
