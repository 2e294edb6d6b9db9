/// Turns what collectors returned into a valid exposition: one family per name, families sorted by
/// name, samples in a stable order, no invalid names, no duplicate series. The writers trust its
/// output, so an invalid scrape can never leave the exporter (client_golang instead fails the whole
/// request with a 500 on a duplicate, postgres_exporter #327).
public enum Normalizer {
    public static func normalize(_ families: [MetricFamily], stats: ExpositionStats) -> [MetricFamily] {
        var byName: [String: Int] = [:]
        var merged: [MetricFamily] = []
        merged.reserveCapacity(families.count)
        for family in families {
            guard MetricNames.isValidMetricName(family.name) else {
                stats.recordInvalidName(max(1, family.samples.count))
                continue
            }
            if let index = byName[family.name] {
                // Same name from two sources: keep it only if the type agrees, else the first wins.
                if merged[index].descriptor.type == family.descriptor.type {
                    merged[index].samples.append(contentsOf: family.samples)
                } else {
                    stats.recordDuplicateSeries(family.samples.count)
                }
            } else {
                byName[family.name] = merged.count
                merged.append(family)
            }
        }
        var result: [MetricFamily] = []
        result.reserveCapacity(merged.count)
        for var family in merged {
            family.samples = cleanSamples(family.samples, type: family.descriptor.type, stats: stats)
            if !family.samples.isEmpty { result.append(family) }
        }
        result.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return result
    }

    private static func cleanSamples(_ samples: [Sample], type: MetricType, stats: ExpositionStats) -> [Sample] {
        var keyed: [(key: [UInt8], sample: Sample)] = []
        keyed.reserveCapacity(samples.count)
        for sample in samples {
            guard hasValidLabels(sample) else {
                stats.recordInvalidName()
                continue
            }
            keyed.append((seriesKey(sample), sample))
        }
        // Histogram and summary parts keep their order (buckets by `le`, then _sum, _count):
        // only exact duplicates are removed. Other types are sorted by labels for stable output.
        if type == .histogram || type == .summary {
            var seen = Set<[UInt8]>()
            var kept: [Sample] = []
            for entry in keyed where seen.insert(entry.key).inserted { kept.append(entry.sample) }
            if kept.count < keyed.count { stats.recordDuplicateSeries(keyed.count - kept.count) }
            return kept
        }
        keyed.sort { $0.key.lexicographicallyPrecedes($1.key) }
        var kept: [Sample] = []
        kept.reserveCapacity(keyed.count)
        var previous: [UInt8]? = nil
        for entry in keyed {
            if entry.key == previous {
                stats.recordDuplicateSeries()
                continue
            }
            previous = entry.key
            kept.append(entry.sample)
        }
        return kept
    }

    private static func hasValidLabels(_ sample: Sample) -> Bool {
        for (i, label) in sample.labels.enumerated() {
            guard MetricNames.isValidLabelName(label.name) else { return false }
            for other in sample.labels[..<i] where other.name == label.name { return false }
        }
        return true
    }

    /// Suffix plus label pairs sorted by name, separated by bytes that cannot occur in names.
    static func seriesKey(_ sample: Sample) -> [UInt8] {
        var key: [UInt8] = Array(sample.suffix.utf8)
        let labels = sample.labels.count > 1
            ? sample.labels.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } : sample.labels
        for label in labels {
            key.append(0)
            key.append(contentsOf: label.name.utf8)
            key.append(1)
            key.append(contentsOf: label.value.utf8)
        }
        return key
    }
}
