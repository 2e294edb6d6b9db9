/// The parts of Docker Engine API answers the container collector reads (API 1.41+, which Docker
/// and Podman's compatibility API both serve). Each model is built from a `JSONValue` by a pure
/// function, so recorded answers test it. Missing optional fields are nil, never 0: the collector
/// then omits the sample instead of exporting a made-up value.

/// A malformed or unexpected API answer: which endpoint and what.
struct DockerAPIError: Error, CustomStringConvertible, Equatable, Sendable {
    let endpoint: String
    let reason: String
    var description: String { "docker API \(endpoint): \(reason)" }
}

/// `GET /version`.
struct EngineVersion: Equatable, Sendable {
    var version: String
    var apiVersion: String
    var minAPIVersion: String
    /// "podman" when a component says so (Podman's compat API), else "docker".
    var engine: String

    init(version: String, apiVersion: String, minAPIVersion: String, engine: String) {
        self.version = version
        self.apiVersion = apiVersion
        self.minAPIVersion = minAPIVersion
        self.engine = engine
    }

    init(json: JSONValue) throws(DockerAPIError) {
        guard let api = json["ApiVersion"]?.string, APIVersion(api) != nil else {
            throw DockerAPIError(endpoint: "/version", reason: "no ApiVersion")
        }
        let components = json["Components"]?.array ?? []
        let podman = components.contains { ($0["Name"]?.string ?? "").lowercased().contains("podman") }
        self.init(
            version: json["Version"]?.string ?? "", apiVersion: api, minAPIVersion: json["MinAPIVersion"]?.string ?? "",
            engine: podman ? "podman" : "docker")
    }
}

/// A `major.minor` API version, compared numerically (1.9 < 1.41).
struct APIVersion: Comparable, Sendable, CustomStringConvertible {
    var major: Int
    var minor: Int

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    static func < (a: APIVersion, b: APIVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    var description: String { "\(major).\(minor)" }

    /// The oldest version whose fields the collector reads (Docker 20.10, Podman 3+).
    static let minimum = APIVersion(major: 1, minor: 41)
    /// The newest version this collector was checked against; newer daemons are asked for it.
    static let maximum = APIVersion(major: 1, minor: 51)

    /// The version to put in request paths: the daemon's own, capped at `maximum`, and refused
    /// when below `minimum` or below what the daemon still accepts (Docker 29 dropped < 1.44).
    static func negotiate(_ engine: EngineVersion) throws(DockerAPIError) -> APIVersion {
        guard let server = APIVersion(engine.apiVersion) else {
            throw DockerAPIError(endpoint: "/version", reason: "ApiVersion \"\(engine.apiVersion.prefix(16))\"")
        }
        let chosen = min(server, maximum)
        guard chosen >= minimum else {
            throw DockerAPIError(endpoint: "/version", reason: "API \(server) is older than the supported \(minimum)")
        }
        if let oldest = APIVersion(engine.minAPIVersion), chosen < oldest {
            throw DockerAPIError(endpoint: "/version", reason: "daemon needs API \(oldest), newer than \(chosen)")
        }
        return chosen
    }
}

/// One entry of `GET /containers/json?all=1`.
struct ContainerSummary: Equatable, Sendable {
    var id: String
    var name: String
    var image: String
    /// created, running, paused, restarting, removing, exited, dead.
    var state: String
    /// Human text: "Up 2 hours (healthy)", "Exited (3) 5 seconds ago".
    var status: String
    var labels: [String: String]

    static func list(json: JSONValue) throws(DockerAPIError) -> [ContainerSummary] {
        guard let entries = json.array else { throw DockerAPIError(endpoint: "/containers/json", reason: "not an array") }
        var out: [ContainerSummary] = []
        out.reserveCapacity(entries.count)
        for entry in entries {
            guard let id = entry["Id"]?.string, !id.isEmpty else {
                throw DockerAPIError(endpoint: "/containers/json", reason: "entry without Id")
            }
            let first = entry["Names"]?.array?.first?.string ?? ""
            var labels: [String: String] = [:]
            for (key, value) in entry["Labels"]?.object ?? [:] { if let text = value.string { labels[key] = text } }
            out.append(ContainerSummary(
                id: id, name: first.hasPrefix("/") ? String(first.dropFirst()) : first,
                image: entry["Image"]?.string ?? "", state: (entry["State"]?.string ?? "").lowercased(),
                status: entry["Status"]?.string ?? "", labels: labels))
        }
        return out
    }

    /// The health part Docker appends to Status ("healthy", "unhealthy", "health: starting"), or
    /// nil; Podman's compat API leaves it out.
    var healthAnnotation: String? {
        guard status.hasSuffix(")"), let open = status.lastIndex(of: "(") else { return nil }
        let inner = status[status.index(after: open)..<status.index(before: status.endIndex)]
        return inner.contains("health") ? String(inner) : nil
    }

    /// Whether the engine has cgroup statistics for it.
    var hasStats: Bool { state == "running" || state == "paused" }
}

/// `GET /containers/{id}/json`: what does not change while the container keeps its state.
struct ContainerDetails: Equatable, Sendable {
    var restartCount: Double
    var exitCode: Double
    var oomKilled: Bool
    /// Unix seconds; nil for Go's zero time (never started / never finished).
    var startedAt: Double?
    var finishedAt: Double?
    /// healthy, unhealthy, starting; nil without a health check.
    var health: String?
    var failingStreak: Double?
    var memoryLimit: Double
    var memoryReservation: Double
    var memorySwapLimit: Double
    var cpuShares: Double
    var cpuQuota: Double
    var cpuPeriod: Double
    /// `State.Pid`: the container's init process in the host's pid namespace, 0 when not running;
    /// it locates the cgroup and network namespace (`CgroupReader`).
    var pid: Int
    /// `GraphDriver.Data.UpperDir`: the writable layer's directory on the host (overlay), whose
    /// file system gives `container_fs_limit_bytes` and the inodes.
    var upperDir: String?
    /// `SizeRw`, present only when asked for with `?size=true` (the daemon walks the layer).
    var writableLayerBytes: Double?

    init(
        restartCount: Double = 0, exitCode: Double = 0, oomKilled: Bool = false, startedAt: Double? = nil,
        finishedAt: Double? = nil, health: String? = nil, failingStreak: Double? = nil, memoryLimit: Double = 0,
        memoryReservation: Double = 0, memorySwapLimit: Double = 0, cpuShares: Double = 0, cpuQuota: Double = 0,
        cpuPeriod: Double = 0, pid: Int = 0, upperDir: String? = nil, writableLayerBytes: Double? = nil
    ) {
        self.restartCount = restartCount
        self.exitCode = exitCode
        self.oomKilled = oomKilled
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.health = health
        self.failingStreak = failingStreak
        self.memoryLimit = memoryLimit
        self.memoryReservation = memoryReservation
        self.memorySwapLimit = memorySwapLimit
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.pid = pid
        self.upperDir = upperDir
        self.writableLayerBytes = writableLayerBytes
    }

    init(json: JSONValue) throws(DockerAPIError) {
        guard let state = json["State"], state.object != nil else {
            throw DockerAPIError(endpoint: "/containers/{id}/json", reason: "no State")
        }
        let host = json["HostConfig"]
        let healthStatus = state["Health"]?["Status"]?.string ?? ""
        let test = json["Config"]?["Healthcheck"]?["Test"]?.array?.compactMap(\.string) ?? []
        let hasCheck = !healthStatus.isEmpty || (!test.isEmpty && test.first != "NONE")
        // Docker implements --cpus as a CFS quota over the default 100 ms period.
        let nanoCPUs = host?["NanoCpus"]?.double ?? 0
        var quota = host?["CpuQuota"]?.double ?? 0
        var period = host?["CpuPeriod"]?.double ?? 0
        if quota <= 0 && nanoCPUs > 0 {
            period = period > 0 ? period : 100_000
            quota = nanoCPUs / 1e9 * period
        }
        self.init(
            restartCount: json["RestartCount"]?.double ?? 0,
            exitCode: state["ExitCode"]?.double ?? 0,
            oomKilled: state["OOMKilled"]?.bool ?? false,
            startedAt: state["StartedAt"]?.string.flatMap(RFC3339.seconds),
            finishedAt: state["FinishedAt"]?.string.flatMap(RFC3339.seconds),
            health: hasCheck ? (healthStatus.isEmpty ? "starting" : healthStatus) : nil,
            failingStreak: hasCheck ? state["Health"]?["FailingStreak"]?.double ?? 0 : nil,
            memoryLimit: max(0, host?["Memory"]?.double ?? 0),
            memoryReservation: max(0, host?["MemoryReservation"]?.double ?? 0),
            memorySwapLimit: max(0, host?["MemorySwap"]?.double ?? 0),
            cpuShares: host?["CpuShares"]?.double ?? 0,
            cpuQuota: max(0, quota),
            cpuPeriod: max(0, period),
            pid: Int(max(0, min(state["Pid"]?.double ?? 0, Double(Int32.max)))),
            upperDir: json["GraphDriver"]?["Data"]?["UpperDir"]?.string.flatMap { $0.hasPrefix("/") ? $0 : nil },
            writableLayerBytes: json["SizeRw"]?.double.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil })
    }
}

/// `GET /containers/{id}/stats?stream=false&one-shot=true`, cgroup v1 or v2 (the daemon fills
/// `memory_stats.stats` with the kernel's keys for either). CPU times are nanoseconds.
struct ContainerStats: Equatable, Sendable {
    struct Network: Equatable, Sendable {
        var interface: String
        var receiveBytes, receivePackets, receiveErrors, receiveDropped: Double
        var transmitBytes, transmitPackets, transmitErrors, transmitDropped: Double
    }

    struct DeviceIO: Equatable, Sendable {
        /// "major:minor": the API names no device.
        var device: String
        var readBytes = 0.0, writeBytes = 0.0
        var reads: Double?, writes: Double?
    }

    var cpuTotal: Double?
    var cpuUser: Double?
    var cpuSystem: Double?
    var throttlingPeriods: Double?
    var throttledPeriods: Double?
    var throttledTime: Double?
    var memoryUsage: Double?
    var memoryMaxUsage: Double?
    var memoryFailcnt: Double?
    /// memory_stats.stats as the daemon passed it from memory.stat.
    var memoryStat: [String: Double] = [:]
    var pids: Double?
    var networks: [Network] = []
    var devices: [DeviceIO] = []

    init() {}

    init(json: JSONValue) throws(DockerAPIError) {
        guard json.object != nil else { throw DockerAPIError(endpoint: "/containers/{id}/stats", reason: "not an object") }
        let cpu = json["cpu_stats"]
        cpuTotal = cpu?["cpu_usage"]?["total_usage"]?.double
        cpuUser = cpu?["cpu_usage"]?["usage_in_usermode"]?.double
        cpuSystem = cpu?["cpu_usage"]?["usage_in_kernelmode"]?.double
        throttlingPeriods = cpu?["throttling_data"]?["periods"]?.double
        throttledPeriods = cpu?["throttling_data"]?["throttled_periods"]?.double
        throttledTime = cpu?["throttling_data"]?["throttled_time"]?.double
        let memory = json["memory_stats"]
        memoryUsage = memory?["usage"]?.double
        memoryMaxUsage = memory?["max_usage"]?.double
        memoryFailcnt = memory?["failcnt"]?.double
        for (key, value) in memory?["stats"]?.object ?? [:] { if let number = value.double { memoryStat[key] = number } }
        pids = json["pids_stats"]?["current"]?.double
        for (name, counters) in json["networks"]?.object ?? [:] {
            func value(_ key: String) -> Double { counters[key]?.double ?? 0 }
            networks.append(Network(
                interface: name,
                receiveBytes: value("rx_bytes"), receivePackets: value("rx_packets"), receiveErrors: value("rx_errors"),
                receiveDropped: value("rx_dropped"),
                transmitBytes: value("tx_bytes"), transmitPackets: value("tx_packets"), transmitErrors: value("tx_errors"),
                transmitDropped: value("tx_dropped")))
        }
        networks.sort { $0.interface < $1.interface }
        devices = Self.blockIO(json["blkio_stats"])
    }

    /// Sums io_service_bytes_recursive (bytes) and io_serviced_recursive (operations) per device;
    /// the op is "Read" under cgroup v1 and "read" under v2.
    private static func blockIO(_ blkio: JSONValue?) -> [DeviceIO] {
        var byDevice: [String: DeviceIO] = [:]
        func visit(_ key: String, bytes: Bool) {
            for entry in blkio?[key]?.array ?? [] {
                // Device numbers arrive as JSON doubles: one that is no dev_t part (Linux's are
                // 32-bit, whole, not negative) drops the entry; Int(1e300) trapped (issue #12).
                guard let major = entry["major"]?.double.flatMap({ UInt32(exactly: $0) }),
                      let minor = entry["minor"]?.double.flatMap({ UInt32(exactly: $0) }),
                      let op = entry["op"]?.string?.lowercased(), let value = entry["value"]?.double
                else { continue }
                let device = "\(major):\(minor)"
                var io = byDevice[device] ?? DeviceIO(device: device)
                switch (op, bytes) {
                case ("read", true): io.readBytes += value
                case ("write", true): io.writeBytes += value
                case ("read", false): io.reads = (io.reads ?? 0) + value
                case ("write", false): io.writes = (io.writes ?? 0) + value
                default: break
                }
                byDevice[device] = io
            }
        }
        visit("io_service_bytes_recursive", bytes: true)
        visit("io_serviced_recursive", bytes: false)
        return byDevice.values.sorted { $0.device < $1.device }
    }

    /// memory.stat value under either cgroup version: the v1 hierarchical `total_` key, the v1
    /// local key, else the v2 key.
    func memory(v1 key: String, v2: String) -> Double? {
        memoryStat["total_" + key] ?? memoryStat[key] ?? memoryStat[v2]
    }

    /// cAdvisor's working set: usage minus inactive file pages, never below 0.
    var workingSet: Double? {
        guard let usage = memoryUsage else { return nil }
        let inactive = memory(v1: "inactive_file", v2: "inactive_file") ?? 0
        return max(0, usage - inactive)
    }
}

/// RFC 3339 timestamps as the Docker API writes them (Go's RFC3339Nano).
enum RFC3339 {
    /// Unix seconds, or nil for malformed text and for Go's zero time (year 1), which the API
    /// uses for "never".
    static func seconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), b[4] == 45, let month = number(5..<7), b[7] == 45, let day = number(8..<10),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = number(11..<13), b[13] == 58,
              let minute = number(14..<16), b[16] == 58, let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        if year <= 1 { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count && b[i] == 46 {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = number(i + 1..<i + 3), b[i + 3] == 58,
                  let om = number(i + 4..<i + 6) {
            offset = (oh * 3600 + om * 60) * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
