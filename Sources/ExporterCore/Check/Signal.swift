/// One runbook signal: what is measured, its thresholds and the alert rules that encode them.
/// `check` grades with it and `rules` renders it, so the two cannot disagree on a number.
public struct Signal: Sendable {
    public enum Comparison: String, Sendable {
        /// Worse when larger: memory used, backup age.
        case above = ">"
        /// Worse when smaller: certificate days left, cache hit rate.
        case below = "<"
        /// A state, not a level: the bad value is the threshold (`pg_up == 0`).
        case equal = "=="
    }

    /// The unit thresholds are written in; `scale` converts it to the PromQL value.
    public enum Unit: String, Sendable {
        case ratio, seconds, hours, days, count, state

        var scale: Double {
            switch self {
            case .hours: 3600
            case .days: 86_400
            default: 1
            }
        }
    }

    /// Stable id: the key of overrides (`memory.warning = 0.85`) and of `check --output=json`.
    public let id: String
    public let title: String
    /// The collector whose metrics the signal reads; nil for signals outside the exporter.
    public let collector: String?
    /// The PromQL expression of the graded value, in `unit` × scale (shown in the docs and JSON).
    public let source: String
    public let unit: Unit
    public let comparison: Comparison
    public var warning: Double?
    public var critical: Double?
    public var alerts: [AlertTemplate]
    /// For states: the rule in words ("down crit"); levels have theirs generated.
    public let stateRule: String
    /// false for a signal only Prometheus can see (the exporter itself not answering).
    public let checked: Bool
    /// Failed items (unreadable file, failing collector) are UNKNOWN to `check`: the alert is a
    /// warning because Alertmanager has no unknown severity.
    public let unknownInCheck: Bool

    public init(
        _ id: String, _ title: String, collector: String?, source: String, unit: Unit, _ comparison: Comparison,
        warning: Double? = nil, critical: Double? = nil, stateRule: String = "", checked: Bool = true,
        unknownInCheck: Bool = false, alerts: [AlertTemplate]
    ) {
        self.id = id
        self.title = title
        self.collector = collector
        self.source = source
        self.unit = unit
        self.comparison = comparison
        self.warning = warning
        self.critical = critical
        self.stateRule = stateRule
        self.checked = checked
        self.unknownInCheck = unknownInCheck
        self.alerts = alerts
    }

    public var adjustable: Bool { unit != .state }

    /// The severity of a value: critical first, then warning.
    func grade(_ value: Double) -> RunbookCheck.Severity {
        let worse: (Double) -> Bool = { limit in
            switch comparison {
            case .above: value > limit
            case .below: value < limit
            case .equal: value == limit
            }
        }
        if let critical, worse(critical) { return .critical }
        if let warning, worse(warning) { return unknownInCheck ? .unknown : .warning }
        return .ok
    }

    /// "> 80 % warn, > 90 % crit" from the current thresholds.
    public var ruleText: String {
        guard adjustable else { return stateRule }
        var parts: [String] = []
        if let warning { parts.append("\(comparison.rawValue) \(ThresholdText.show(warning, unit)) warn") }
        if let critical { parts.append("\(comparison.rawValue) \(ThresholdText.show(critical, unit)) crit") }
        return parts.isEmpty ? "no thresholds" : parts.joined(separator: ", ")
    }

    /// The runbook section of a verdict: the alert of that severity, else the signal's first.
    func anchor(for severity: RunbookCheck.Severity) -> String {
        let wanted: RunbookCheck.Severity = severity == .unknown ? .warning : severity
        return (alerts.first { $0.severity == wanted } ?? alerts.first)?.anchor ?? id
    }
}

/// One alert rule of a signal. `expr` holds placeholders filled from the signal's thresholds:
/// `%W` warning and `%C` critical, in PromQL units (`30 * 86400`).
public struct AlertTemplate: Sendable {
    public let name: String
    public let severity: RunbookCheck.Severity
    public let expr: String
    public var forDuration: String
    public let summary: String
    public let description: String

    public init(_ name: String, _ severity: RunbookCheck.Severity, for forDuration: String = "0s", expr: String, summary: String, description: String) {
        self.name = name
        self.severity = severity
        self.expr = expr
        self.forDuration = forDuration
        self.summary = summary
        self.description = description
    }

    /// The heading of the alert's section in docs/runbook.md, as GitHub and most renderers anchor it.
    public var anchor: String { name.lowercased() }
}

/// Numbers as operators write them.
enum ThresholdText {
    /// 0.8 → "0.8", 30 → "30": no trailing ".0", no exponent for the values thresholds take.
    static func number(_ value: Double) -> String {
        if let whole = Int(exactly: value) { return String(whole) }
        return "\(value)"
    }

    static func show(_ value: Double, _ unit: Signal.Unit) -> String {
        switch unit {
        case .ratio: "\(number((value * 1000).rounded() / 10)) %"
        case .seconds where value < 1: "\(number((value * 1000).rounded())) ms"
        case .seconds where value >= 60 && value.truncatingRemainder(dividingBy: 60) == 0: "\(number(value / 60)) minutes"
        case .seconds: "\(number(value)) s"
        case .hours: "\(number(value)) hours"
        case .days: "\(number(value)) days"
        case .count, .state: number(value)
        }
    }

    /// A threshold in PromQL: `30 * 86400` for days, the plain number otherwise.
    static func promQL(_ value: Double, _ unit: Signal.Unit) -> String {
        unit.scale == 1 ? number(value) : "\(number(value)) * \(number(unit.scale))"
    }
}
