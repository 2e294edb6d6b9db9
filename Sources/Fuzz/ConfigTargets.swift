@testable import ExporterCore

// What operators write: the web-config file (and the Authorization header it is checked
// against), the *.prom files the textfile collector reads, and `--check.config` threshold files.

extension FuzzTargets {
    static let configTargets: [FuzzTarget] = [
        FuzzTarget(name: "web-config", run: WebConfigFuzz.run),
        FuzzTarget(name: "textfile", run: TextfileFuzz.run),
        FuzzTarget(name: "thresholds", run: ThresholdsFuzz.run),
    ]
}

enum WebConfigFuzz {
    /// Properties: a refusal names a line of the file (or 0 for what is on no line); the
    /// Authorization parser never returns a password longer than its bound.
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            _ = try WebConfig.parse(text, file: "fuzz.yml", directory: "/nonexistent")
        } catch {
            if error.line < 0 || error.line > lines + 1 { violated("error on line \(error.line) of \(lines)") }
        }
        if let (_, password) = BasicAuth.parse(text), password.count > BasicAuth.maxPasswordBytes + 256 {
            violated("password of \(password.count) bytes accepted")
        }
    }
}

enum TextfileFuzz {
    /// Properties: no family has more samples than the file has lines, and what is accepted
    /// renders as valid exposition.
    static func run(_ bytes: [UInt8]) {
        guard let families = try? TextExposition.parse(bytes) else { return }
        let lines = bytes.count { $0 == 0x0A }
        for family in families where family.samples.count > lines { violated("\(family.samples.count) samples from \(lines) lines") }
        var merged = TextfileFamilies()
        merged.add(families, from: "fuzz.prom")
        ExpositionCheck.renderAndCheck(merged.families, thorough: false)
    }
}

enum ThresholdsFuzz {
    /// Properties: a refusal names the file (and a line that exists); what is accepted keeps
    /// every level finite, ≥ 0, ratios ≤ 1, warning and critical in order, and renders rules with
    /// no placeholder left.
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        var table = ThresholdTable.defaults
        do {
            try ThresholdOverrides.apply(text, source: "fuzz.conf", to: &table)
        } catch {
            let line = error.place.split(separator: ":").last.flatMap { Int($0) }
            if !error.place.hasPrefix("fuzz.conf") || (line.map { $0 < 1 || $0 > lines } ?? false) { violated("refusal at \(error.place)") }
            return
        }
        for signal in table.signals {
            for level in [signal.warning, signal.critical].compactMap({ $0 }) where !level.isFinite || level < 0 || (signal.unit == .ratio && level > 1) {
                violated("\(signal.id) accepted level \(level)")
            }
            if let w = signal.warning, let c = signal.critical, signal.adjustable, signal.comparison == .below ? w <= c : w >= c {
                violated("\(signal.id) levels out of order: \(w), \(c)")
            }
        }
        let rules = AlertRules.render(.alerts, table: table)
        if rules.contains("%W") || rules.contains("%C") { violated("a placeholder left in the rules") }
    }
}
