enum EntropyMetrics {
    static let available = FamilyDescriptor(name: "node_entropy_available_bits", type: .gauge, help: "Bits of available entropy.")
    static let poolSize = FamilyDescriptor(name: "node_entropy_pool_size_bits", type: .gauge, help: "Bits of entropy pool.")
}

/// /proc/sys/kernel/random/{entropy_avail,poolsize}, see random(4).
struct EntropyCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let available = try parseSingleNumber(proc.read("sys/kernel/random/entropy_avail"), file: "entropy_avail")
        let poolSize = try parseSingleNumber(proc.read("sys/kernel/random/poolsize"), file: "poolsize")
        return [MetricFamily(EntropyMetrics.available, value: available), MetricFamily(EntropyMetrics.poolSize, value: poolSize)]
    }
}
