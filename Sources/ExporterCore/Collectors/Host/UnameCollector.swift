enum UnameMetrics {
    static let info = FamilyDescriptor(
        name: "node_uname_info", type: .gauge, help: "Labeled system information as provided by the uname system call.",
        labels: ["sysname", "release", "version", "machine", "nodename", "domainname"])
}

/// `node_uname_info` (Node Exporter Full's host variables are built from it).
struct UnameCollector: ProcFSCollector {
    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let u = try UnameInfo.current()
        var info = MetricFamily(UnameMetrics.info)
        info.add([u.sysname, u.release, u.version, u.machine, u.nodename, u.domainname], 1)
        return [info]
    }
}
