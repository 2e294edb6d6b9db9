/// One label pair of a sample.
public struct Label: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One sample of a family. `suffix` is empty except for histogram and summary parts
/// (`_bucket`, `_sum`, `_count`).
public struct Sample: Sendable, Equatable {
    public var labels: [Label] {
        didSet { labelsAreCanonical = false }
    }
    public var value: Double
    public var suffix: String
    /// Built from a descriptor whose label names are canonical: the normalizer skips the check.
    private(set) var labelsAreCanonical = false

    public init(labels: [Label] = [], value: Double, suffix: String = "") {
        self.labels = labels
        self.value = value
        self.suffix = suffix
    }

    /// Builds the labels from the descriptor's names, in order.
    public init(_ descriptor: FamilyDescriptor, _ values: [String], value: Double) {
        var labels: [Label] = []
        labels.reserveCapacity(values.count)
        for (name, labelValue) in zip(descriptor.labels, values) { labels.append(Label(name, labelValue)) }
        self.init(labels: labels, value: value)
        labelsAreCanonical = descriptor.labelsAreCanonical
    }

    /// Labels already built from a descriptor with the same names (`labels(of:_:)`): the families
    /// of one item share one array (copy-on-write) instead of building a copy each.
    init(sharing labels: [Label], canonical: Bool, value: Double) {
        self.init(labels: labels, value: value)
        labelsAreCanonical = canonical
    }

    public static func == (a: Sample, b: Sample) -> Bool {
        a.labels == b.labels && a.value == b.value && a.suffix == b.suffix
    }
}

/// A family and its samples, as collectors return them.
public struct MetricFamily: Sendable, Equatable {
    public var descriptor: FamilyDescriptor
    public var samples: [Sample]

    public init(_ descriptor: FamilyDescriptor, samples: [Sample] = []) {
        self.descriptor = descriptor
        self.samples = samples
    }

    /// A family with a single unlabelled sample.
    public init(_ descriptor: FamilyDescriptor, value: Double) {
        self.init(descriptor, samples: [Sample(value: value)])
    }

    public var name: String { descriptor.name }

    /// The label pairs of `values` under this family's names, to share with `add(sharing:_:)`.
    func labels(_ values: [String]) -> [Label] { Sample(descriptor, values, value: 0).labels }

    /// Appends a sample whose labels were built by `labels(_:)` of a family with the same names.
    mutating func add(sharing labels: [Label], _ value: Double) {
        samples.append(Sample(sharing: labels, canonical: descriptor.labelsAreCanonical, value: value))
    }

    /// Appends a sample whose label values follow `descriptor.labels`.
    public mutating func add(_ labelValues: [String], _ value: Double) {
        samples.append(Sample(descriptor, labelValues, value: value))
    }
}
