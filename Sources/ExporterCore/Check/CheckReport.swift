/// `check`'s output: aligned text (coloured on a terminal) or one JSON document.
extension RunbookCheck {
    public enum Output: String, Sendable, CaseIterable {
        case text, json
    }

    /// The verdict of a set of rows: the worst, CRIT > WARN > UNKNOWN > OK.
    public static func verdict(_ findings: [Finding]) -> Severity { findings.map(\.severity).max() ?? .ok }

    /// Worst first, the table's order among equals.
    static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
    }

    /// One line per finding, worst first, then a verdict line. `colour`: ANSI colours on the
    /// severity word (the caller decides: a terminal, and NO_COLOR unset).
    public static func report(_ findings: [Finding], colour: Bool = false) -> String {
        let rows = sorted(findings)
        let width = min(40, rows.map { $0.signal.count + $0.subject.count + 3 }.max() ?? 0)
        var text = ""
        for finding in rows {
            let what = "\(finding.signal) · \(finding.subject)"
            let word = finding.severity.word.padded(7)
            let shown = colour ? "\(ansi(finding.severity))\(word)\u{1B}[0m" : word
            let runbook = finding.runbook.isEmpty ? "" : "  \(finding.runbook)"
            text += "\(shown) \(what.padded(width))  \(finding.value)   [\(finding.rule)]\(runbook)\n"
        }
        let worst = verdict(findings)
        let counts = [Severity.critical, .warning, .unknown, .ok].map { s in "\(findings.filter { $0.severity == s }.count) \(s.word)" }
        let headline = switch worst {
        case .ok: "all within the runbook"
        case .unknown: "runbook not fully known"
        default: "runbook breached"
        }
        text += "\(headline): \(counts.joined(separator: ", "))\n"
        return text
    }

    static func ansi(_ severity: Severity) -> String {
        switch severity {
        case .ok: "\u{1B}[32m"
        case .warning: "\u{1B}[33m"
        case .critical: "\u{1B}[31m"
        case .unknown: "\u{1B}[35m"
        }
    }

    /// `{"verdict": "WARN", "exit_code": 1, "findings": [{…}]}`, rows worst first.
    public static func json(_ findings: [Finding]) -> String {
        let rows = sorted(findings).map { f in
            let fields = [("severity", f.severity.word), ("signal", f.id), ("title", f.signal), ("subject", f.subject),
                          ("value", f.value), ("rule", f.rule), ("runbook", f.runbook)]
            return "{" + fields.map { "\(Logger.jsonString($0.0)):\(Logger.jsonString($0.1))" }.joined(separator: ",") + "}"
        }
        let worst = verdict(findings)
        return "{\"verdict\":\(Logger.jsonString(worst.word)),\"exit_code\":\(worst.exitCode),\"findings\":[\n"
            + rows.joined(separator: ",\n") + "\n]}\n"
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
