/// One container's part of a scrape: what was asked of the API for it, what came back, and why
/// its data is incomplete when something did not. A container whose inspect or stats request
/// times out, fails or answers garbage is reported from what is known (its list entry, its cached
/// inspect) and flagged alone; the other containers are unaffected.
struct ContainerWork {
    var snapshot: ContainerSnapshot
    /// Gone since the list (404): left out silently.
    var removed = false
    var inspectSlot: Int?
    var statsSlot: Int?
    /// Why the inspect or the stats of this scrape are missing (`timeout`, `error`, `bad_response`).
    var incomplete: String?
}

/// The requests of one scrape, in the order the client answers them.
struct ContainerRequests {
    private(set) var paths: [String] = []
    private(set) var results: [Result<ClientResponse, DockerClientError>] = []

    /// Adds a request; its slot in `results`.
    mutating func add(_ path: String) -> Int {
        paths.append(path)
        return paths.count - 1
    }

    /// Sends the requests added since the last call.
    mutating func send(with client: DockerClient, concurrency: Int, deadline: MonotonicTime) {
        guard results.count < paths.count else { return }
        results += client.get(Array(paths[results.count...]), concurrency: concurrency, deadline: deadline)
    }

    func result(_ slot: Int) -> Result<ClientResponse, DockerClientError> { results[slot] }
}

/// What became of a request for one container.
enum ContainerAnswer {
    case body(ClientResponse)
    /// 404: the container was removed after the list.
    case removed
    /// Another status: a transient engine error, or a container that stopped meanwhile (Podman
    /// answers 409/500 for stats); logged at debug, not a fault.
    case refused(Int, String)
    /// No usable answer: the reason is reported for this container.
    case missing(String)

    init(_ result: Result<ClientResponse, DockerClientError>) {
        switch result {
        case .success(let response): self = .body(response)
        case .failure(.status(404, _)): self = .removed
        case .failure(.status(let code, let message)): self = .refused(code, message)
        case .failure(.deadline): self = .missing("timeout")
        case .failure: self = .missing("error")
        }
    }
}

enum ContainerIncompleteMetric {
    static let family = FamilyDescriptor(
        name: "stack_exporter_container_incomplete", type: .gauge,
        help: "1 for a container whose inspect or usage could not be read this scrape (reason: timeout, error, bad_response); its other series come from the list and the last inspect.",
        labels: ["name", "reason"])

    static func family(_ work: [ContainerWork]) -> MetricFamily? {
        var family = MetricFamily(Self.family)
        for item in work where !item.removed {
            if let reason = item.incomplete { family.add([item.snapshot.summary.name, reason], 1) }
        }
        return family.samples.isEmpty ? nil : family
    }
}
