import Testing
@testable import ExporterCore

@Suite struct ThresholdOverridesTests {
    private func applied(_ text: String) throws(ThresholdError) -> ThresholdTable {
        var table = ThresholdTable.defaults
        try ThresholdOverrides.apply(text, source: "t.conf", to: &table)
        return table
    }

    @Test func linesSetLevelsPercentagesNoneAndFor() throws {
        let table = try applied("""
            # the 85 % runbook
            memory.warning = 85%
            certificate.critical = 14   # days
            cpu.warning = none
            backup_age.critical.for = 0s

            """)
        #expect(table["memory"]?.warning == 0.85)
        #expect(table["memory"]?.critical == 0.90)
        #expect(table["certificate"]?.critical == 14)
        #expect(table["cpu"]?.warning == nil)
        #expect(table["backup_age"]?.alerts.first { $0.severity == .critical }?.forDuration == "0s")
        #expect(table["backup_age"]?.alerts.first { $0.severity == .warning }?.forDuration == "10m")
    }

    @Test func overridesReachBothCheckAndRules() throws {
        let table = try applied("memory.warning = 0.5")
        let rules = AlertRules.render(.alerts, table: table)
        #expect(rules.contains("expr: instance:node_memory_used:ratio > 0.5\n"))
        #expect(rules.contains("summary: \"Memory use above 50 % on"))
        let memory = [
            MetricFamily(FamilyDescriptor(name: "node_memory_MemTotal_bytes", type: .gauge, help: "h"), value: 100),
            MetricFamily(FamilyDescriptor(name: "node_memory_MemAvailable_bytes", type: .gauge, help: "h"), value: 40),
        ]
        #expect(RunbookCheck.evaluate(first: memory, second: memory, interval: 1, now: 0, table: table).first?.severity == .warning)
        #expect(RunbookCheck.evaluate(first: memory, second: memory, interval: 1, now: 0).first?.severity == .ok)
    }

    @Test func aLevelSetToNoneDropsItsAlert() throws {
        let rules = AlertRules.render(.alerts, table: try applied("cpu.warning = none"))
        #expect(!rules.contains("HostCPUHigh"))
        #expect(rules.contains("HostMemoryHigh"))
        let noWarning = AlertRules.render(.alerts, table: try applied("certificate.warning = none\nmemory.critical = none"))
        #expect(!noWarning.contains("alert: CertificateExpiresSoon\n") && noWarning.contains("alert: CertificateExpiresVerySoon\n"))
        #expect(!noWarning.contains("HostMemoryCritical") && !noWarning.contains("%C") && !noWarning.contains("%W"))
    }

    @Test(arguments: [
        ("memory.warning 0.8", "t.conf:1: expected `signal.level = value`"),
        ("memry.warning = 0.8", "t.conf:1: unknown setting \"memry.warning\""),
        ("memory.high = 0.8", "t.conf:1: \"high\" is not a level"),
        ("memory.warning = lots", "t.conf:1: \"lots\" is not a ratio value"),
        ("memory.warning = 1.5", "t.conf:1: 1.5 is above 1"),
        ("memory.warning = -1", "t.conf:1: \"-1\" is not a ratio value"),
        ("memory.warning = nan", "t.conf:1: \"nan\" is not a ratio value"),
        ("certificate.warning = 30%", "t.conf:1: \"30%\" is not a days value"),
        ("postgres_down.critical = 1", "t.conf:1: postgres_down is a state"),
        ("cpu.critical = 0.9", "t.conf:1: cpu has no critical level"),
        ("memory.warning = 0.95", "t.conf: memory: warning 0.95 must be below critical 0.9"),
        ("certificate.warning = 5", "t.conf: certificate: warning 5 must be above critical 7"),
        ("# ok\nmemory.warning.for = soon", "t.conf:2: \"soon\" is not a duration"),
        ("certificate.critical = none", "t.conf:1: certificate.critical cannot be none: CertificateExpiresSoon is bounded by it"),
    ])
    func badLinesSayWhereAndWhat(_ pair: (String, String)) {
        do {
            _ = try applied(pair.0)
            Issue.record("accepted \(pair.0)")
        } catch {
            #expect(error.description.hasPrefix(pair.1), "\(error.description)")
        }
    }
}
