/// What the collector knows about one container in one scrape: the list entry always, inspect
/// data when the engine gave it, cgroup statistics for running and paused containers.
struct ContainerSnapshot: Equatable, Sendable {
    var summary: ContainerSummary
    var details: ContainerDetails?
    var stats: ContainerStats?
    /// The writable layer's file system (`ContainerFilesystems`); nil when unknown.
    var filesystem: ContainerFilesystem?
}

/// A Docker label exported as `container_label_<sanitized>`, only when named in
/// `--collector.containers.labels` (cAdvisor exports every label, and env variables on request;
/// both blow up cardinality and leak secrets: cadvisor#2857, #1447).
struct ContainerLabelMapping: Equatable, Sendable {
    var dockerName: String
    var labelName: String

    /// One mapping per allowed Docker label; a later label whose sanitized name collides with an
    /// earlier one is dropped, since one series cannot carry a label name twice.
    static func make(_ allowed: [String]) -> [ContainerLabelMapping] {
        var seen: Set<String> = []
        var out: [ContainerLabelMapping] = []
        for name in allowed where !name.isEmpty {
            let label = "container_label_" + MetricNames.sanitize(name)
            if seen.insert(label).inserted { out.append(ContainerLabelMapping(dockerName: name, labelName: label)) }
        }
        return out
    }
}

/// Families of the containers collector. cAdvisor's names and meanings
/// (google/cadvisor `metrics/prometheus.go`) for usage; `container_state`, `container_restarts_total`,
/// `container_exit_code`, `container_oom_killed`, `container_finished_time_seconds` and
/// `container_engine_info` are ours, for what cgroups cannot tell (docs/containers.md).
enum ContainerMetrics {
    static let base = ["id", "image", "name"]

    private static func gauge(_ name: String, _ help: String, unit: String = "", extra: [String] = []) -> FamilyDescriptor {
        FamilyDescriptor(name: name, type: .gauge, help: help, unit: unit, labels: base + extra)
    }

    private static func counter(_ name: String, _ help: String, unit: String = "", extra: [String] = []) -> FamilyDescriptor {
        FamilyDescriptor(name: name, type: .counter, help: help, unit: unit, labels: base + extra)
    }

    // cAdvisor names: running and paused containers.
    static let lastSeen = gauge("container_last_seen", "Last time a container was seen by the exporter", unit: "seconds")
    static let startTime = gauge("container_start_time_seconds", "Start time of the container since unix epoch in seconds.", unit: "seconds")
    static let cpuUsage = counter("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", unit: "seconds", extra: ["cpu"])
    static let cpuUser = counter("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds.", unit: "seconds")
    static let cpuSystem = counter("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds.", unit: "seconds")
    static let cfsPeriods = counter("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.")
    static let cfsThrottledPeriods = counter("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.")
    static let cfsThrottledSeconds = counter(
        "container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled.", unit: "seconds")
    static let memoryUsage = gauge(
        "container_memory_usage_bytes", "Current memory usage in bytes, including all memory regardless of when it was accessed", unit: "bytes")
    static let memoryWorkingSet = gauge("container_memory_working_set_bytes", "Current working set in bytes.", unit: "bytes")
    static let memoryRSS = gauge("container_memory_rss", "Size of RSS in bytes.")
    static let memoryCache = gauge("container_memory_cache", "Number of bytes of page cache memory.")
    static let memorySwap = gauge("container_memory_swap", "Container swap usage in bytes.")
    static let memoryMappedFile = gauge("container_memory_mapped_file", "Size of memory mapped files in bytes.")
    static let memoryMaxUsage = gauge("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes", unit: "bytes")
    static let memoryFailcnt = counter("container_memory_failcnt", "Number of memory usage hits limits")
    static let specMemoryLimit = gauge("container_spec_memory_limit_bytes", "Memory limit for the container.", unit: "bytes")
    static let specMemoryReservation = gauge(
        "container_spec_memory_reservation_limit_bytes", "Memory reservation limit for the container.", unit: "bytes")
    static let specMemorySwapLimit = gauge("container_spec_memory_swap_limit_bytes", "Memory swap limit for the container.", unit: "bytes")
    static let specCPUShares = gauge("container_spec_cpu_shares", "CPU share of the container.")
    static let specCPUQuota = gauge("container_spec_cpu_quota", "CPU quota of the container.")
    static let specCPUPeriod = gauge("container_spec_cpu_period", "CPU period of the container.")
    static let processes = gauge("container_processes", "Number of processes running inside the container.")
    static let networkReceiveBytes = counter(
        "container_network_receive_bytes_total", "Cumulative count of bytes received", unit: "bytes", extra: ["interface"])
    static let networkReceivePackets = counter(
        "container_network_receive_packets_total", "Cumulative count of packets received", extra: ["interface"])
    static let networkReceiveErrors = counter(
        "container_network_receive_errors_total", "Cumulative count of errors encountered while receiving", extra: ["interface"])
    static let networkReceiveDropped = counter(
        "container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving", extra: ["interface"])
    static let networkTransmitBytes = counter(
        "container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", unit: "bytes", extra: ["interface"])
    static let networkTransmitPackets = counter(
        "container_network_transmit_packets_total", "Cumulative count of packets transmitted", extra: ["interface"])
    static let networkTransmitErrors = counter(
        "container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting", extra: ["interface"])
    static let networkTransmitDropped = counter(
        "container_network_transmit_packets_dropped_total", "Cumulative count of packets dropped while transmitting", extra: ["interface"])
    static let fsReadBytes = counter("container_fs_reads_bytes_total", "Cumulative count of bytes read", unit: "bytes", extra: ["device"])
    static let fsWriteBytes = counter("container_fs_writes_bytes_total", "Cumulative count of bytes written", unit: "bytes", extra: ["device"])
    static let fsReads = counter("container_fs_reads_total", "Cumulative count of reads completed", extra: ["device"])
    static let fsWrites = counter("container_fs_writes_total", "Cumulative count of writes completed", extra: ["device"])
    static let fsUsage = gauge(
        "container_fs_usage_bytes", "Number of bytes that are consumed by the container on this filesystem.", unit: "bytes", extra: ["device"])
    static let fsLimit = gauge(
        "container_fs_limit_bytes", "Number of bytes that can be consumed by the container on this filesystem.", unit: "bytes", extra: ["device"])
    static let fsInodesFree = gauge("container_fs_inodes_free", "Number of available Inodes", extra: ["device"])
    static let fsInodesTotal = gauge("container_fs_inodes_total", "Number of Inodes", extra: ["device"])
    static let fsUsageAge = gauge(
        "stack_exporter_container_fs_usage_age_seconds",
        "Age of container_fs_usage_bytes: the engine measures the writable layer on a slow cadence (--collector.containers.fs-usage-interval).",
        unit: "seconds")
    static let healthState = gauge(
        "container_health_state", "Container health state: 1 healthy, 0 unhealthy, -1 starting or other (as cAdvisor).")

    // Ours: every container, running or not.
    static let state = gauge(
        "container_state", "Container state from the engine: 1 for the current state, 0 for the others.", extra: ["state"])
    static let healthFailingStreak = gauge(
        "container_health_failing_streak", "Consecutive failed health checks of the container.")
    static let restarts = counter(
        "container_restarts_total", "Restarts of the container by its restart policy (the engine's RestartCount).")
    static let exitCode = gauge("container_exit_code", "Exit code of the container's last run (0 while running).")
    static let oomKilled = gauge("container_oom_killed", "1 if the container's last run was killed by the OOM killer.")
    static let finishedTime = gauge(
        "container_finished_time_seconds", "When the container last stopped, since unix epoch in seconds.", unit: "seconds")
    static let engineInfo = FamilyDescriptor(
        name: "container_engine_info", type: .gauge, help: "The container engine answering the API; 1 when it answered.",
        labels: ["api_version", "engine", "version"])

    /// The states Docker reports (API ContainerSummary.State); all are always written, so
    /// `container_state{state="exited"} == 1` and its absence are both clear.
    static let states = ["created", "running", "paused", "restarting", "removing", "exited", "dead"]

    /// Maps snapshots to families. Pure: the golden test feeds it recorded API answers.
    static func families(
        _ snapshots: [ContainerSnapshot], engine: EngineVersion, api: APIVersion, labels mappings: [ContainerLabelMapping], now: Double
    ) -> [MetricFamily] {
        var out = FamilyList()
        out.add(engineInfo, [Label("api_version", api.description), Label("engine", engine.engine), Label("version", engine.version)], 1)
        for snapshot in snapshots {
            let labels = identity(snapshot.summary, mappings)
            addState(snapshot.summary.state, labels, to: &out)
            if let details = snapshot.details { addDetails(details, state: snapshot.summary.state, labels, to: &out) }
            guard let stats = snapshot.stats else { continue }
            out.add(lastSeen, labels, now.rounded(.down))
            if let details = snapshot.details { addSpec(details, stats, labels, to: &out) }
            addUsage(stats, labels, to: &out)
            if let filesystem = snapshot.filesystem { addFilesystem(filesystem, labels, to: &out) }
        }
        return out.families
    }

    /// cAdvisor's identity labels, plus the Docker labels asked for.
    private static func identity(_ summary: ContainerSummary, _ mappings: [ContainerLabelMapping]) -> [Label] {
        var labels = [Label("id", "/docker/" + summary.id), Label("image", summary.image), Label("name", summary.name)]
        for mapping in mappings {
            // Absent Docker labels are left out, not written empty (cadvisor#2313).
            if let value = summary.labels[mapping.dockerName] { labels.append(Label(mapping.labelName, value)) }
        }
        return labels
    }

    private static func addState(_ current: String, _ labels: [Label], to out: inout FamilyList) {
        for state in states { out.add(self.state, labels + [Label("state", state)], state == current ? 1 : 0) }
        if !states.contains(current) && !current.isEmpty { out.add(self.state, labels + [Label("state", current)], 1) }
    }

    /// What the inspect tells, for stopped containers too: restarts, exit code, OOM, health.
    private static func addDetails(_ details: ContainerDetails, state: String, _ labels: [Label], to out: inout FamilyList) {
        out.add(restarts, labels, details.restartCount)
        out.add(exitCode, labels, details.exitCode)
        out.add(oomKilled, labels, details.oomKilled ? 1 : 0)
        if let health = details.health {
            out.add(healthState, labels, health == "healthy" ? 1 : health == "unhealthy" ? 0 : -1)
            out.add(healthFailingStreak, labels, details.failingStreak ?? 0)
        }
        if state != "running", state != "paused", let finished = details.finishedAt { out.add(finishedTime, labels, finished) }
    }

    /// Limits and start time, written (as cAdvisor does) only for containers with usage.
    private static func addSpec(_ details: ContainerDetails, _ stats: ContainerStats, _ labels: [Label], to out: inout FamilyList) {
        if let started = details.startedAt { out.add(startTime, labels, started) }
        out.add(specMemoryLimit, labels, details.memoryLimit)
        out.add(specMemoryReservation, labels, details.memoryReservation)
        if details.memorySwapLimit > 0 { out.add(specMemorySwapLimit, labels, details.memorySwapLimit) }
        // Kernel defaults when unset: 1024 shares, a 100 ms CFS period.
        out.add(specCPUShares, labels, details.cpuShares > 0 ? details.cpuShares : 1024)
        out.add(specCPUPeriod, labels, details.cpuPeriod > 0 ? details.cpuPeriod : 100_000)
        guard details.cpuQuota > 0 else { return }
        out.add(specCPUQuota, labels, details.cpuQuota)
        // cAdvisor writes CFS counters only for containers with a quota.
        if let periods = stats.throttlingPeriods { out.add(cfsPeriods, labels, periods) }
        if let throttled = stats.throttledPeriods { out.add(cfsThrottledPeriods, labels, throttled) }
        if let time = stats.throttledTime { out.add(cfsThrottledSeconds, labels, time / 1e9) }
    }

    /// cAdvisor writes these for running containers, per device; usage once it is measured.
    private static func addFilesystem(_ fs: ContainerFilesystem, _ labels: [Label], to out: inout FamilyList) {
        let l = labels + [Label("device", fs.device)]
        out.add(fsLimit, l, fs.limitBytes)
        out.add(fsInodesTotal, l, fs.inodesTotal)
        out.add(fsInodesFree, l, fs.inodesFree)
        if let usage = fs.usageBytes { out.add(fsUsage, l, usage) }
        if let age = fs.usageAgeSeconds { out.add(fsUsageAge, labels, age.rounded(.down)) }
    }

    private static func addUsage(_ stats: ContainerStats, _ labels: [Label], to out: inout FamilyList) {
        if let total = stats.cpuTotal { out.add(cpuUsage, labels + [Label("cpu", "total")], total / 1e9) }
        if let user = stats.cpuUser { out.add(cpuUser, labels, user / 1e9) }
        if let system = stats.cpuSystem { out.add(cpuSystem, labels, system / 1e9) }
        if let usage = stats.memoryUsage { out.add(memoryUsage, labels, usage) }
        if let workingSet = stats.workingSet { out.add(memoryWorkingSet, labels, workingSet) }
        if let rss = stats.memory(v1: "rss", v2: "anon") { out.add(memoryRSS, labels, rss) }
        if let cache = stats.memory(v1: "cache", v2: "file") { out.add(memoryCache, labels, cache) }
        if let swap = stats.memory(v1: "swap", v2: "swap") { out.add(memorySwap, labels, swap) }
        if let mapped = stats.memory(v1: "mapped_file", v2: "file_mapped") { out.add(memoryMappedFile, labels, mapped) }
        if let maxUsage = stats.memoryMaxUsage { out.add(memoryMaxUsage, labels, maxUsage) }
        if let failcnt = stats.memoryFailcnt { out.add(memoryFailcnt, labels, failcnt) }
        if let pids = stats.pids { out.add(processes, labels, pids) }
        for network in stats.networks {
            let l = labels + [Label("interface", network.interface)]
            out.add(networkReceiveBytes, l, network.receiveBytes)
            out.add(networkReceivePackets, l, network.receivePackets)
            out.add(networkReceiveErrors, l, network.receiveErrors)
            out.add(networkReceiveDropped, l, network.receiveDropped)
            out.add(networkTransmitBytes, l, network.transmitBytes)
            out.add(networkTransmitPackets, l, network.transmitPackets)
            out.add(networkTransmitErrors, l, network.transmitErrors)
            out.add(networkTransmitDropped, l, network.transmitDropped)
        }
        for device in stats.devices {
            let l = labels + [Label("device", device.device)]
            out.add(fsReadBytes, l, device.readBytes)
            out.add(fsWriteBytes, l, device.writeBytes)
            if let reads = device.reads { out.add(fsReads, l, reads) }
            if let writes = device.writes { out.add(fsWrites, l, writes) }
        }
    }
}

/// Families in first-use order, looked up by name.
private struct FamilyList {
    private(set) var families: [MetricFamily] = []
    private var index: [String: Int] = [:]

    mutating func add(_ descriptor: FamilyDescriptor, _ labels: [Label], _ value: Double) {
        let slot: Int
        if let existing = index[descriptor.name] {
            slot = existing
        } else {
            slot = families.count
            index[descriptor.name] = slot
            families.append(MetricFamily(descriptor))
        }
        families[slot].samples.append(Sample(labels: labels, value: value))
    }
}
