enum ProcessesMetrics {
    static let threads = FamilyDescriptor(name: "node_processes_threads", type: .gauge, help: "Allocated threads in system")
    static let maxThreads = FamilyDescriptor(name: "node_processes_max_threads", type: .gauge, help: "Limit of threads in the system")
    static let pids = FamilyDescriptor(name: "node_processes_pids", type: .gauge, help: "Number of PIDs")
    static let maxProcesses = FamilyDescriptor(name: "node_processes_max_processes", type: .gauge, help: "Number of max PIDs limit")
    static let state = FamilyDescriptor(
        name: "node_processes_state", type: .gauge, help: "Number of processes in each state.", labels: ["state"])
    static let threadState = FamilyDescriptor(
        name: "node_processes_threads_state", type: .gauge, help: "Number of threads in each state.", labels: ["thread_state"])
}

/// `node_processes_*` (off by default, as in node_exporter): every /proc/<pid>/stat, and the
/// thread states from /proc/<pid>/task/<tid>/stat. A single-threaded process's one thread is its
/// leader, whose state /proc/<pid>/stat already shows, so its task directory is not read. A
/// process that exits while it is read, or whose stat is garbage, is left out.
struct ProcessesCollector: ProcFSCollector {
    let proc: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let maxThreads = try parseSingleNumber(proc.read("sys/kernel/threads-max"), file: "sys/kernel/threads-max")
        let maxPIDs = try parseSingleNumber(proc.read("sys/kernel/pid_max"), file: "sys/kernel/pid_max")
        guard let entries = FileReader.directoryEntries(proc.root) else {
            throw CollectorError("cannot list \(proc.root)")
        }
        var pids = 0.0, threads = 0.0
        var states: [String: Double] = [:], threadStates: [String: Double] = [:]
        for pid in entries where UInt32(pid) != nil {
            guard let text = try? proc.read(pid + "/stat"), let stat = parseTaskState(text) else { continue }
            pids += 1
            threads += stat.threads
            states[String(stat.state), default: 0] += 1
            if stat.threads <= 1 {
                threadStates[String(stat.state), default: 0] += 1
            } else {
                countThreadStates(of: pid, into: &threadStates)
            }
        }
        return [
            MetricFamily(ProcessesMetrics.threads, value: threads), MetricFamily(ProcessesMetrics.maxThreads, value: maxThreads),
            Self.family(ProcessesMetrics.state, states), MetricFamily(ProcessesMetrics.pids, value: pids),
            MetricFamily(ProcessesMetrics.maxProcesses, value: maxPIDs), Self.family(ProcessesMetrics.threadState, threadStates),
        ]
    }

    private func countThreadStates(of pid: String, into states: inout [String: Double]) {
        for tid in FileReader.directoryEntries(proc.path(pid + "/task")) ?? [] where UInt32(tid) != nil {
            guard let text = try? proc.read("\(pid)/task/\(tid)/stat"), let stat = parseTaskState(text) else { continue }
            states[String(stat.state), default: 0] += 1
        }
    }

    private static func family(_ descriptor: FamilyDescriptor, _ counts: [String: Double]) -> MetricFamily {
        var family = MetricFamily(descriptor)
        for (state, count) in counts.sorted(by: { $0.key < $1.key }) { family.add([state], count) }
        return family
    }
}
