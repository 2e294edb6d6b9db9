/// Container usage read from the cgroup filesystem, as cAdvisor does, instead of one
/// `/containers/{id}/stats` request per container (Podman's service spends ~3 ms of CPU on each).
/// The parsers are pure; `CgroupReader` does the reading and answers nil whenever anything is
/// missing or unreadable, so the collector falls back to the Engine API for that container.

/// `/proc/<pid>/cgroup`, see cgroups(7): `hierarchy-ID:controller-list:path` lines; the cgroup v2
/// line is `0::/path`.
struct ProcessCgroups: Equatable, Sendable {
    /// The unified (v2) path, from the `0::` line.
    var unified: String?
    /// v1 controller → path (`cpu,cpuacct` lines give both names).
    var controllers: [String: String] = [:]
}

func parseProcessCgroups(_ text: String) throws(ParseError) -> ProcessCgroups {
    var result = ProcessCgroups()
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        if line.isEmpty { continue }
        // The path may contain ':', so split at the first two only.
        let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Int(parts[0]) != nil, parts[2].hasPrefix("/") else {
            throw ParseError(file: "cgroup", line: lineNumber, text: line)
        }
        if parts[0] == "0" && parts[1].isEmpty {
            result.unified = String(parts[2])
        } else {
            for controller in parts[1].split(separator: ",") { result.controllers[String(controller)] = String(parts[2]) }
        }
    }
    return result
}

/// Flat-keyed cgroup files (`cpu.stat`, `memory.stat`, `memory.events`, `cpuacct.stat`): `key value`
/// lines, see the kernel's Documentation/admin-guide/cgroup-v2.rst, "Format".
func parseCgroupKeyed(_ text: String, file: String) throws(ParseError) -> [String: Double] {
    var result: [String: Double] = [:]
    for entry in try parseNameValueLines(text, file: file) { result[String(entry.name)] = entry.value }
    return result
}

/// A single-value cgroup file (`memory.current`, `pids.current`, `cpuacct.usage`); `max` (no
/// limit) is nil.
func parseCgroupValue(_ text: String, file: String) throws(ParseError) -> Double? {
    let value = ProcText.trimmed(text)
    if value == "max" { return nil }
    guard let number = ProcText.number(value), !value.isEmpty else { throw ParseError(file: file, line: 1, text: value) }
    return number
}

/// cgroup v2 `io.stat`: `MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…` per device,
/// nested-keyed (cgroup-v2.rst); unknown keys are skipped, as newer kernels add some.
func parseIOStat(_ text: String) throws(ParseError) -> [ContainerStats.DeviceIO] {
    var devices: [ContainerStats.DeviceIO] = []
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        let f = ProcText.fields(line)
        guard let device = f.first else { continue }
        guard device.contains(":") else { throw ParseError(file: "io.stat", line: lineNumber, text: line) }
        var io = ContainerStats.DeviceIO(device: String(device), reads: 0, writes: 0)
        for pair in f.dropFirst() {
            guard let equals = pair.firstIndex(of: "="), let value = ProcText.number(pair[pair.index(after: equals)...]) else {
                throw ParseError(file: "io.stat", line: lineNumber, text: line)
            }
            switch pair[..<equals] {
            case "rbytes": io.readBytes = value
            case "wbytes": io.writeBytes = value
            case "rios": io.reads = value
            case "wios": io.writes = value
            default: break
            }
        }
        devices.append(io)
    }
    return devices.sorted { $0.device < $1.device }
}

/// cgroup v1 `blkio.*_recursive` files: `MAJ:MIN Op value` lines (Read, Write, Sync, Async,
/// Discard, Total) and a final `Total n`; only Read and Write are kept, as the Engine API's.
func parseBlkio(bytes: String, operations: String) throws(ParseError) -> [ContainerStats.DeviceIO] {
    var byDevice: [String: ContainerStats.DeviceIO] = [:]
    func visit(_ text: String, file: String, isBytes: Bool) throws(ParseError) {
        var lineNumber = 0
        for line in ProcText.allLines(text) {
            lineNumber += 1
            let f = ProcText.fields(line)
            if f.isEmpty || (f.count == 2 && f[0] == "Total") { continue }
            guard f.count == 3, f[0].contains(":"), let value = ProcText.number(f[2]) else {
                throw ParseError(file: file, line: lineNumber, text: line)
            }
            let device = String(f[0])
            var io = byDevice[device] ?? ContainerStats.DeviceIO(device: device)
            switch (f[1], isBytes) {
            case ("Read", true): io.readBytes += value
            case ("Write", true): io.writeBytes += value
            case ("Read", false): io.reads = (io.reads ?? 0) + value
            case ("Write", false): io.writes = (io.writes ?? 0) + value
            default: break
            }
            byDevice[device] = io
        }
    }
    try visit(bytes, file: "blkio.io_service_bytes_recursive", isBytes: true)
    try visit(operations, file: "blkio.io_serviced_recursive", isBytes: false)
    return byDevice.values.sorted { $0.device < $1.device }
}

/// `/proc/<pid>/net/dev` of the container's init process: its network namespace. Loopback is left
/// out, as cAdvisor does (its `lo` never leaves the container).
func parseContainerNetDev(_ text: String) throws(ParseError) -> [ContainerStats.Network] {
    try parseNetDev(text).filter { $0.device != "lo" }.map { line in
        let v = line.values
        return ContainerStats.Network(
            interface: line.device,
            receiveBytes: v[0], receivePackets: v[1], receiveErrors: v[2], receiveDropped: v[3],
            transmitBytes: v[8], transmitPackets: v[9], transmitErrors: v[10], transmitDropped: v[11])
    }.sorted { $0.interface < $1.interface }
}

/// cgroup v2 files of one container → the Engine API's stats shape (nanoseconds for CPU), so the
/// metric mapping stays one. `files` maps a file name to its text; absent optional files are nil.
func cgroupV2Stats(_ files: [String: String]) throws(ParseError) -> ContainerStats {
    var stats = ContainerStats()
    if let text = files["cpu.stat"] {
        let cpu = try parseCgroupKeyed(text, file: "cpu.stat")
        stats.cpuTotal = cpu["usage_usec"].map { $0 * 1000 }
        stats.cpuUser = cpu["user_usec"].map { $0 * 1000 }
        stats.cpuSystem = cpu["system_usec"].map { $0 * 1000 }
        // Present only with the cpu controller enabled.
        stats.throttlingPeriods = cpu["nr_periods"]
        stats.throttledPeriods = cpu["nr_throttled"]
        stats.throttledTime = cpu["throttled_usec"].map { $0 * 1000 }
    }
    if let text = files["memory.current"] { stats.memoryUsage = try parseCgroupValue(text, file: "memory.current") }
    if let text = files["memory.stat"] { stats.memoryStat = try parseCgroupKeyed(text, file: "memory.stat") }
    if let text = files["memory.swap.current"], let swap = try parseCgroupValue(text, file: "memory.swap.current") {
        stats.memoryStat["swap"] = swap
    }
    if let text = files["memory.peak"] { stats.memoryMaxUsage = try parseCgroupValue(text, file: "memory.peak") }
    // cAdvisor's v2 failcnt: times usage hit memory.max.
    if let text = files["memory.events"] { stats.memoryFailcnt = try parseCgroupKeyed(text, file: "memory.events")["max"] }
    if let text = files["pids.current"] { stats.pids = try parseCgroupValue(text, file: "pids.current") }
    if let text = files["io.stat"] { stats.devices = try parseIOStat(text) }
    return stats
}

/// cgroup v1 files of one container, keyed `controller/file` → the Engine API's stats shape.
func cgroupV1Stats(_ files: [String: String], userHZ: Double = 100) throws(ParseError) -> ContainerStats {
    var stats = ContainerStats()
    if let text = files["cpuacct/cpuacct.usage"] { stats.cpuTotal = try parseCgroupValue(text, file: "cpuacct.usage") }
    if let user = files["cpuacct/cpuacct.usage_user"], let system = files["cpuacct/cpuacct.usage_sys"] {
        stats.cpuUser = try parseCgroupValue(user, file: "cpuacct.usage_user")
        stats.cpuSystem = try parseCgroupValue(system, file: "cpuacct.usage_sys")
    } else if let text = files["cpuacct/cpuacct.stat"] {
        // Older kernels: USER_HZ ticks.
        let ticks = try parseCgroupKeyed(text, file: "cpuacct.stat")
        stats.cpuUser = ticks["user"].map { $0 * 1e9 / userHZ }
        stats.cpuSystem = ticks["system"].map { $0 * 1e9 / userHZ }
    }
    if let text = files["cpu/cpu.stat"] {
        let cpu = try parseCgroupKeyed(text, file: "cpu.stat")
        stats.throttlingPeriods = cpu["nr_periods"]
        stats.throttledPeriods = cpu["nr_throttled"]
        stats.throttledTime = cpu["throttled_time"]
    }
    if let text = files["memory/memory.usage_in_bytes"] { stats.memoryUsage = try parseCgroupValue(text, file: "memory.usage_in_bytes") }
    if let text = files["memory/memory.max_usage_in_bytes"] {
        stats.memoryMaxUsage = try parseCgroupValue(text, file: "memory.max_usage_in_bytes")
    }
    if let text = files["memory/memory.failcnt"] { stats.memoryFailcnt = try parseCgroupValue(text, file: "memory.failcnt") }
    if let text = files["memory/memory.stat"] { stats.memoryStat = try parseCgroupKeyed(text, file: "memory.stat") }
    if let text = files["pids/pids.current"] { stats.pids = try parseCgroupValue(text, file: "pids.current") }
    if let bytes = files["blkio/blkio.io_service_bytes_recursive"], let operations = files["blkio/blkio.io_serviced_recursive"] {
        stats.devices = try parseBlkio(bytes: bytes, operations: operations)
    }
    return stats
}

/// Reads a running container's cgroup files below `<sysfs>/fs/cgroup` and its network counters
/// from `<procfs>/<pid>/net/dev`. The exporter must see the host's pid namespace and cgroup tree
/// (rootful engine, or the exporter on the host); otherwise every read fails and the collector
/// uses the Engine API.
struct CgroupReader: Sendable {
    let proc: ProcFS
    let cgroupRoot: ProcFS

    init(paths: HostPaths) {
        proc = paths.proc
        cgroupRoot = ProcFS(root: paths.sys.path("fs/cgroup"))
    }

    /// Why a container's cgroup could not be used; logged at debug, then the API is asked.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The container's usage, or why not. `id` guards against a reused pid: the cgroup path must
    /// name the container (`libpod-<id>.scope`, `docker-<id>.scope`, `/docker/<id>`).
    func stats(pid: Int, id: String) throws(Unavailable) -> ContainerStats {
        guard pid > 0 else { throw Unavailable(description: "no pid") }
        let cgroups: ProcessCgroups
        do { cgroups = try parseProcessCgroups(proc.read("\(pid)/cgroup")) } catch { throw Unavailable(description: "\(error)") }
        func names(_ path: String) -> Bool { path.contains(id) }
        do {
            if let memory = cgroups.controllers["memory"], names(memory) {
                return try v1(cgroups, pid: pid)
            }
            if let unified = cgroups.unified, names(unified), cgroups.controllers["memory"] == nil {
                return try v2(unified, pid: pid)
            }
        } catch let error as Unavailable {
            throw error
        } catch {
            throw Unavailable(description: "\(error)")
        }
        throw Unavailable(description: "cgroup of pid \(pid) does not name the container")
    }

    private func read(_ relative: String, required: Bool) throws -> String? {
        do {
            return try cgroupRoot.read(relative)
        } catch {
            if !required && error.isNotFound { return nil }
            throw Unavailable(description: error.description)
        }
    }

    private func v2(_ path: String, pid: Int) throws -> ContainerStats {
        let dir = String(path.dropFirst())
        // A pure v2 host mounts the unified tree at <sysfs>/fs/cgroup. A hybrid host's unified tree
        // (fs/cgroup/unified) has no controllers, but such hosts also list a v1 memory controller
        // and took the v1 path above.
        var files: [String: String] = [:]
        for (name, required) in [
            ("cpu.stat", true), ("memory.current", true), ("memory.stat", true), ("memory.swap.current", false),
            ("memory.peak", false), ("memory.events", false), ("pids.current", false), ("io.stat", false),
        ] {
            files[name] = try read(dir + "/" + name, required: required)
        }
        var stats = try cgroupV2Stats(files)
        stats.networks = try network(pid: pid)
        return stats
    }

    private func v1(_ cgroups: ProcessCgroups, pid: Int) throws -> ContainerStats {
        var files: [String: String] = [:]
        func load(_ controller: String, _ name: String, required: Bool) throws {
            guard let path = cgroups.controllers[controller] else {
                if required { throw Unavailable(description: "no \(controller) cgroup") }
                return
            }
            files[controller + "/" + name] = try read(controller + path + "/" + name, required: required)
        }
        try load("cpuacct", "cpuacct.usage", required: true)
        try load("cpuacct", "cpuacct.usage_user", required: false)
        try load("cpuacct", "cpuacct.usage_sys", required: false)
        if files["cpuacct/cpuacct.usage_user"] == nil { try load("cpuacct", "cpuacct.stat", required: false) }
        try load("cpu", "cpu.stat", required: false)
        try load("memory", "memory.usage_in_bytes", required: true)
        try load("memory", "memory.max_usage_in_bytes", required: false)
        try load("memory", "memory.failcnt", required: false)
        try load("memory", "memory.stat", required: true)
        try load("pids", "pids.current", required: false)
        // As runc: the CFQ/BFQ files when the scheduler fills them, else the throttle layer's,
        // which counts every bio.
        try load("blkio", "blkio.io_service_bytes_recursive", required: false)
        try load("blkio", "blkio.io_serviced_recursive", required: false)
        if (files["blkio/blkio.io_service_bytes_recursive"] ?? "").isEmpty {
            var throttle: [String: String] = [:]
            if let path = cgroups.controllers["blkio"] {
                throttle["bytes"] = try read("blkio" + path + "/blkio.throttle.io_service_bytes_recursive", required: false)
                throttle["ops"] = try read("blkio" + path + "/blkio.throttle.io_serviced_recursive", required: false)
            }
            files["blkio/blkio.io_service_bytes_recursive"] = throttle["bytes"]
            files["blkio/blkio.io_serviced_recursive"] = throttle["ops"]
        }
        var stats = try cgroupV1Stats(files)
        stats.networks = try network(pid: pid)
        return stats
    }

    private func network(pid: Int) throws -> [ContainerStats.Network] {
        do { return try parseContainerNetDev(proc.read("\(pid)/net/dev")) } catch let error as FileReader.ReadError {
            throw Unavailable(description: error.description)
        }
    }
}
