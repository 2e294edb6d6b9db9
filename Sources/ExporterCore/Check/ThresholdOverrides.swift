/// A bad override: where (file:line or the flag) and what.
public struct ThresholdError: Error, CustomStringConvertible, Equatable {
    public let place: String
    public let message: String
    public var description: String { "\(place): \(message)" }
}

/// Overrides of the table, one per line, in `--check.config=FILE` or `--check.set=LINE`:
///
///     # comment
///     memory.warning = 0.85          (a ratio; 85% means the same)
///     certificate.critical = 14      (in the signal's unit: days)
///     cpu.critical = none            (no such level)
///     backup_age.critical.for = 0s   (the alert's `for:`)
///
/// Ids and units: `stack_exporter rules --output=thresholds`. Levels must keep their order
/// (warning below critical for `>` signals, above it for `<`); states (`pg_up == 0`) are not levels.
public enum ThresholdOverrides {
    /// `validating: false` leaves the order check to the caller, for overrides given in parts (a
    /// file, then `--check.set` lines) that are only in order together.
    public static func apply(_ text: String, source: String, to table: inout ThresholdTable, validating: Bool = true) throws(ThresholdError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            try applyLine(line, place: source == "--check.set" ? source : "\(source):\(index + 1)", to: &table)
        }
        if validating { try validate(table, place: source) }
    }

    static func applyLine(_ line: String, place: String, to table: inout ThresholdTable) throws(ThresholdError) {
        let sides = line.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
        guard sides.count == 2, !sides[1].isEmpty else {
            throw ThresholdError(place: place, message: "expected `signal.level = value`, got \"\(line.prefix(80))\"")
        }
        let key = sides[0].split(separator: ".").map(String.init)
        guard key.count == 2 || (key.count == 3 && key[2] == "for"),
              let index = table.signals.firstIndex(where: { $0.id == key[0] }) else {
            throw ThresholdError(place: place, message: "unknown setting \"\(sides[0])\" (signals: stack_exporter rules --output=thresholds)")
        }
        let signal = table.signals[index]
        guard key[1] == "warning" || key[1] == "critical" else {
            throw ThresholdError(place: place, message: "\"\(key[1])\" is not a level: use warning or critical")
        }
        let severity: RunbookCheck.Severity = key[1] == "warning" ? .warning : .critical
        if key.count == 3 {
            table.signals[index] = try withFor(sides[1], severity: severity, signal: signal, place: place)
        } else {
            table.signals[index] = try withLevel(sides[1], severity: severity, signal: signal, place: place)
        }
    }

    static func withLevel(_ text: String, severity: RunbookCheck.Severity, signal: Signal, place: String) throws(ThresholdError) -> Signal {
        guard signal.adjustable else {
            throw ThresholdError(place: place, message: "\(signal.id) is a state (\(signal.stateRule)), it has no threshold to set")
        }
        var value: Double? = nil
        if text != "none" {
            let percent = text.hasSuffix("%")
            guard let number = Double(percent ? String(text.dropLast()).trimmingWhitespace() : text), number.isFinite, number >= 0,
                  !percent || signal.unit == .ratio else {
                throw ThresholdError(place: place, message: "\"\(text)\" is not a \(signal.unit.rawValue) value (a number ≥ 0\(signal.unit == .ratio ? ", or a percentage" : ""), or none)")
            }
            value = percent ? number / 100 : number
        }
        if signal.unit == .ratio, let value, value > 1 {
            throw ThresholdError(place: place, message: "\(text) is above 1: a ratio is 0…1 (or write 85%)")
        }
        guard signal.alerts.contains(where: { $0.severity == severity }) else {
            throw ThresholdError(place: place, message: "\(signal.id) has no \(severity == .warning ? "warning" : "critical") level")
        }
        let placeholder = severity == .warning ? "%W" : "%C"
        if value == nil, let other = signal.alerts.first(where: { $0.severity != severity && $0.expr.contains(placeholder) }) {
            throw ThresholdError(place: place, message: "\(signal.id).\(key(severity)) cannot be none: \(other.name) is bounded by it")
        }
        var changed = signal
        if severity == .warning { changed.warning = value } else { changed.critical = value }
        return changed
    }

    static func key(_ severity: RunbookCheck.Severity) -> String { severity == .warning ? "warning" : "critical" }

    static func withFor(_ text: String, severity: RunbookCheck.Severity, signal: Signal, place: String) throws(ThresholdError) -> Signal {
        guard DurationText.seconds(text) != nil, text.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ThresholdError(place: place, message: "\"\(text)\" is not a duration (5m, 30s, 0s)")
        }
        var changed = signal
        guard let index = changed.alerts.firstIndex(where: { $0.severity == severity }) else {
            throw ThresholdError(place: place, message: "\(signal.id) has no \(severity == .warning ? "warning" : "critical") alert")
        }
        changed.alerts[index].forDuration = text
        return changed
    }

    /// Both levels present keep their order, so a warning cannot sit beyond its critical.
    static func validate(_ table: ThresholdTable, place: String) throws(ThresholdError) {
        for signal in table.signals where signal.adjustable {
            guard let warning = signal.warning, let critical = signal.critical else { continue }
            let ordered = signal.comparison == .below ? warning > critical : warning < critical
            guard ordered else {
                throw ThresholdError(place: place, message: "\(signal.id): warning \(ThresholdText.number(warning)) must be \(signal.comparison == .below ? "above" : "below") critical \(ThresholdText.number(critical))")
            }
        }
    }
}
