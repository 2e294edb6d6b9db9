/// A source of metric families (host, containers, PostgreSQL, TLS, textfile…).
///
/// `collect` may block on files and sockets: it runs on its own thread, and the scrape stops
/// waiting for it at the deadline. Collectors that talk to the network should also bound their own
/// I/O by `context.deadline`, so that the abandoned work ends soon after. A collector of several
/// items (endpoints, servers) bounds each by `ItemDeadline`, so one slow item fails alone.
public protocol Collector: Sendable {
    func collect(_ context: CollectContext) throws -> [MetricFamily]

    /// Whether `collect` can block for long (network, statfs on a remote mount, a daemon). Such
    /// collectors run on a thread of their own and the scrape stops waiting at the deadline.
    /// Collectors that only read procfs/sysfs return false: they run one after another on the
    /// scrape's worker thread, which saves a thread hand-off each (about 50 µs on two cores). One
    /// that does get stuck costs the scrape it ran in (answered 503 by the server at the deadline);
    /// later scrapes report it failed and serve the rest.
    var mayBlock: Bool { get }
}

extension Collector {
    public var mayBlock: Bool { true }
}

/// What a collection gets from the scrape.
public struct CollectContext: Sendable {
    /// When the scrape stops waiting for this collector.
    public let deadline: MonotonicTime
    public let logger: Logger
    /// Counts label values repaired to valid UTF-8.
    public let exposition: ExpositionStats

    public init(deadline: MonotonicTime, logger: Logger, exposition: ExpositionStats) {
        self.deadline = deadline
        self.logger = logger
        self.exposition = exposition
    }

    public var secondsLeft: Double { MonotonicTime.now().seconds(until: deadline) }
}

/// A collector as the command line knows it: its name for `--[no-]collector.<name>` and
/// `collect[]=<name>`, whether it runs by default, the flags it adds, and how to build it.
public struct CollectorModule: Sendable {
    public let name: String
    public let enabledByDefault: Bool
    public let summary: String
    public let flags: [FlagSpec]
    public let make: @Sendable (CollectorSettings) throws -> any Collector

    public init(
        name: String, enabledByDefault: Bool, summary: String, flags: [FlagSpec] = [],
        make: @escaping @Sendable (CollectorSettings) throws -> any Collector
    ) {
        self.name = name
        self.enabledByDefault = enabledByDefault
        self.summary = summary
        self.flags = flags
        self.make = make
    }
}

/// What a module's `make` may read: parsed flags and the environment.
public struct CollectorSettings: Sendable {
    public let flags: ParsedFlags
    public let environment: [String: String]
    public let logger: Logger
    /// Readers that several collectors share (/proc/stat for `cpu` and `stat`).
    public let shared: SharedSources

    public init(flags: ParsedFlags, environment: [String: String], logger: Logger, shared: SharedSources = SharedSources()) {
        self.flags = flags
        self.environment = environment
        self.logger = logger
        self.shared = shared
    }
}

/// An error a collector reports as a value; the scrape turns it into success 0 and one log line.
public struct CollectorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// A bad flag or configuration value: start-up exits with status 2, as for a bad flag.
    public let isConfiguration: Bool
    public init(_ description: String, configuration: Bool = false) {
        self.description = description
        isConfiguration = configuration
    }
}
