import Foundation
import Testing
@testable import ExporterCore

/// prometheus/alerts.yml and recording.yml are `stack_exporter rules` output: regenerate with
/// `stack_exporter rules > prometheus/alerts.yml` (and `--output=recording`) when the table changes.
@Suite struct AlertRulesTests {
    static let prometheus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("prometheus").path

    @Test func alertsFileIsTheGeneratedRules() throws {
        let committed = try String(contentsOfFile: Self.prometheus + "/alerts.yml", encoding: .utf8)
        #expect(committed == AlertRules.render(.alerts, table: .defaults), "prometheus/alerts.yml drifted from the table: regenerate it")
    }

    @Test func recordingFileIsTheGeneratedRules() throws {
        let committed = try String(contentsOfFile: Self.prometheus + "/recording.yml", encoding: .utf8)
        #expect(committed == AlertRules.render(.recording, table: .defaults))
    }

    /// Every alert: severity, summary, description, runbook_url with its own anchor, in the table's order.
    @Test func everyAlertHasSeveritySummaryDescriptionAndRunbook() {
        let text = AlertRules.render(.alerts, table: .defaults, runbookBase: "https://r.example/runbook.md")
        let rules = text.components(separatedBy: "      - alert: ").dropFirst()
        let names = ThresholdTable.defaults.signals.flatMap(\.alerts).map(\.name)
        #expect(rules.count == names.count)
        for (rule, name) in zip(rules, names) {
            #expect(rule.hasPrefix(name + "\n"))
            #expect(rule.contains("labels: {severity: warning}") || rule.contains("labels: {severity: critical}"), "\(name)")
            #expect(rule.contains("summary: \""), "\(name)")
            #expect(rule.contains("description: \"") && rule.contains("$value"), "\(name): description without the value")
            #expect(rule.contains("runbook_url: \"https://r.example/runbook.md#\(name.lowercased())\""), "\(name)")
            #expect(!rule.contains("%W") && !rule.contains("%C"), "\(name): a placeholder left")
        }
        #expect(Set(names).count == names.count, "alert names are unique")
    }

    /// The community-compatible names the runbook's users already route on stay.
    @Test func existingAlertNamesAreKept() {
        let names = Set(ThresholdTable.defaults.signals.flatMap(\.alerts).map(\.name))
        for kept in ["HostMemoryHigh", "HostMemoryCritical", "HostCPUHigh", "HostDiskFilling", "HostDiskCritical", "CertificateExpiresSoon",
                     "CertificateExpiresVerySoon", "EndpointCertificateExpiresSoon", "EndpointCertificateExpiresVerySoon", "StackExporterDown",
                     "StackExporterCollectorFailing", "TextfileUnreadable", "BackupStale", "BackupTooOld", "BackupMissing", "BackupInvalid",
                     "BackupFilesUnreadable", "PostgresDown", "PostgresConnectionsHigh", "PostgresLongRunningQuery", "PostgresCacheHitRateLow",
                     "PostgresLockWaitLong", "ContainerUnhealthy", "ContainerRestarting", "ContainerExitedUnexpectedly",
                     "ContainerMemoryNearLimit", "RedisDown", "RedisMemoryNearMaxmemory", "RedisRejectedConnections",
                     "RedisLastBackgroundSaveFailed", "NginxDown"] {
            #expect(names.contains(kept), "\(kept)")
        }
    }

    /// Every alert's runbook_url anchor is a heading of docs/runbook.md, and every `check` row names one.
    @Test func runbookHasASectionPerAlert() throws {
        let runbook = try String(contentsOfFile: Self.prometheus + "/../docs/runbook.md", encoding: .utf8)
        let headings = Set(runbook.split(separator: "\n").filter { $0.hasPrefix("### ") }.map { $0.dropFirst(4).lowercased() })
        for alert in ThresholdTable.defaults.signals.flatMap(\.alerts) {
            #expect(headings.contains(alert.anchor), "docs/runbook.md has no section ### \(alert.name)")
        }
        for signal in ThresholdTable.defaults.signals {
            for severity in [RunbookCheck.Severity.ok, .unknown, .warning, .critical] {
                #expect(headings.contains(signal.anchor(for: severity)), "\(signal.id): \(signal.anchor(for: severity))")
            }
        }
    }

    /// dashboards/thresholds.json (read by scripts/make_dashboard.py) is `rules --output=thresholds-json`.
    @Test func dashboardThresholdsAreTheTable() throws {
        let committed = try String(contentsOfFile: Self.prometheus + "/../dashboards/thresholds.json", encoding: .utf8)
        #expect(committed == AlertRules.render(.thresholdsJSON, table: .defaults), "regenerate: stack_exporter rules --output=thresholds-json > dashboards/thresholds.json")
    }

    @Test func thresholdsJSONListsEverySignal() {
        let json = AlertRules.render(.thresholdsJSON, table: .defaults)
        for signal in ThresholdTable.defaults.signals { #expect(json.contains("{\"id\":\"\(signal.id)\""), "\(signal.id)") }
        #expect(json.contains("\"id\":\"memory\",\"title\":\"memory used\",\"source\":\"instance:node_memory_used:ratio\",\"unit\":\"ratio\",\"scale\":1,\"comparison\":\">\",\"warning\":0.8,\"critical\":0.9,\"rule\":\"> 80 % warn, > 90 % crit\""))
    }
}
