/// The flags of `stack_exporter check` and `stack_exporter rules` (not of the server).
public enum CheckFlags {
    static let output = Flag.string(
        "output", default: "text", help: "check: text (coloured on a terminal unless NO_COLOR is set) or json.",
        group: "Check", placeholder: "<format>", choices: RunbookCheck.Output.allCases.map(\.rawValue))
    static let config = Flag.string(
        "check.config", help: "File of threshold overrides, one `signal.level = value` a line (README, `rules --output=thresholds`).",
        group: "Check", placeholder: "<file>")
    static let set = Flag.list(
        "check.set", help: "One override, as a line of --check.config (repeatable; applied after the file): memory.warning=0.85.",
        group: "Check", placeholder: "<signal.level=value>")
    static let rulesOutput = Flag.string(
        "output", default: "alerts", help: "alerts, recording, thresholds or thresholds-json.",
        group: "Rules", placeholder: "<what>", choices: AlertRules.Output.allCases.map(\.rawValue))
    static let runbookBase = Flag.string(
        "rules.runbook-base-url", default: AlertRules.defaultRunbookBase,
        help: "Where docs/runbook.md is published; each alert's runbook_url is this plus #its-name.", group: "Rules", placeholder: "<url>")

    static let checkSpecs = [output.spec, config.spec, set.spec]
    static let rulesSpecs = [rulesOutput.spec, config.spec, set.spec, runbookBase.spec]

    /// The defaults with the file's overrides, then each `--check.set`, then the order checked.
    static func table(_ flags: ParsedFlags) throws(ThresholdError) -> ThresholdTable {
        var table = ThresholdTable.defaults
        let path = flags[config]
        if !path.isEmpty {
            let text: String
            do {
                text = try FileReader.readText(path, limit: 64 << 10)
            } catch {
                throw ThresholdError(place: path, message: "cannot read: \(error.description)")
            }
            try ThresholdOverrides.apply(text, source: path, to: &table, validating: false)
        }
        for line in flags[set] { try ThresholdOverrides.apply(line, source: "--check.set", to: &table, validating: false) }
        // The order of the levels once everything is applied: --check.set may move both of a pair.
        try ThresholdOverrides.validate(table, place: flags[set].isEmpty ? path : "--check.set")
        return table
    }
}
