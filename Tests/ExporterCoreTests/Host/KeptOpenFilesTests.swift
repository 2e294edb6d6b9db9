import Foundation
import Glibc
import Testing
@testable import ExporterCore

/// procfs files are read through descriptors kept open; regular files never are, so a fixture
/// or /etc/os-release replaced by rename is read afresh.
@Suite struct KeptOpenFilesTests {
    @Test func procfsFilesAreKeptAndStayCurrent() throws {
        let files = KeptOpenFiles()
        let first = try files.readText("/proc/self/stat")
        #expect(files.openCount == 1)
        // utime/stime move as this thread works, and a kept descriptor must see it: burn some CPU
        // until the file reads differently (bounded).
        var changed = false
        let until = MonotonicTime.now().adding(seconds: 5)
        while !changed && MonotonicTime.now() < until {
            var x = 0
            for i in 0..<2_000_000 { x &+= i &* i }
            #expect(x != 1)
            changed = try files.readText("/proc/self/stat") != first
        }
        #expect(changed, "a kept /proc/self/stat descriptor returned stale content")
        #expect(files.openCount == 1)
        #expect(try files.readBytes("/proc/self/stat").starts(with: Array("\(getpid()) (".utf8)))
        // A file larger than the first read buffer is read whole, twice in a row.
        let mountsA = try files.readBytes("/proc/self/mountinfo")
        let mountsB = try files.readBytes("/proc/self/mountinfo")
        #expect(mountsA == mountsB && !mountsA.isEmpty)
    }

    @Test func regularFilesAreReopenedAndSeeReplacement() throws {
        let dir = NSTemporaryDirectory() + "kept-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "one\n".write(toFile: dir + "/f", atomically: true, encoding: .utf8)
        let files = KeptOpenFiles()
        #expect(try files.readText(dir + "/f") == "one\n")
        #expect(files.openCount == 0)
        try "two\n".write(toFile: dir + "/f", atomically: true, encoding: .utf8)  // rename over it
        #expect(try files.readText(dir + "/f") == "two\n")
        #expect(throws: FileReader.ReadError.self) { try files.readText(dir + "/missing") }
    }

    @Test func capacityBoundsKeptDescriptors() throws {
        let files = KeptOpenFiles(capacity: 2)
        for name in ["stat", "meminfo", "loadavg", "uptime"] { _ = try files.readText("/proc/" + name) }
        #expect(files.openCount == 2)
        #expect(try files.readText("/proc/uptime").contains("."))
    }

    @Test func openDescriptorsAreCounted() throws {
        let before = try #require(FileReader.countOpenDescriptors("/proc/self/fd"))
        var pipes: [Int32] = []
        for _ in 0..<25 {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            pipes += fds
        }
        defer { pipes.forEach { _ = close($0) } }
        let after = try #require(FileReader.countOpenDescriptors("/proc/self/fd"))
        // Other tests open and close descriptors meanwhile: the 50 must show, give or take.
        #expect(after - before >= 40 && after - before <= 60, "\(before) → \(after)")
    }
}
