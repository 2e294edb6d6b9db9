/// How long a scrape may take: the smaller of `--collector.timeout` and Prometheus'
/// `X-Prometheus-Scrape-Timeout-Seconds` minus a margin, so the answer arrives before Prometheus
/// gives up (blackbox subtracts 0.5 s the same way; ssl_exporter #114 did not and timed out).
public enum ScrapeDeadline {
    public static let headerName = "x-prometheus-scrape-timeout-seconds"
    static let margin = 0.5

    /// A missing, unparsable, non-positive, non-finite or over-a-day header falls back to the default.
    public static func seconds(header: String?, configured: Double) -> Double {
        guard let header, let value = Double(header.trimmingSpacesAndTabs), value.isFinite, value > 0, value <= 86_400
        else { return configured }
        // Small timeouts keep 90 % of their budget rather than going to zero.
        let usable = max(value - margin, value * 0.9)
        return min(configured, usable)
    }
}
