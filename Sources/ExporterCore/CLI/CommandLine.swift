/// A command-line mistake: one clear line for the user, exit status 2.
public struct CommandLineError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What the command line asks for.
public enum CommandLineAction: Sendable {
    case run(ParsedFlags)
    case help
    /// `--help-man`: the manual page (roff), from the same flag table.
    case manPage
    case version
}

/// Parses `--flag=value`, `--flag value`, `--flag`/`--no-flag` for booleans (kingpin's syntax,
/// which node_exporter users know).
public enum CommandLineParser {
    public static func parse(_ arguments: [String], specs: [FlagSpec]) throws(CommandLineError) -> CommandLineAction {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var values: [String: [String]] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" { return .help }
            if argument == "--version" { return .version }
            if argument == "--help-man" { return .manPage }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw CommandLineError("unexpected argument \"\(argument)\"")
            }
            let body = argument.dropFirst(2)
            let (name, inlineValue): (String, String?) = {
                guard let eq = body.firstIndex(of: "=") else { return (String(body), nil) }
                return (String(body[..<eq]), String(body[body.index(after: eq)...]))
            }()
            if let spec = byName[name] {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if spec.kind == .bool {
                    value = "true"
                } else {
                    guard index < arguments.count else { throw CommandLineError("flag --\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                values[name, default: []].append(try validate(value, for: spec))
            } else if name.hasPrefix("no-"), let spec = byName[String(name.dropFirst(3))], spec.kind == .bool, inlineValue == nil {
                values[spec.name, default: []].append("false")
            } else {
                throw CommandLineError("unknown flag --\(name)")
            }
        }
        return .run(ParsedFlags(specs: specs, values: values))
    }

    static func validate(_ value: String, for spec: FlagSpec) throws(CommandLineError) -> String {
        switch spec.kind {
        case .bool:
            guard value == "true" || value == "false" else {
                throw CommandLineError("flag --\(spec.name) takes true or false, not \"\(value)\"")
            }
        case .int:
            guard Int(value) != nil else { throw CommandLineError("flag --\(spec.name) takes a whole number, not \"\(value)\"") }
        case .duration:
            guard DurationText.seconds(value) != nil else {
                throw CommandLineError("flag --\(spec.name) takes a duration such as 10s or 500ms, not \"\(value)\"")
            }
        case .string, .list:
            break
        }
        if !spec.choices.isEmpty && !spec.choices.contains(value) {
            throw CommandLineError("flag --\(spec.name) takes one of \(spec.choices.joined(separator: ", ")), not \"\(value)\"")
        }
        return value
    }

    /// `--help`: flags by group, each with its default.
    public static func helpText(specs: [FlagSpec], summary: String) -> String {
        var text = "usage: stack_exporter [<flags>]\n"
            + "       stack_exporter check [<flags>]   run every collector once against the runbook thresholds (exit 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN)\n"
            + "       stack_exporter rules [<flags>]   print the Prometheus rules of those thresholds (rules --help)\n\n\(summary)\n"
        var groups: [String] = []
        for spec in specs where !groups.contains(spec.group) { groups.append(spec.group) }
        for group in groups {
            text += "\n\(group):\n"
            let members = specs.filter { $0.group == group }
            let left = members.map(usage)
            let width = min(48, left.map(\.count).max() ?? 0)
            for (spec, usage) in zip(members, left) {
                let padding = usage.count < width ? String(repeating: " ", count: width - usage.count) : ""
                text += "  \(usage)\(padding)  \(spec.help)\(defaultNote(spec))\n"
            }
        }
        return text
    }

    private static func usage(_ spec: FlagSpec) -> String {
        switch spec.kind {
        case .bool: return "--[no-]\(spec.name)"
        default: return "--\(spec.name)=\(spec.placeholder.isEmpty ? "<\(spec.kind == .duration ? "duration" : "value")>" : spec.placeholder)"
        }
    }

    private static func defaultNote(_ spec: FlagSpec) -> String {
        let repeatable = spec.kind == .list ? " Repeatable." : ""
        if spec.defaultValue.isEmpty { return spec.kind == .bool ? " (default: false)\(repeatable)" : repeatable }
        return " (default: \(spec.defaultValue))\(repeatable)"
    }
}
