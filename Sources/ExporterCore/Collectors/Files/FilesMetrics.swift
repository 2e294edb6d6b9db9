/// The `files` collector's families (names of our own: Alloy's `file_stats`, Telegraf's `filestat`
/// and node_exporter have none for a glob's newest file), its flags and its module.
enum FilesMetrics {
    static let labels = ["name", "pattern"]
    static let count = FamilyDescriptor(
        name: "stack_exporter_files_count", type: .gauge, help: "Regular files the pattern matches.", labels: labels)
    static let newestModified = FamilyDescriptor(
        name: "stack_exporter_files_newest_mtime_seconds", type: .gauge, help: "Modification time of the newest matching file, Unix seconds; 0 when nothing matches.", unit: "seconds", labels: labels)
    static let newestSize = FamilyDescriptor(
        name: "stack_exporter_files_newest_size_bytes", type: .gauge, help: "Size of the newest matching file; 0 when nothing matches.", unit: "bytes", labels: labels)
    static let oldestModified = FamilyDescriptor(
        name: "stack_exporter_files_oldest_mtime_seconds", type: .gauge, help: "Modification time of the oldest matching file, Unix seconds; 0 when nothing matches.", unit: "seconds", labels: labels)
    static let bytes = FamilyDescriptor(
        name: "stack_exporter_files_bytes", type: .gauge, help: "Total size of the matching files.", unit: "bytes", labels: labels)
    static let newestValid = FamilyDescriptor(
        name: "stack_exporter_files_newest_valid", type: .gauge,
        help: "Whether the newest matching .gz file is one complete gzip stream: 1 yes, 0 no (see reason), -1 no verdict yet (pending, changing, timeout).",
        labels: ["name", "pattern", "reason"])
    static let errors = FamilyDescriptor(
        name: "stack_exporter_files_error", type: .gauge,
        help: "Paths the pattern reached that could not be counted in the last walk, by reason.", labels: ["name", "pattern", "reason"])

    /// The newest file: latest mtime, the last path among equals.
    static func newest(_ files: [MatchedFile]) -> MatchedFile? {
        files.max { ($0.modifiedNanoseconds, $0.path) < ($1.modifiedNanoseconds, $1.path) }
    }

    /// The families of one scrape, assembled pattern by pattern.
    struct Families {
        private var count = MetricFamily(FilesMetrics.count)
        private var newestModified = MetricFamily(FilesMetrics.newestModified)
        private var newestSize = MetricFamily(FilesMetrics.newestSize)
        private var oldestModified = MetricFamily(FilesMetrics.oldestModified)
        private var bytes = MetricFamily(FilesMetrics.bytes)
        private var valid = MetricFamily(FilesMetrics.newestValid)
        private var errors = MetricFamily(FilesMetrics.errors)

        mutating func addStatistics(_ pattern: FilePattern, _ files: [MatchedFile]) {
            let labels = [pattern.name, pattern.text]
            let newest = FilesMetrics.newest(files)
            let oldest = files.min { ($0.modifiedNanoseconds, $0.path) < ($1.modifiedNanoseconds, $1.path) }
            count.add(labels, Double(files.count))
            newestModified.add(labels, newest?.modifiedSeconds ?? 0)
            newestSize.add(labels, Double(newest?.size ?? 0))
            oldestModified.add(labels, oldest?.modifiedSeconds ?? 0)
            bytes.add(labels, files.reduce(0) { $0 + Double($1.size) })
        }

        /// Every reason, 0 where there was none: the series stay put as problems come and go.
        mutating func addProblems(_ pattern: FilePattern, _ result: WalkResult) {
            for problem in FileProblem.allCases {
                errors.add([pattern.name, pattern.text, problem.rawValue], Double(result.problems[problem] ?? 0))
            }
        }

        mutating func addVerdict(_ pattern: FilePattern, _ verdict: GzipVerdict) {
            valid.add([pattern.name, pattern.text, verdict.reason], verdict.value)
        }

        var all: [MetricFamily] {
            [count, newestModified, newestSize, oldestModified, bytes, valid, errors].filter { !$0.samples.isEmpty }
        }
    }
}

/// The `files` module: on by default, idle until a pattern is given.
public enum FilesCollectors {
    static let group = "Files"
    static let glob = Flag.list(
        "files.glob", help: "Files to watch: [name=]pattern, `*?[` per path component and `**` for any depth; repeatable.",
        group: group, placeholder: "<[name=]pattern>")
    static let verifyGzip = Flag.bool(
        "files.verify-gzip", help: "Read the newest .gz file of each pattern to its end in the background and report whether it is complete.",
        group: group)
    static let verifyRate = Flag.int(
        "files.verify-rate", default: 50_000_000, help: "Bytes per second a verification reads at most.", group: group, placeholder: "<bytes>")
    static let verifyTimeout = Flag.duration(
        "files.verify-timeout", default: "30m", help: "Longest one verification may take (then reason=\"timeout\", value -1).", group: group)
    static let maxEntries = Flag.int(
        "files.max-entries", default: 200_000, help: "Directory entries one pattern's walk looks at, at most (then reason=\"too_many_entries\").",
        group: group)
    static let maxDepth = Flag.int(
        "files.max-depth", default: 32, help: "Directories a `**` descends, at most (then reason=\"too_deep\").", group: group)

    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "files", enabledByDefault: true,
            summary: "count, newest/oldest mtime, size and gzip integrity of the files matching --files.glob (backups).",
            flags: [glob.spec, verifyGzip.spec, verifyRate.spec, verifyTimeout.spec, maxEntries.spec, maxDepth.spec]
        ) { settings in try make(settings) },
    ]

    static func make(_ settings: CollectorSettings) throws -> FilesCollector {
        let flags = settings.flags
        var patterns: [FilePattern] = []
        for value in flags[glob] {
            let pattern: FilePattern
            do { pattern = try FilePattern.parse(value) } catch { throw CollectorError(error.description, configuration: true) }
            guard !patterns.contains(where: { $0.name == pattern.name }) else {
                throw CollectorError("--files.glob: the name \"\(pattern.name)\" is given twice", configuration: true)
            }
            patterns.append(pattern)
        }
        let limits = FileGlobWalk.Limits(maxEntries: flags[maxEntries], maxDepth: flags[maxDepth])
        guard limits.maxEntries > 0, limits.maxDepth >= 0 else {
            throw CollectorError("--files.max-entries must be above zero and --files.max-depth not negative", configuration: true)
        }
        var verification: GzipVerification? = nil
        if flags[verifyGzip] {
            guard flags[verifyRate] > 0, flags[verifyTimeout] > 0 else {
                throw CollectorError("--files.verify-rate and --files.verify-timeout must be above zero", configuration: true)
            }
            verification = GzipVerification(bytesPerSecond: flags[verifyRate], timeout: flags[verifyTimeout], logger: settings.logger)
        }
        return FilesCollector(patterns: patterns, limits: limits, verification: verification, logger: settings.logger)
    }
}
