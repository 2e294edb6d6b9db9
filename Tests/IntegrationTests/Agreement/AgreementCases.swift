@testable import ExporterCore

/// One value of one signal, just inside or outside a level, with what both sides must say: the
/// severity `check` gives (the worst of the signal's rows, OK without a row) and the alerts that
/// fire once their `for:` has passed (and not a minute before it).
struct AgreementCase {
    let signal: Signal
    let fixture: SignalFixture
    let value: Double

    var checkSeverity: RunbookCheck.Severity { signal.grade(value) }

    /// The alerts the rules must fire: the level's own, and a warning whose expression does not
    /// exclude the critical range (`%C` in it) under a critical value too.
    func fires(_ alert: AlertTemplate) -> Bool {
        let level: RunbookCheck.Severity = checkSeverity == .unknown ? .warning : checkSeverity
        switch alert.severity {
        case .critical: return level == .critical
        default: return level == .warning || (level == .critical && !alert.expr.contains("%C"))
        }
    }

    static let instance = ["instance": "h:9630", "job": "stack"]

    /// Every signal on both sides of each level; a state at its bad and its good value.
    static func all(_ table: ThresholdTable = .defaults) -> [AgreementCase] {
        SignalFixtures.all.flatMap { fixture -> [AgreementCase] in
            guard let signal = table[fixture.id] else { return [] }
            return values(signal, good: fixture.good).map { AgreementCase(signal: signal, fixture: fixture, value: $0) }
        }
    }

    static func values(_ signal: Signal, good: Double) -> [Double] {
        guard signal.adjustable else { return [(signal.critical ?? signal.warning) ?? good, good] }
        let step: Double = switch signal.unit {
        case .ratio: 0.005
        case .days, .hours: 0.5
        case .count: 1
        default: 0.1
        }
        return [signal.warning, signal.critical].compactMap { $0 }.flatMap { level -> [Double] in
            let delta = signal.unit == .seconds ? level * step : step
            let (better, worse) = signal.comparison == .below ? (level + delta, level - delta) : (level - delta, level + delta)
            return [max(0, better), worse]
        }
    }

    /// The `for:` of an alert in whole minutes (the generated tests step a minute).
    static func minutes(_ alert: AlertTemplate) -> Int {
        Int(((DurationText.seconds(alert.forDuration) ?? 0) / 60).rounded(.up))
    }

    /// The two scrapes `check` sees, a second apart, at `now`.
    func scrapes(now: Double) -> (before: [MetricFamily], after: [MetricFamily]) {
        func families(_ at: Double, counterSeconds: Double) -> [MetricFamily] {
            var byName: [String: MetricFamily] = [:]
            for series in fixture.series(value) {
                let value = series.sinceNow ? at + series.value : series.value + series.perSecond * counterSeconds
                let labels = series.labels.merging(Self.instance) { a, _ in a }.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
                byName[series.name, default: MetricFamily(FamilyDescriptor(name: series.name, type: .gauge, help: "fixture"))]
                    .samples.append(Sample(labels: labels, value: value))
            }
            return byName.keys.sorted().compactMap { byName[$0] }
        }
        return (families(now - 1, counterSeconds: 0), families(now, counterSeconds: 1))
    }
}
