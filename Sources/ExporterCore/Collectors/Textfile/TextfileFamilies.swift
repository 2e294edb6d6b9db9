/// Families of several `.prom` files merged as node_exporter merges them (collector/textfile.go
/// and client_golang's gatherer): a family without HELP gets "Metric read from <path>"; within a
/// file, samples of a family lacking a label another sample has get it with an empty value; a
/// family that a later file declares with another type or help is dropped from that file (the
/// gatherer refuses the inconsistent metric); identical series are dropped by the normalizer.
struct TextfileFamilies {
    private var order: [String] = []
    private var merged: [String: MetricFamily] = [:]
    /// Families dropped for a type or help that disagrees with an earlier file.
    private(set) var conflicts: [(file: String, family: String)] = []

    mutating func add(_ families: [TextExposition.Family], from path: String) {
        for family in families where !family.samples.isEmpty {
            let help = family.help ?? "Metric read from \(path)"
            let type = family.type ?? .untyped
            if let existing = merged[family.name] {
                guard existing.descriptor.type == type, existing.descriptor.help == help else {
                    conflicts.append((path, family.name))
                    continue
                }
                merged[family.name]?.samples += Self.withAllLabels(family.samples, type: type)
            } else {
                order.append(family.name)
                let descriptor = FamilyDescriptor(name: family.name, type: type, help: help)
                merged[family.name] = MetricFamily(descriptor, samples: Self.withAllLabels(family.samples, type: type))
            }
        }
    }

    var families: [MetricFamily] { order.compactMap { merged[$0] } }

    /// Every label name any sample of the family has, given to all of them ("" where missing);
    /// `le` and `quantile` are parts of a histogram or summary, not labels of its series.
    private static func withAllLabels(_ samples: [Sample], type: MetricType) -> [Sample] {
        let part = type == .histogram ? "le" : type == .summary ? "quantile" : nil
        var names: [String] = []
        for sample in samples {
            for label in sample.labels where label.name != part && !names.contains(label.name) { names.append(label.name) }
        }
        return samples.map { sample in
            var filled = sample
            let missing = names.filter { name in !sample.labels.contains { $0.name == name } }
            if !missing.isEmpty { filled.labels += missing.map { Label($0, "") } }
            return filled
        }
    }
}
