/// What can go wrong with a path a pattern reaches; each is the `reason` of
/// `stack_exporter_files_error`, counted per walk.
enum FileProblem: String, CaseIterable, Sendable {
    case permissionDenied = "permission_denied"
    case unreadable
    case notRegular = "not_regular"
    case symlinkLoop = "symlink_loop"
    case danglingSymlink = "dangling_symlink"
    case tooManyEntries = "too_many_entries"
    case tooDeep = "too_deep"
    case timeout
}

/// A regular file a pattern matched.
struct MatchedFile: Sendable, Equatable {
    let path: String
    let size: Int64
    let modifiedNanoseconds: Int64
    let device: UInt64
    let inode: UInt64

    var modifiedSeconds: Double { Double(modifiedNanoseconds) / 1e9 }
}

/// One walk of a pattern: the regular files it matched (each file once, however many symlinks
/// lead to it) and the problems met on the way.
struct WalkResult: Sendable {
    var files: [MatchedFile] = []
    var problems: [FileProblem: Int] = [:]
    /// The first path of each problem, with the system's words, for the log.
    var examples: [FileProblem: String] = [:]
    /// Each path once: a directory below `**` is opened for both the recursion and the rest.
    private var noted: Set<String> = []

    mutating func note(_ problem: FileProblem, _ detail: String) {
        guard noted.insert(detail).inserted else { return }
        problems[problem, default: 0] += 1
        if examples[problem] == nil { examples[problem] = detail }
    }
}

/// Expands a `FilePattern` by walking the directories itself (glob(3) has no `**`, and follows
/// symlink loops until ELOOP on each path). Bounded three ways: `maxEntries` directory entries
/// looked at, `maxDepth` directories below a `**`, and the deadline. Symlinks to directories are
/// followed, but a directory already an ancestor of itself (a loop) is reported, not entered,
/// and no directory is walked twice for the same part of the pattern.
struct FileGlobWalk {
    struct Limits: Sendable {
        var maxEntries: Int
        var maxDepth: Int
    }

    /// A directory to look in, for `components[index...]`.
    private struct Frame {
        let directory: String
        let index: Int
        let depth: Int
        let ancestors: [DirectoryKey]
    }

    private struct DirectoryKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    let pattern: FilePattern
    let limits: Limits
    let deadline: MonotonicTime
    /// Listings kept from the previous walk of this pattern; nil: every directory is listed.
    let cache: DirectoryCache?
    private let now = WallClock.now()

    private var result = WalkResult()
    private var budget: Int
    private var pending: [Frame] = []
    private var visited: Set<[UInt64]> = []
    private var seenFiles: Set<DirectoryKey> = []

    init(pattern: FilePattern, limits: Limits, deadline: MonotonicTime, cache: DirectoryCache? = nil) {
        self.pattern = pattern
        self.limits = limits
        self.deadline = deadline
        self.cache = cache
        budget = limits.maxEntries
    }

    static func run(_ pattern: FilePattern, limits: Limits, deadline: MonotonicTime, cache: DirectoryCache? = nil) -> WalkResult {
        var walk = FileGlobWalk(pattern: pattern, limits: limits, deadline: deadline, cache: cache)
        defer { cache?.endWalk() }
        return walk.run()
    }

    mutating func run() -> WalkResult {
        pending = [Frame(directory: pattern.root, index: 0, depth: 0, ancestors: [])]
        while let frame = pending.popLast() {
            guard MonotonicTime.now() < deadline else {
                result.note(.timeout, "\(pattern.text): walk stopped at the deadline")
                break
            }
            guard budget > 0 else { break }
            visit(frame)
        }
        return result
    }

    private mutating func visit(_ frame: Frame) {
        let last = frame.index == pattern.components.count - 1
        switch pattern.components[frame.index] {
        case .literal(let name):
            let path = Self.join(frame.directory, name)
            if last {
                record(path, info: Result { () throws(SystemError) in try DirectoryScan.info(path) }, isSymlink: nil)
            } else {
                pending.append(Frame(directory: path, index: frame.index + 1, depth: frame.depth, ancestors: frame.ancestors))
            }
        case .glob(let glob):
            for entry in scan(frame.directory, glob, onlyDirectories: !last) {
                let path = Self.join(frame.directory, entry.name)
                if last {
                    record(path, info: entry.info, isSymlink: entry.isSymlink)
                } else {
                    descend(path, entry, from: frame, index: frame.index + 1, depth: frame.depth)
                }
            }
        case .recursive:
            // Zero directories: the rest of the pattern right here (a trailing `**`: every file).
            if !last { pending.append(Frame(directory: frame.directory, index: frame.index + 1, depth: frame.depth, ancestors: frame.ancestors)) }
            for entry in scan(frame.directory, "*", onlyDirectories: !last) {
                let path = Self.join(frame.directory, entry.name)
                if case .success(let info) = entry.info, info.kind == .directory {
                    descend(path, entry, from: frame, index: frame.index, depth: frame.depth + 1)
                } else if last {
                    record(path, info: entry.info, isSymlink: entry.isSymlink)
                }
            }
        }
    }

    /// Queues a matched directory, unless it is a loop, was walked already, or is too deep.
    private mutating func descend(_ path: String, _ entry: DirectoryScan.Entry, from frame: Frame, index: Int, depth: Int) {
        guard case .success(let info) = entry.info else {
            if case .failure(let error) = entry.info, error.isSymlinkLoop { result.note(.symlinkLoop, error.description) }
            return
        }
        guard info.kind == .directory else { return }
        let key = DirectoryKey(device: info.device, inode: info.inode)
        if frame.ancestors.contains(key) {
            result.note(.symlinkLoop, "\(path): a symlink back to a directory above it")
            return
        }
        guard visited.insert([info.device, info.inode, UInt64(index)]).inserted else { return }
        guard depth <= limits.maxDepth else {
            result.note(.tooDeep, "\(path): more than \(limits.maxDepth) directories below `**`")
            return
        }
        pending.append(Frame(directory: path, index: index, depth: depth, ancestors: frame.ancestors + [key]))
    }

    private mutating func scan(_ directory: String, _ glob: String, onlyDirectories: Bool) -> [DirectoryScan.Entry] {
        let key = directory + "\u{0}" + glob + (onlyDirectories ? "\u{0}d" : "\u{0}f")
        let stamp = cache == nil ? nil : (try? DirectoryScan.info(directory)).map(DirectoryCache.Stamp.init)
        if let cache, let stamp, var listing = cache.listing(key, stamp: stamp), listing.examined <= budget {
            budget -= listing.examined
            DirectoryCache.refresh(&listing, in: directory, now: now, join: Self.join)
            cache.store(key, listing)
            return listing.entries
        }
        do {
            let scanned = try DirectoryScan.entries(directory, matching: glob, onlyDirectories: onlyDirectories, limit: budget)
            budget -= scanned.examined
            if let cache, let stamp, scanned.complete {
                cache.store(key, DirectoryCache.Listing(stamp: stamp, entries: scanned.entries, examined: scanned.examined))
            }
            if !scanned.complete {
                budget = 0
                result.note(.tooManyEntries, "\(directory): more than \(limits.maxEntries) directory entries for one pattern")
            }
            return scanned.entries
        } catch {
            note(error, isSymlink: false)
            return []
        }
    }

    /// A path matched by the last component: a regular file is counted, anything else reported.
    private mutating func record(_ path: String, info: Result<DirectoryScan.Info, SystemError>, isSymlink: Bool?) {
        switch info {
        case .success(let info) where info.kind == .regular:
            guard seenFiles.insert(DirectoryKey(device: info.device, inode: info.inode)).inserted else { return }
            result.files.append(MatchedFile(
                path: path, size: info.size, modifiedNanoseconds: info.modifiedNanoseconds, device: info.device, inode: info.inode))
        case .success(let info) where info.kind == .directory:
            break  // a directory is not a file; `dir/**` counts what is in it
        case .success(let info):
            result.note(.notRegular, "\(path): not a regular file (\(info.kind))")
        case .failure(let error):
            note(error, isSymlink: isSymlink ?? DirectoryScan.isSymlink(path))
        }
    }

    /// ENOENT is no problem (gone between readdir and stat, a rotation), except through a
    /// symlink: a dangling link is reported.
    private mutating func note(_ error: SystemError, isSymlink: Bool) {
        if error.isNotFound && isSymlink {
            result.note(.danglingSymlink, error.description)
        } else if error.isNotFound || error.isNotDirectory {
            return
        } else if error.isPermissionDenied {
            result.note(.permissionDenied, error.description)
        } else if error.isSymlinkLoop {
            result.note(.symlinkLoop, error.description)
        } else {
            result.note(.unreadable, error.description)
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory == "." ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
