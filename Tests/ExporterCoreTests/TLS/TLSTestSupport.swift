import Foundation
@testable import ExporterCore

/// Renders families as the exporter would, and finds sample values in the text.
enum Exposition {
    static func text(_ families: [MetricFamily]) -> String {
        TextFormat.render(text: Normalizer.normalize(families, stats: ExpositionStats()))
    }

    /// Sample lines of `metric` containing every fragment (e.g. `filepath="/x"`).
    static func lines(_ text: String, _ metric: String, _ fragments: [String] = []) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            (line.hasPrefix(metric + "{") || line.hasPrefix(metric + " ")) && fragments.allSatisfy { line.contains($0) }
        }
    }

    static func value(_ text: String, _ metric: String, _ fragments: [String] = []) -> Double? {
        guard let line = lines(text, metric, fragments).first, let last = line.split(separator: " ").last else { return nil }
        return Double(last)
    }
}

func makeFileCollector(patterns: [String] = [], dirs: [String] = [], maxSize: Int = 1 << 20, relative: Bool = false, logger: Logger = .disabled) -> TLSCollector {
    TLSCollector(
        sources: CertificateSources(patterns: patterns, directories: dirs, maxFileSize: maxSize),
        relativeMetrics: relative, endpoints: [], prober: nil, logger: logger)
}
