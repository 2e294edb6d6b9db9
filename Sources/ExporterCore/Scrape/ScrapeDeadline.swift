/// How long a scrape may take: the smaller of `--collector.timeout` and Prometheus'
/// `X-Prometheus-Scrape-Timeout-Seconds` minus a margin, so the answer arrives before Prometheus
/// gives up (blackbox subtracts 0.5 s the same way; ssl_exporter #114 did not and timed out).
public enum ScrapeDeadline {
    public static let headerName = "x-prometheus-scrape-timeout-seconds"
    static let margin = 0.5

    /// A missing, unparsable, non-positive, non-finite or over-a-day header falls back to the default.
    public static func seconds(header: String?, configured: Double) -> Double {
        guard let header, let value = Double(header.trimmingSpaces()), value.isFinite, value > 0, value <= 86_400
        else { return configured }
        // Small timeouts keep 90 % of their budget rather than going to zero.
        let usable = max(value - margin, value * 0.9)
        return min(configured, usable)
    }
}

extension String {
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
