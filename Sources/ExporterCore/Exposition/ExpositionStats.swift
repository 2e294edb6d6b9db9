import Synchronization

/// Counters about what the exposition pipeline had to repair or drop, exposed as self metrics so
/// that a silently dropped series is visible to the operator.
public final class ExpositionStats: Sendable {
    private let duplicates = Atomic<Int>(0)
    private let invalidNames = Atomic<Int>(0)
    private let repairedValues = Atomic<Int>(0)

    public init() {}

    public func recordDuplicateSeries(_ count: Int = 1) { duplicates.wrappingAdd(count, ordering: .relaxed) }
    public func recordInvalidName(_ count: Int = 1) { invalidNames.wrappingAdd(count, ordering: .relaxed) }
    public func recordRepairedLabelValue(_ count: Int = 1) { repairedValues.wrappingAdd(count, ordering: .relaxed) }

    public var duplicateSeries: Int { duplicates.load(ordering: .relaxed) }
    public var invalidNamesDropped: Int { invalidNames.load(ordering: .relaxed) }
    public var repairedLabelValues: Int { repairedValues.load(ordering: .relaxed) }
}
