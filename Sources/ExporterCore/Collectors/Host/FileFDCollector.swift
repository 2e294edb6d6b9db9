enum FileFDMetrics {
    static let allocated = FamilyDescriptor(name: "node_filefd_allocated", type: .gauge, help: "File descriptor statistics: allocated.")
    static let maximum = FamilyDescriptor(name: "node_filefd_maximum", type: .gauge, help: "File descriptor statistics: maximum.")
}

/// `node_filefd_allocated` and `node_filefd_maximum` from /proc/sys/fs/file-nr.
struct FileFDCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let nr = try parseFileNR(proc.read("sys/fs/file-nr"))
        return [MetricFamily(FileFDMetrics.allocated, value: nr.allocated), MetricFamily(FileFDMetrics.maximum, value: nr.maximum)]
    }
}
