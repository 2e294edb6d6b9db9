import Foundation
import Testing
@testable import ExporterCore

@Suite struct FilesCollectorTests {
    static func context() -> CollectContext {
        CollectContext(deadline: MonotonicTime.now().adding(seconds: 5), logger: .disabled, exposition: ExpositionStats())
    }

    static func values(_ collector: FilesCollector) throws -> [String: Double] {
        let families = try collector.collect(context())
        return parseExposition(String(decoding: TextFormat.render(Normalizer.normalize(families, stats: ExpositionStats())), as: UTF8.self))
    }

    static func collector(_ globs: [String], verify: GzipVerification? = nil) throws -> FilesCollector {
        FilesCollector(patterns: try globs.map(FilePattern.parse), limits: .init(maxEntries: 10_000, maxDepth: 8), verification: verify, logger: .disabled)
    }

    @Test func newestOldestCountAndBytesPerPattern() throws {
        let tree = try FileTree()
        try tree.write("b/postgres_backup_1.sql.gz", [UInt8](repeating: 1, count: 100), modified: 1_700_000_000)
        try tree.write("b/postgres_backup_2.sql.gz", [UInt8](repeating: 1, count: 250), modified: 1_700_086_400)
        try tree.write("b/postgres_backup_0.sql.gz", [UInt8](repeating: 1, count: 50), modified: 1_699_913_600)
        let pattern = tree.path + "/b/postgres_backup_*.sql.gz"
        let metrics = try Self.values(try Self.collector(["pg=" + pattern, "none=" + tree.path + "/nothing/*.gz"]))
        let pg = "{name=\"pg\",pattern=\"\(pattern)\"}"
        #expect(metrics["stack_exporter_files_count" + pg] == 3)
        #expect(metrics["stack_exporter_files_newest_mtime_seconds" + pg] == 1_700_086_400)
        #expect(metrics["stack_exporter_files_newest_size_bytes" + pg] == 250)
        #expect(metrics["stack_exporter_files_oldest_mtime_seconds" + pg] == 1_699_913_600)
        #expect(metrics["stack_exporter_files_bytes" + pg] == 400)
        let none = "{name=\"none\",pattern=\"\(tree.path)/nothing/*.gz\"}"
        #expect(metrics["stack_exporter_files_count" + none] == 0, "a pattern matching nothing is reported, not absent")
        #expect(metrics["stack_exporter_files_newest_mtime_seconds" + none] == 0)
        #expect(metrics["stack_exporter_files_error{name=\"none\",pattern=\"\(tree.path)/nothing/*.gz\",reason=\"permission_denied\"}"] == 0)
        #expect(metrics.keys.filter { $0.hasPrefix("stack_exporter_files_newest_valid") }.isEmpty, "no verdict without --files.verify-gzip")
    }

    @Test func newestGzipIsVerifiedInTheBackgroundAndReportedPendingUntilThen() throws {
        let tree = try FileTree()
        try tree.write("a.sql.gz", try Gzip.compress(GzipVerifierTests.text), modified: 1_700_000_000)
        let verification = GzipVerification(bytesPerSecond: 1 << 30, timeout: 60, logger: .disabled)
        let collector = try Self.collector(["pg=" + tree.path + "/*.sql.gz"], verify: verification)
        let key = "stack_exporter_files_newest_valid{name=\"pg\",pattern=\"\(tree.path)/*.sql.gz\",reason="
        let first = try Self.values(collector)
        #expect(first[key + "\"pending\"}"] == -1 || first[key + "\"\"}"] == 1)
        #expect(try waitUntil { try Self.values(collector)[key + "\"\"}"] == 1 })
        // A newer, truncated backup: its own verdict, the old one forgotten.
        let whole = try Gzip.compress(GzipVerifierTests.text)
        try tree.write("b.sql.gz", Array(whole[..<(whole.count / 2)]), modified: 1_700_086_400)
        #expect(try waitUntil { try Self.values(collector)[key + "\"truncated\"}"] == 0 })
        #expect(try Self.values(collector)[key + "\"\"}"] == nil)
    }

    @Test func verificationReadsPacedAndReportsUnreadableFiles() throws {
        let tree = try FileTree()
        let path = try tree.write("a.gz", try Gzip.compress(GzipVerifierTests.text))
        let file = try #require(FileGlobWalkTests.walk(path).files.first)
        let started = MonotonicTime.now()
        // ~70 KB at 200 KB/s: about a third of a second, never much less.
        let verdict = GzipVerification.verify(file, bytesPerSecond: 200_000, timeout: 30, superseded: { false })
        #expect(verdict == .valid)
        #expect(started.secondsElapsed() >= Double(file.size) / 200_000 - 0.05)
        try FileManager.default.removeItem(atPath: path)
        #expect(GzipVerification.verify(file, bytesPerSecond: 1 << 30, timeout: 30, superseded: { false })?.reason == "unreadable")
        try tree.fifo("a.gz")
        #expect(GzipVerification.verify(file, bytesPerSecond: 1 << 30, timeout: 30, superseded: { false })?.reason == "not_regular")
    }

    @Test(arguments: [["--files.glob=/a/[x"], ["--files.glob=a=/x/*", "--files.glob=a=/y/*"], ["--files.glob=/x", "--files.max-entries=0"]])
    func badConfigurationIsAStartUpError(_ arguments: [String]) throws {
        let specs = FilesCollectors.modules[0].flags
        guard case .run(let flags) = try CommandLineParser.parse(arguments, specs: specs) else { throw CommandLineError("not a run") }
        let settings = CollectorSettings(flags: flags, environment: [:], logger: .disabled)
        #expect { try FilesCollectors.modules[0].make(settings) } throws: { ($0 as? CollectorError)?.isConfiguration == true }
    }
}
