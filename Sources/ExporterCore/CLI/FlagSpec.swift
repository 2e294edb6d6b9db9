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

/// Parsed flag values with their defaults; read by name.
public struct ParsedFlags: Sendable {
    let specs: [String: FlagSpec]
    var values: [String: [String]]

    init(specs: [FlagSpec], values: [String: [String]] = [:]) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.values = values
    }

    public func wasSet(_ name: String) -> Bool { values[name] != nil }

    public func string(_ name: String) -> String {
        values[name]?.last ?? specs[name]?.defaultValue ?? ""
    }

    /// Every value given, or the default split on commas when none was given.
    public func list(_ name: String) -> [String] {
        if let given = values[name] { return given }
        let fallback = specs[name]?.defaultValue ?? ""
        return fallback.isEmpty ? [] : fallback.split(separator: ",").map(String.init)
    }

    public func bool(_ name: String) -> Bool { string(name) == "true" }

    public func int(_ name: String) -> Int { Int(string(name)) ?? 0 }

    public func seconds(_ name: String) -> Double { DurationText.seconds(string(name)) ?? 0 }
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
