/// One command-line flag: name without dashes, kind, default, help and the `--help` group.
public struct FlagSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case bool
        case string
        case int
        /// Go-style durations: `10s`, `500ms`, `1m30s`; a bare number means seconds.
        case duration
        /// Repeatable; each occurrence adds a value.
        case list
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: String
    public let help: String
    public let group: String
    public let placeholder: String
    public let choices: [String]

    public init(
        _ name: String, kind: Kind, default defaultValue: String = "", help: String, group: String,
        placeholder: String = "", choices: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.group = group
        self.placeholder = placeholder
        self.choices = choices
    }
}

/// A flag declared once, as a typed constant next to the collector that reads it
/// (`static let timeout = Flag.duration("tls.timeout", …)`). Values are read with
/// `flags[TLSCollectors.timeout]`, so a flag that was never declared cannot be read: a typo does
/// not compile, where a name looked up as a string would silently yield "", 0 or false.
public struct Flag<Value: Sendable>: Sendable {
    public let spec: FlagSpec
    fileprivate let value: @Sendable (ParsedFlags) -> Value

    public var name: String { spec.name }
}

extension Flag where Value == String {
    public static func string(
        _ name: String, default value: String = "", help: String, group: String, placeholder: String = "", choices: [String] = []
    ) -> Flag {
        let spec = FlagSpec(name, kind: .string, default: value, help: help, group: group, placeholder: placeholder, choices: choices)
        return Flag(spec: spec) { $0.lastValue(spec) }
    }
}

extension Flag where Value == Bool {
    public static func bool(_ name: String, default value: Bool = false, help: String, group: String) -> Flag {
        let spec = FlagSpec(name, kind: .bool, default: value ? "true" : "false", help: help, group: group)
        return Flag(spec: spec) { $0.lastValue(spec) == "true" }
    }
}

extension Flag where Value == Int {
    /// Validated as an integer by the parser, so the fallback 0 is never reached from input.
    public static func int(_ name: String, default value: Int, help: String, group: String, placeholder: String = "<n>") -> Flag {
        let spec = FlagSpec(name, kind: .int, default: String(value), help: help, group: group, placeholder: placeholder)
        return Flag(spec: spec) { Int($0.lastValue(spec)) ?? value }
    }
}

extension Flag where Value == Double {
    /// A duration in seconds (`10s`, `500ms`, `1m30s`), validated by the parser.
    public static func duration(_ name: String, default value: String, help: String, group: String, placeholder: String = "") -> Flag {
        let spec = FlagSpec(name, kind: .duration, default: value, help: help, group: group, placeholder: placeholder)
        return Flag(spec: spec) { DurationText.seconds($0.lastValue(spec)) ?? DurationText.seconds(value) ?? 0 }
    }
}

extension Flag where Value == [String] {
    /// Repeatable: every value given, else the default split on commas.
    public static func list(_ name: String, default value: String = "", help: String, group: String, placeholder: String = "") -> Flag {
        let spec = FlagSpec(name, kind: .list, default: value, help: help, group: group, placeholder: placeholder)
        return Flag(spec: spec) { flags in
            if let given = flags.values[spec.name] { return given }
            return value.isEmpty ? [] : value.split(separator: ",").map(String.init)
        }
    }
}

/// Parsed flag values with their defaults, read through the typed `Flag` constants.
public struct ParsedFlags: Sendable {
    let specs: [String: FlagSpec]
    var values: [String: [String]]

    init(specs: [FlagSpec], values: [String: [String]] = [:]) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.values = values
    }

    public subscript<Value>(_ flag: Flag<Value>) -> Value { flag.value(self) }

    /// Whether the command line gave the flag (a default does not count).
    public func wasSet<Value>(_ flag: Flag<Value>) -> Bool { values[flag.name] != nil }

    /// `--[no-]collector.<name>`: generated from the modules, so looked up by the module's name;
    /// nil when not given.
    func collectorToggle(_ module: String) -> Bool? {
        values["collector." + module]?.last.map { $0 == "true" }
    }

    fileprivate func lastValue(_ spec: FlagSpec) -> String { values[spec.name]?.last ?? spec.defaultValue }
}

/// Parses Go `time.ParseDuration` style text into seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        if let plain = Double(text), plain.isFinite, plain >= 0 { return plain }
        let units: [(String, Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { ($0 >= "0" && $0 <= "9") || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * factor
        }
        return total.isFinite ? total : nil
    }
}
