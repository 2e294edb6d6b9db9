import Foundation
import Testing
@testable import ExporterCore

@Suite struct FileGlobWalkTests {
    static let limits = FileGlobWalk.Limits(maxEntries: 10_000, maxDepth: 8)

    static func walk(_ pattern: String, limits: FileGlobWalk.Limits = limits) throws -> WalkResult {
        FileGlobWalk.run(try FilePattern.parse(pattern), limits: limits, deadline: MonotonicTime.now().adding(seconds: 10))
    }

    static func names(_ result: WalkResult, in tree: FileTree) -> [String] {
        result.files.map { String($0.path.dropFirst(tree.path.count + 1)) }.sorted()
    }

    @Test func globMatchesPerComponentAndSkipsHiddenFiles() throws {
        let tree = try FileTree()
        try tree.write("b/postgres_backup_1.sql.gz")
        try tree.write("b/postgres_backup_2.sql.gz")
        try tree.write("b/.postgres_backup_3.sql.gz")  // in progress, hidden: the shell skips it too
        try tree.write("b/other.txt")
        try tree.write("b/sub/postgres_backup_4.sql.gz")  // `*` does not cross `/`
        let result = try Self.walk(tree.path + "/b/postgres_backup_*.sql.gz")
        #expect(Self.names(result, in: tree) == ["b/postgres_backup_1.sql.gz", "b/postgres_backup_2.sql.gz"])
        #expect(result.problems.isEmpty)
    }

    @Test func doubleStarMatchesAtAnyDepthIncludingNone() throws {
        let tree = try FileTree()
        try tree.write("a.gz")
        try tree.write("x/b.gz")
        try tree.write("x/y/z/c.gz")
        try tree.write("x/y/z/c.txt")
        try tree.write(".hidden/d.gz")
        #expect(Self.names(try Self.walk(tree.path + "/**/*.gz"), in: tree) == ["a.gz", "x/b.gz", "x/y/z/c.gz"])
        #expect(Self.names(try Self.walk(tree.path + "/x/**"), in: tree) == ["x/b.gz", "x/y/z/c.gz", "x/y/z/c.txt"])
        #expect(Self.names(try Self.walk(tree.path + "/*/*/z/*.gz"), in: tree) == ["x/y/z/c.gz"])
    }

    @Test func nothingMatchingIsEmptyNotAnError() throws {
        let tree = try FileTree()
        #expect(try Self.walk(tree.path + "/missing/**/*.gz").files.isEmpty)
        #expect(try Self.walk(tree.path + "/none-*.gz").problems.isEmpty)
    }

    @Test func fifoDanglingLinkAndSelfLoopAreReportedNotCounted() throws {
        let tree = try FileTree()
        try tree.write("ok.gz")
        try tree.fifo("pipe.gz")
        try tree.link("dangling.gz", to: "nowhere.gz")
        try tree.link("loop.gz", to: "loop.gz")
        try tree.link("null.gz", to: "/dev/null")
        let result = try Self.walk(tree.path + "/*.gz")
        #expect(Self.names(result, in: tree) == ["ok.gz"])
        #expect(result.problems == [.notRegular: 2, .danglingSymlink: 1, .symlinkLoop: 1])
    }

    @Test func directorySymlinkLoopIsReportedAndNotEntered() throws {
        let tree = try FileTree()
        try tree.write("d/e/a.gz")
        try tree.link("d/e/up", to: "..")
        try tree.link("d/again", to: "e")  // the same directory twice: walked once, counted once
        let result = try Self.walk(tree.path + "/**/*.gz")
        #expect(Self.names(result, in: tree).count == 1)
        #expect(result.problems[.symlinkLoop] == 1)
    }

    @Test func aFileReachedThroughASymlinkCountsOnce() throws {
        let tree = try FileTree()
        try tree.write("backup_1.gz")
        try tree.link("backup_latest.gz", to: "backup_1.gz")
        #expect(try Self.walk(tree.path + "/backup_*.gz").files.count == 1)
    }

    @Test func entryAndDepthBoundsStopTheWalkAndSaySo() throws {
        let tree = try FileTree()
        for i in 0..<50 { try tree.write("many/f\(i).gz") }
        try tree.write("1/2/3/4/deep.gz")
        let bounded = try Self.walk(tree.path + "/many/*.gz", limits: .init(maxEntries: 20, maxDepth: 8))
        #expect(bounded.files.count == 20 && bounded.problems[.tooManyEntries] == 1)
        let shallow = try Self.walk(tree.path + "/**/deep.gz", limits: .init(maxEntries: 1000, maxDepth: 2))
        #expect(shallow.files.isEmpty && shallow.problems[.tooDeep] == 1)
    }

    @Test func aPastDeadlineStopsTheWalk() throws {
        let tree = try FileTree()
        try tree.write("a.gz")
        let result = FileGlobWalk.run(try FilePattern.parse(tree.path + "/*.gz"), limits: Self.limits, deadline: MonotonicTime(nanoseconds: 0))
        #expect(result.files.isEmpty && result.problems[.timeout] == 1)
    }
}
