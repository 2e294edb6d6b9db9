import Testing
@testable import ExporterCore

/// How a failed probe is exposed; the live probes are in IntegrationTests/TLSIntegrationTests.
@Suite struct EndpointMetricsTests {
    @Test func anAbandonedProbeIsAFailureWithReasonTimeout() {
        let target = TLSTarget(host: "db.internal", port: 443)
        let abandoned = TLSProbeResult(target: target, handshake: nil, error: .abandoned, duration: 2.6)
        let text = Exposition.text(EndpointMetrics(withTarget: true).families([abandoned]))
        let t = "target=\"db.internal:443\""
        #expect(Exposition.value(text, "ssl_probe_success", [t]) == 0)
        #expect(Exposition.value(text, "ssl_probe_failure_info", [t, "reason=\"timeout\""]) == 1)
        #expect(Exposition.lines(text, "ssl_cert_not_after").isEmpty)
    }
}
