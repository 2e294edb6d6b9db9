import Foundation
import Testing
@testable import ExporterCore

/// Listings kept between walks: what changes in a directory is seen at once, what changes inside
/// an old file within `DirectoryCache.rounds` walks.
@Suite struct DirectoryCacheTests {
    static func walk(_ pattern: FilePattern, _ cache: DirectoryCache) -> [String: Int64] {
        let result = FileGlobWalk.run(pattern, limits: .init(maxEntries: 10_000, maxDepth: 8), deadline: MonotonicTime.now().adding(seconds: 10), cache: cache)
        return Dictionary(uniqueKeysWithValues: result.files.map { (($0.path as NSString).lastPathComponent, $0.size) })
    }

    @Test func newRemovedAndGrowingFilesAreSeenAtOnce() throws {
        let tree = try FileTree()
        let old = Date().timeIntervalSince1970 - 2 * 86_400
        try tree.write("b/1.gz", [1], modified: old)
        let pattern = try FilePattern.parse(tree.path + "/b/*.gz")
        let cache = DirectoryCache()
        #expect(Self.walk(pattern, cache) == ["1.gz": 1])
        let growing = try tree.write("b/2.gz", [1])  // a new entry: the directory changed
        #expect(Self.walk(pattern, cache) == ["1.gz": 1, "2.gz": 1])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: growing))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([2, 3]))  // grows in place: the directory did not change
        try handle.close()
        #expect(Self.walk(pattern, cache) == ["1.gz": 1, "2.gz": 3], "a recent file is stat-ed on every walk")
        try FileManager.default.removeItem(atPath: growing)
        #expect(Self.walk(pattern, cache) == ["1.gz": 1])
    }

    @Test func anOldFileChangedInPlaceIsSeenWithinTheRounds() throws {
        let tree = try FileTree()
        let old = Date().timeIntervalSince1970 - 2 * 86_400
        for i in 0..<20 { try tree.write("b/\(i).gz", [1], modified: old) }
        let pattern = try FilePattern.parse(tree.path + "/b/*.gz")
        let cache = DirectoryCache()
        _ = Self.walk(pattern, cache)
        let path = tree.path + "/b/7.gz"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([2]))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: old)], ofItemAtPath: path)
        let sizes = (0..<DirectoryCache.rounds).map { _ in Self.walk(pattern, cache)["7.gz"] }
        #expect(sizes.last == 2, "\(sizes)")
        #expect(sizes.contains(1), "the listing was reused: not every file is stat-ed on every walk \(sizes)")
    }
}
