import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// `check` and the alert rules agree: every signal of the table, on both sides of each level, is
/// graded by `check` on fixture scrapes and by the real `promtool test rules` on the same values
/// (prometheus/tests/thresholds_test.yml, regenerated with UPDATE_GOLDEN=1; the rules it loads
/// are alerts.yml without annotations, prometheus/tests/thresholds_rules.yml).
@Suite(.serialized, .timeLimit(.minutes(10))) struct AgreementTests {
    static let tests = Package.root + "/prometheus/tests"

    @Test func everySignalHasAFixtureAndBothSidesOfEachLevel() {
        let fixtures = Set(SignalFixtures.all.map(\.id))
        for signal in ThresholdTable.defaults.signals {
            #expect(fixtures.contains(signal.id), "\(signal.id) has no agreement fixture")
        }
        for signal in ThresholdTable.defaults.signals {
            let severities = Set(AgreementCase.all().filter { $0.signal.id == signal.id }.map(\.checkSeverity))
            #expect(severities.contains(.ok) && severities.count >= 2, "\(signal.id): \(severities)")
        }
    }

    /// `check` on the fixture scrapes says what the case says.
    @Test func checkGradesEveryCase() {
        let now = 2_000_000_000.0
        for item in AgreementCase.all() where item.signal.checked {
            let scrapes = item.scrapes(now: now)
            let rows = RunbookCheck.evaluate(first: scrapes.before, second: scrapes.after, interval: 1, now: now).filter { $0.id == item.signal.id }
            let got = rows.map(\.severity).max() ?? .ok
            #expect(got == item.checkSeverity, "\(item.signal.id) = \(item.value): check says \(got.word) \(rows.map(\.value))")
        }
    }

    /// The committed promtool test and rule copy are what the table generates, and promtool passes them.
    @Test func promtoolAgreesOnEveryCase() throws {
        let rules = AlertRules.alerts(.defaults, runbookBase: AlertRules.defaultRunbookBase, annotations: false)
        let tests = PromtoolTestFile.render(AgreementCase.all(), rules: "thresholds_rules.yml")
        for (text, name) in [(rules, "thresholds_rules.yml"), (tests, "thresholds_test.yml")] {
            if let difference = try GoldenFile.difference(text, file: Self.tests + "/" + name) {
                Issue.record(Comment(rawValue: difference + " (UPDATE_GOLDEN=1 swift test --filter AgreementTests)"))
            }
        }
        let result = try run(try tool("promtool"), ["test", "rules", Self.tests + "/thresholds_test.yml"], timeout: 90)
        #expect(result.status == 0, "\(result.stdout.prefix(4000))\(result.stderr.prefix(2000))")
    }

    /// The rule copy differs from alerts.yml by the annotations alone.
    @Test func ruleCopyIsAlertsWithoutAnnotations() throws {
        let alerts = try String(contentsOfFile: Package.root + "/prometheus/alerts.yml", encoding: .utf8)
        let copy = try String(contentsOfFile: Self.tests + "/thresholds_rules.yml", encoding: .utf8)
        let stripped = alerts.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("        annotations:") && !$0.hasPrefix("          summary:") && !$0.hasPrefix("          description:")
                && !$0.hasPrefix("          runbook_url:") }
        #expect(stripped.joined(separator: "\n") == copy)
    }

    /// The check cannot pass by saying OK to everything: a change of one level moves its cases.
    @Test func aMovedLevelChangesTheVerdicts() throws {
        var table = ThresholdTable.defaults
        try ThresholdOverrides.apply("memory.critical = 0.99", source: "test", to: &table)
        let item = AgreementCase.all().first { $0.signal.id == "memory" && $0.checkSeverity == .critical }
        let scrapes = try #require(item).scrapes(now: 0)
        let graded = RunbookCheck.evaluate(first: scrapes.before, second: scrapes.after, interval: 1, now: 0, table: table)
        #expect(graded.first { $0.id == "memory" }?.severity == .warning)
    }
}
