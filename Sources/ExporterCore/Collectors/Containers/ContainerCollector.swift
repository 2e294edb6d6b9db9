import Synchronization

/// The containers collector and its flags.
public enum ContainerCollectors {
    static let dockerHost = Flag.string(
        "docker.host", default: DockerHost.defaultValue,
        help: "Docker Engine API socket (unix:///path). When not given, DOCKER_HOST is honoured.", group: "Containers", placeholder: "URL")
    static let labels = Flag.list(
        "collector.containers.labels",
        help: "Docker label to export as container_label_<sanitized name> (repeatable; no label is exported by default).",
        group: "Containers", placeholder: "LABEL")
    static let concurrency = Flag.int(
        "collector.containers.concurrency", default: 8, help: "Most Docker API requests (stats, inspect) in flight at once.",
        group: "Containers", placeholder: "N")
    static let cgroups = Flag.bool(
        "collector.containers.cgroups", default: true,
        help: "Read running containers' usage from the cgroup filesystem under --path.sysfs and --path.procfs; the API's stats endpoint is the fallback.",
        group: "Containers")
    static let filesystems = Flag.bool(
        "collector.containers.fs", default: true,
        help: "container_fs_usage_bytes (the engine's size of the writable layer, on a slow cadence), container_fs_limit_bytes and the inodes (statfs of the engine's storage).",
        group: "Containers")
    static let fsUsageInterval = Flag.duration(
        "collector.containers.fs-usage-interval", default: "5m",
        help: "How often each container's writable layer is measured by the engine (?size=true walks the layer); the age is exported.",
        group: "Containers")
    static let fsUsagePerScrape = Flag.int(
        "collector.containers.fs-usage-per-scrape", default: 2,
        help: "Containers whose writable layer is measured per scrape at most, oldest first (0: no usage, capacity and inodes only).",
        group: "Containers", placeholder: "N")
    static let flags: [FlagSpec] = [
        dockerHost.spec, labels.spec, concurrency.spec, cgroups.spec, filesystems.spec, fsUsageInterval.spec, fsUsagePerScrape.spec,
    ] + HostPaths.flags

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "containers", enabledByDefault: true,
            summary: "Docker/Podman containers from the Engine API: cAdvisor's container_* names plus state, health, restarts, exit code.",
            flags: flags
        ) { settings in
            let path = try DockerHost.socketPath(
                flag: settings.flags[dockerHost], flagWasSet: settings.flags.wasSet(dockerHost),
                environment: settings.environment)
            // On by default: a host without Docker or Podman at the default socket simply has no
            // containers; a socket the operator named (flag or DOCKER_HOST) must be there.
            let named = settings.flags.wasSet(dockerHost) || !(settings.environment["DOCKER_HOST"] ?? "").isEmpty
            return ContainerCollector(
                client: DockerClient(socketPath: path), socketOptional: !named,
                labels: ContainerLabelMapping.make(settings.flags[labels]),
                concurrency: min(64, max(1, settings.flags[concurrency])),
                logger: settings.logger,
                cgroups: settings.flags[cgroups] ? CgroupReader(paths: HostPaths(flags: settings.flags)) : nil,
                filesystems: settings.flags[filesystems]
                    ? ContainerFilesystems(
                        interval: settings.flags[fsUsageInterval], perScrape: max(0, settings.flags[fsUsagePerScrape]),
                        paths: HostPaths(flags: settings.flags))
                    : nil)
        },
    ]
}

/// Reads the Docker Engine API for the container list every scrape and inspect data cached per
/// container until its state changes; usage of running containers comes from their cgroup files
/// (`CgroupReader`), or from one-shot API stats when those cannot be read.
final class ContainerCollector: Collector {
    let client: DockerClient
    let labels: [ContainerLabelMapping]
    let concurrency: Int
    let logger: Logger
    /// Reads usage from the cgroup filesystem; nil to ask the API's stats endpoint for every
    /// container (`--no-collector.containers.cgroups`).
    let cgroups: CgroupReader?
    /// The default socket, not one the operator named: when it does not exist there is nothing
    /// to collect (no Docker on this host), which is not a failure.
    let socketOptional: Bool
    /// Inspect data older than this is fetched again even without a state change, so a restart
    /// between two scrapes (running → running) still updates the restart count.
    let inspectMaxAge: Double
    /// The writable layers' usage, capacity and inodes; nil with `--no-collector.containers.fs`.
    let filesystems: ContainerFilesystems?

    private struct CachedDetails {
        var details: ContainerDetails
        var state: String
        var healthAnnotation: String?
        var fetched: MonotonicTime
        /// The cgroup of `details.pid` was read once: a later failure means the pid went stale
        /// (restart between scrapes), not that cgroups are unreadable here.
        var cgroupRead = false
    }

    private struct State {
        var engine: EngineVersion?
        var api: APIVersion?
        /// Podman's native list answered; nil until tried, false after it failed.
        var libpodList: Bool?
        var cache: [String: CachedDetails] = [:]
    }

    private let state = Mutex(State())

    init(
        client: DockerClient, socketOptional: Bool = false, labels: [ContainerLabelMapping], concurrency: Int, logger: Logger,
        inspectMaxAge: Double = 60, cgroups: CgroupReader? = nil, filesystems: ContainerFilesystems? = nil
    ) {
        self.client = client
        self.filesystems = filesystems
        self.cgroups = cgroups
        self.socketOptional = socketOptional
        self.labels = labels
        self.concurrency = concurrency
        self.logger = logger
        self.inspectMaxAge = inspectMaxAge
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        if socketOptional && FileSystem.isMissing(client.socketPath) { return [] }
        // Requests still unanswered at the cutoff fail alone, leaving time to report the rest.
        let deadline = ItemDeadline(collector: context.deadline).cutoff
        let (engine, api) = try negotiated(deadline: deadline)
        let summaries = try listRenegotiatingOnFailure(engine: engine, api: api, deadline: deadline)
        let now = MonotonicTime.now()
        let cached = state.withLock { $0.cache }
        var requests = ContainerRequests()
        // Sizes only of containers inspected before: a first scrape (or a new container) is not
        // slowed by the daemon's walk of every layer.
        let sizesDue = filesystems?.due(summaries.filter { $0.hasStats && cached[$0.id] != nil }.map(\.id), now: now) ?? []
        // Round one: inspect what is not cached (with the layer's size when it is due), and the
        // API's usage of containers whose cgroup will not be read.
        var work = summaries.map { summary in
            var item = ContainerWork(snapshot: ContainerSnapshot(summary: summary, details: cached[summary.id]?.details))
            if summary.hasStats && cgroups == nil { item.statsSlot = requests.add(statsPath(api, summary.id)) }
            if sizesDue.contains(summary.id) {
                item.inspectSlot = requests.add("/v\(api)/containers/\(summary.id)/json?size=true")
            } else if needsInspect(summary, cached: cached[summary.id], now: now) {
                item.inspectSlot = requests.add("/v\(api)/containers/\(summary.id)/json")
            }
            return item
        }
        requests.send(with: client, concurrency: concurrency, deadline: deadline)
        var fresh: [String: CachedDetails] = [:]
        for index in work.indices { applyInspect(&work[index], requests, fresh: &fresh, now: now) }
        // Round two: usage from the cgroup files; the API's stats where they cannot be read.
        var stale: Set<String> = [], cgroupRead: Set<String> = []
        for index in work.indices where !work[index].removed {
            readCgroup(&work[index], api: api, requests: &requests, stale: &stale, cgroupRead: &cgroupRead, freshlyInspected: fresh, cached: cached)
        }
        requests.send(with: client, concurrency: concurrency, deadline: deadline)
        for index in work.indices where !work[index].removed { applyStats(&work[index], requests) }

        let present = Set(summaries.map(\.id))
        addFilesystems(&work, present: present, now: now, deadline: deadline)
        state.withLock { state in
            state.cache = state.cache.filter { present.contains($0.key) && !stale.contains($0.key) }
            state.cache.merge(fresh) { _, new in new }
            for id in cgroupRead { state.cache[id]?.cgroupRead = true }
        }
        var families = ContainerMetrics.families(
            work.filter { !$0.removed }.map(\.snapshot), engine: engine, api: api, labels: labels, now: WallClock.now())
        if let incomplete = ContainerIncompleteMetric.family(work) { families.append(incomplete) }
        return families
    }

    /// The container list; a failure makes the next scrape negotiate again (the daemon may have
    /// been upgraded or restarted).
    private func listRenegotiatingOnFailure(engine: EngineVersion, api: APIVersion, deadline: MonotonicTime) throws -> [ContainerSummary] {
        do {
            return try list(engine: engine, api: api, deadline: deadline)
        } catch {
            state.withLock {
                $0.api = nil
                $0.libpodList = nil
            }
            throw error
        }
    }

    /// Capacity, inodes and the last measured layer size of each running container.
    private func addFilesystems(_ work: inout [ContainerWork], present: Set<String>, now: MonotonicTime, deadline: MonotonicTime) {
        guard let filesystems else { return }
        filesystems.keep(present)
        var upperDirs: [String: String] = [:]
        for item in work where !item.removed && item.snapshot.stats != nil {
            if let upper = item.snapshot.details?.upperDir { upperDirs[item.snapshot.summary.id] = upper }
        }
        guard !upperDirs.isEmpty else { return }
        let found = filesystems.filesystems(upperDirs, now: now, deadline: deadline)
        for index in work.indices { work[index].snapshot.filesystem = found[work[index].snapshot.summary.id] }
    }

    private func applyInspect(_ item: inout ContainerWork, _ requests: ContainerRequests, fresh: inout [String: CachedDetails], now: MonotonicTime) {
        guard let slot = item.inspectSlot else { return }
        let summary = item.snapshot.summary
        switch ContainerAnswer(requests.result(slot)) {
        case .body(let response):
            do {
                let details = try ContainerDetails(json: Self.json(response, endpoint: "/containers/{id}/json"))
                item.snapshot.details = details
                if let bytes = details.writableLayerBytes { filesystems?.record(summary.id, bytes: bytes, now: now) }
                fresh[summary.id] = CachedDetails(details: details, state: summary.state, healthAnnotation: summary.healthAnnotation, fetched: now)
            } catch {
                logger.debug("container inspect unreadable", ["id": String(summary.id.prefix(12)), "err": error.description])
                item.incomplete = "bad_response"
            }
        case .removed:
            item.removed = true
        case .refused(let code, let message):
            // One container's transient engine error keeps its last known details.
            logger.debug("container inspect failed", ["id": String(summary.id.prefix(12)), "status": "\(code)", "err": message])
        case .missing(let reason):
            item.incomplete = reason
        }
    }

    /// Usage from the cgroup filesystem; when it cannot be read, a stats request for round two.
    private func readCgroup(
        _ item: inout ContainerWork, api: APIVersion, requests: inout ContainerRequests, stale: inout Set<String>,
        cgroupRead: inout Set<String>, freshlyInspected: [String: CachedDetails], cached: [String: CachedDetails]
    ) {
        let summary = item.snapshot.summary
        guard summary.hasStats, let cgroups, item.statsSlot == nil else { return }
        do throws(CgroupReader.Unavailable) {
            item.snapshot.stats = try cgroups.stats(pid: item.snapshot.details?.pid ?? 0, id: summary.id)
            cgroupRead.insert(summary.id)
        } catch {
            logger.debug("container cgroup unavailable, using the API", ["id": String(summary.id.prefix(12)), "err": error.description])
            // A restart between scrapes (running → running) leaves a stale pid: inspect again next
            // time. Where cgroups never worked (rootless, other pid namespace) the cached inspect
            // stays, so the fallback costs what the API path always did.
            if freshlyInspected[summary.id] == nil && cached[summary.id]?.cgroupRead == true { stale.insert(summary.id) }
            item.statsSlot = requests.add(statsPath(api, summary.id))
        }
    }

    private func applyStats(_ item: inout ContainerWork, _ requests: ContainerRequests) {
        guard let slot = item.statsSlot else { return }
        let id = String(item.snapshot.summary.id.prefix(12))
        switch ContainerAnswer(requests.result(slot)) {
        case .body(let response) where response.body.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }):
            // Podman answers 200 with no body for a container that stopped after the list (a
            // restart loop between runs): no usage this scrape, not a fault.
            logger.debug("container stats empty", ["id": id])
        case .body(let response):
            do {
                item.snapshot.stats = try ContainerStats(json: Self.json(response, endpoint: "/containers/{id}/stats"))
            } catch {
                logger.debug("container stats unreadable", ["id": id, "err": error.description])
                item.incomplete = item.incomplete ?? "bad_response"
            }
        case .removed:
            item.removed = true
        case .refused(let code, let message):
            // Stopped between list and stats (Podman answers 409/500): its state is known, stats are not.
            logger.debug("container stats unavailable", ["id": id, "status": "\(code)", "err": message])
        case .missing(let reason):
            item.incomplete = item.incomplete ?? reason
        }
    }

    /// Inspect data is reused while the container keeps its state and health text and is young;
    /// Podman's list has no health text, so containers with a health check are inspected each scrape.
    /// Every container. On Podman its native `/libpod/containers/json` first: the compat list runs
    /// a full inspect per container (pkg/api/handlers/compat/containers.go, LibpodToContainer),
    /// about twice the service's CPU for the fields read here, which both lists fill alike (State
    /// from the same ContainerStatus.String(); Names without the leading `/`, which `list` strips
    /// anyway; neither has health text in Status). A failed native list is not tried again.
    private func list(engine: EngineVersion, api: APIVersion, deadline: MonotonicTime) throws -> [ContainerSummary] {
        let version = engine.version
        let useLibpod = engine.engine == "podman" && state.withLock { $0.libpodList } != false
            && !version.isEmpty && version.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 46 }
        if useLibpod {
            do {
                let response = try client.get("/v\(version)/libpod/containers/json?all=true", deadline: deadline)
                let summaries = try ContainerSummary.list(json: Self.json(response, endpoint: "/libpod/containers/json"))
                state.withLock { $0.libpodList = true }
                return summaries
            } catch {
                // Refused or not understood: the compat list, which every supported engine has.
                // A dead socket or the deadline fails the scrape as before.
                guard Self.isRefusal(error) else { throw error }
                logger.debug("podman native container list unusable, using the compat list", ["err": "\(error)"])
                state.withLock { $0.libpodList = false }
            }
        }
        let response = try client.get("/v\(api)/containers/json?all=1", deadline: deadline)
        return try ContainerSummary.list(json: Self.json(response, endpoint: "/containers/json"))
    }

    private static func isRefusal(_ error: any Error) -> Bool {
        if error is DockerAPIError { return true }
        if case DockerClientError.status = error { return true }
        return false
    }

    private func statsPath(_ api: APIVersion, _ id: String) -> String {
        "/v\(api)/containers/\(id)/stats?stream=false&one-shot=true"
    }

    private func needsInspect(_ summary: ContainerSummary, cached: CachedDetails?, now: MonotonicTime) -> Bool {
        guard let cached else { return true }
        if cached.state != summary.state || cached.healthAnnotation != summary.healthAnnotation { return true }
        if cached.details.health != nil && summary.healthAnnotation == nil { return true }
        return cached.fetched.seconds(until: now) > inspectMaxAge
    }

    private func negotiated(deadline: MonotonicTime) throws -> (EngineVersion, APIVersion) {
        if let known = state.withLock({ state in state.engine.flatMap { engine in state.api.map { (engine, $0) } } }) {
            return known
        }
        let response = try client.get("/version", deadline: deadline)
        let engine = try EngineVersion(json: Self.json(response, endpoint: "/version"))
        let api = try APIVersion.negotiate(engine)
        state.withLock {
            $0.engine = engine
            $0.api = api
        }
        return (engine, api)
    }

    static func json(_ response: ClientResponse, endpoint: String) throws(DockerAPIError) -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw DockerAPIError(endpoint: endpoint, reason: error.description)
        }
    }
}
