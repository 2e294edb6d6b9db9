import Synchronization

/// One pattern's directory listings between scrapes. A directory's mtime and ctime change
/// whenever an entry is added, removed or renamed (or its mode changes), so while they are the
/// same the matched names are too: readdir(3) and fnmatch(3) are skipped (on ext4 a large hashed
/// directory costs more to list than to stat). What the names' stats say can change without the
/// directory changing (a backup still being written grows in place), so on each scrape a cached
/// listing re-stats its recent entries (mtime in the last 15 minutes: the files being written),
/// its failed ones, and a rolling eighth of the rest: every file is stat-ed again at least every
/// 8 scrapes, and a steady scrape of 10,000 files costs about 1,250 stats, not 10,000.
final class DirectoryCache: Sendable {
    struct Stamp: Equatable {
        let device: UInt64
        let inode: UInt64
        let modified: Int64
        let changed: Int64

        init(_ info: DirectoryScan.Info) {
            device = info.device
            inode = info.inode
            modified = info.modifiedNanoseconds
            changed = info.changedNanoseconds
        }
    }

    struct Listing {
        let stamp: Stamp
        var entries: [DirectoryScan.Entry]
        let examined: Int
        var cursor = 0
    }

    /// Seconds within which a file counts as possibly still being written.
    static let recentSeconds = 900.0
    static let rounds = 8

    private let listings = Mutex<(current: [String: Listing], used: Set<String>)>(([:], []))

    func listing(_ key: String, stamp: Stamp) -> Listing? {
        listings.withLock { state in
            guard let listing = state.current[key], listing.stamp == stamp else { return nil }
            state.used.insert(key)
            return listing
        }
    }

    func store(_ key: String, _ listing: Listing) {
        listings.withLock { state in
            state.current[key] = listing
            state.used.insert(key)
        }
    }

    /// After a walk: forgets the directories it did not look in.
    func endWalk() {
        listings.withLock { state in
            if state.current.count != state.used.count { state.current = state.current.filter { state.used.contains($0.key) } }
            state.used = []
        }
    }

    /// Re-stats what may have changed since the listing was made (see the type's comment).
    static func refresh(_ listing: inout Listing, in directory: String, now: Double, join: (String, String) -> String) {
        let count = listing.entries.count
        guard count > 0 else { return }
        let slice = max(1, (count + rounds - 1) / rounds)
        let start = listing.cursor % count
        for index in listing.entries.indices {
            let entry = listing.entries[index]
            let inSlice = (index - start + count) % count < slice
            let stale: Bool
            switch entry.info {
            case .success(let info): stale = inSlice || info.modifiedSeconds > now - recentSeconds
            case .failure: stale = true
            }
            guard stale else { continue }
            let path = join(directory, entry.name)
            listing.entries[index] = DirectoryScan.Entry(
                name: entry.name, isSymlink: entry.isSymlink, info: Result { () throws(SystemError) in try DirectoryScan.info(path) })
        }
        listing.cursor = (start + slice) % count
    }
}
