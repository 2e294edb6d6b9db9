/// Chooses the exposition format from `Accept` and the coding from `Accept-Encoding`
/// (RFC 9110 §12.5.1 and §12.5.3, quality values included).
public enum ContentNegotiation {
    public enum Format: Sendable, Equatable {
        case text
        case openMetrics
    }

    /// OpenMetrics when the client lists `application/openmetrics-text` with a quality at least as
    /// high as its best text/plain or wildcard entry (Prometheus sends OM at q=1, text at q=0.5).
    public static func format(accept: String?) -> Format {
        guard let accept else { return .text }
        var openMetrics = -1.0, other = -1.0
        for entry in parseList(accept) {
            if entry.value == "application/openmetrics-text" {
                openMetrics = max(openMetrics, entry.quality)
            } else if entry.value == "text/plain" || entry.value == "*/*" || entry.value == "text/*" {
                other = max(other, entry.quality)
            }
        }
        return openMetrics > 0 && openMetrics >= other ? .openMetrics : .text
    }

    /// gzip unless the client refuses it (`gzip;q=0`) or does not list it (or `*`).
    public static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzip: Double? = nil, wildcard: Double? = nil
        for entry in parseList(acceptEncoding) {
            if entry.value == "gzip" || entry.value == "x-gzip" { gzip = entry.quality }
            if entry.value == "*" { wildcard = entry.quality }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }

    struct Entry {
        var value: String
        var quality: Double
    }

    /// Splits `a;q=0.5, b;version=1` into lower-cased values with their q (1 when absent).
    static func parseList(_ header: String) -> [Entry] {
        header.split(separator: ",").compactMap { item in
            let parameters = item.split(separator: ";")
            guard let first = parameters.first else { return nil }
            var quality = 1.0
            for parameter in parameters.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpacesAndTabs.lowercased() == "q" {
                    quality = Double(pair[1].trimmingSpacesAndTabs).map { min(max($0, 0), 1) } ?? 0
                }
            }
            return Entry(value: first.trimmingSpacesAndTabs.lowercased(), quality: quality)
        }
    }
}
