import Synchronization

/// node_exporter's textfile collector: the `*.prom` files of `--collector.textfile.directory`
/// (repeatable; each a directory or a glob of directories), parsed as strictly as node_exporter
/// parses them. A file that cannot be read or parsed, that has timestamps, or that changed while
/// it was read is reported (`node_textfile_scrape_error 1`, one log line when it starts) and its
/// metrics left out; every other file is served. A file is parsed again only when its size,
/// mtime, ctime or inode changed.
final class TextfileCollector: Collector {
    let directories: [String]
    let maxFileSize: Int
    private let problems: ProblemLog
    private let cache = Mutex<[String: Parsed]>([:])

    /// One file's last read: what stat said, and its families or why it was refused.
    private struct Parsed {
        var identity: FileSystem.Identity
        var outcome: Result<(families: [TextExposition.Family], mtime: Double), TextfileError>
    }

    struct TextfileError: Error, CustomStringConvertible {
        let description: String
    }

    init(directories: [String], maxFileSize: Int, logger: Logger) {
        self.directories = directories
        self.maxFileSize = maxFileSize
        self.problems = ProblemLog(logger: logger, what: "textfile")
    }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        var merged = TextfileFamilies()
        var mtimes = MetricFamily(TextfileMetrics.mtime)
        var errored = false
        var seen: Set<String> = []
        for directory in directories.flatMap(Self.expand) {
            guard let names = FileReader.directoryEntries(directory) else {
                errored = true
                problems.report(directory, "cannot read the textfile directory")
                continue
            }
            problems.report(directory, nil)
            for name in names.sorted() where name.hasSuffix(".prom") {
                let path = directory + "/" + name
                seen.insert(path)
                switch read(path) {
                case .success(let parsed):
                    problems.report(path, nil)
                    merged.add(parsed.families, from: path)
                    mtimes.add([path], parsed.mtime)
                case .failure(let error):
                    errored = true
                    problems.report(path, error.description)
                }
            }
        }
        cache.withLock { $0 = $0.filter { seen.contains($0.key) } }
        for conflict in merged.conflicts {
            context.logger.debug("textfile family dropped: its type or help differs from an earlier file", ["file": conflict.file, "family": conflict.family])
        }
        var families = merged.families
        if !mtimes.samples.isEmpty { families.append(mtimes) }
        families.append(MetricFamily(TextfileMetrics.scrapeError, value: errored ? 1 : 0))
        families.append(MetricFamily(TextfileMetrics.conflicts, value: Double(merged.conflicts.count)))
        return families
    }

    /// A glob of directories, or the path itself when nothing matches (as node_exporter does).
    private static func expand(_ pattern: String) -> [String] {
        let matches = (try? FileSystem.glob(pattern)) ?? []
        return matches.isEmpty ? [pattern] : matches
    }

    /// The file's families, from the cache while it is unchanged.
    private func read(_ path: String) -> Result<(families: [TextExposition.Family], mtime: Double), TextfileError> {
        let identity: FileSystem.Identity
        do { identity = try FileSystem.status(path).identity } catch { return .failure(TextfileError(description: error.description)) }
        if let cached = cache.withLock({ $0[path] }), cached.identity == identity { return cached.outcome }
        let outcome = parse(path)
        cache.withLock { $0[path] = Parsed(identity: identity, outcome: outcome) }
        return outcome
    }

    private func parse(_ path: String) -> Result<(families: [TextExposition.Family], mtime: Double), TextfileError> {
        var snapshot: FileReader.Snapshot
        do {
            snapshot = try FileReader.readSnapshot(path, limit: maxFileSize)
            // Written in place while we read it: once more, then give up for this scrape.
            if !snapshot.heldStill { snapshot = try FileReader.readSnapshot(path, limit: maxFileSize) }
        } catch {
            return .failure(TextfileError(description: error.description))
        }
        guard snapshot.heldStill else { return .failure(TextfileError(description: "\(path): changed while it was read")) }
        do {
            let families = try TextExposition.parse(snapshot.bytes)
            if families.contains(where: \.hasTimestamps) {
                return .failure(TextfileError(description: "\(path): contains unsupported client-side timestamps, skipping entire file"))
            }
            return .success((families, snapshot.modifiedSeconds))
        } catch {
            return .failure(TextfileError(description: "\(path): \(error.description)"))
        }
    }
}

enum TextfileMetrics {
    static let mtime = FamilyDescriptor(
        name: "node_textfile_mtime_seconds", type: .gauge, help: "Unixtime mtime of textfiles successfully read.", labels: ["file"])
    static let scrapeError = FamilyDescriptor(
        name: "node_textfile_scrape_error", type: .gauge, help: "1 if there was an error opening or reading a file, 0 otherwise")
    static let conflicts = FamilyDescriptor(
        name: "stack_exporter_textfile_families_dropped", type: .gauge,
        help: "Families left out because a later file gave them another type or help than an earlier one.")

    static let directory = Flag.list(
        "collector.textfile.directory", help: "Directory (or glob of directories) to read *.prom text files with metrics from; repeatable.",
        group: "Textfile", placeholder: "<dir>")
    static let maxFileSize = Flag.int(
        "collector.textfile.max-file-size", default: 16 << 20, help: "Files larger than this many bytes are reported, not read.",
        group: "Textfile", placeholder: "<bytes>")
}

/// The `textfile` module: on by default as in node_exporter, idle until a directory is given.
public enum TextfileCollectors {
    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "textfile", enabledByDefault: true,
            summary: "metrics from *.prom files in --collector.textfile.directory (node_exporter's textfile collector).",
            flags: [TextfileMetrics.directory.spec, TextfileMetrics.maxFileSize.spec]
        ) { settings in
            let limit = settings.flags[TextfileMetrics.maxFileSize]
            guard limit > 0 else { throw CollectorError("--collector.textfile.max-file-size must be above zero", configuration: true) }
            return TextfileCollector(directories: settings.flags[TextfileMetrics.directory], maxFileSize: limit, logger: settings.logger)
        },
    ]
}
