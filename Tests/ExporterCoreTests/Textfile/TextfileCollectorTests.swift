import Foundation
import Testing
@testable import ExporterCore

@Suite struct TextfileCollectorTests {
    private final class Directory {
        let path = NSTemporaryDirectory() + "textfile-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func write(_ name: String, _ text: String) throws { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
    }

    private func scrape(_ directories: [String], maxFileSize: Int = 1 << 20) throws -> [String: Double] {
        let collector = TextfileCollector(directories: directories, maxFileSize: maxFileSize, logger: .disabled)
        return try values(collector.collect(context()))
    }

    private func context() -> CollectContext {
        CollectContext(deadline: MonotonicTime.now().adding(seconds: 5), logger: .disabled, exposition: ExpositionStats())
    }

    private func values(_ families: [MetricFamily]) -> [String: Double] {
        let text = String(decoding: TextFormat.render(Normalizer.normalize(families, stats: ExpositionStats())), as: UTF8.self)
        return parseExposition(text)
    }

    @Test func goodFilesAreServedAndABadOneAloneIsLeftOut() throws {
        let dir = try Directory()
        try dir.write("a.prom", "# HELP backup_age_seconds Age.\nbackup_age_seconds{job=\"pg\"} 60\n")
        try dir.write("b.prom", "broken line here\n")
        try dir.write("c.prom.tmp", "ignored 1\n")  // only *.prom, as node_exporter
        let metrics = try scrape([dir.path])
        #expect(metrics["backup_age_seconds{job=\"pg\"}"] == 60)
        #expect(metrics["node_textfile_scrape_error"] == 1)
        #expect(metrics["node_textfile_mtime_seconds{file=\"\(dir.path)/a.prom\"}"] != nil)
        #expect(metrics["node_textfile_mtime_seconds{file=\"\(dir.path)/b.prom\"}"] == nil, "no mtime for a refused file")
        #expect(metrics["ignored"] == nil)
    }

    @Test func missingLabelsAreFilledAndHelpDefaults() throws {
        let dir = try Directory()
        try dir.write("m.prom", "mixed{a=\"1\"} 1\nmixed{b=\"2\"} 2\n")
        let collector = TextfileCollector(directories: [dir.path], maxFileSize: 1 << 20, logger: .disabled)
        let families = try collector.collect(context())
        let mixed = try #require(families.first { $0.name == "mixed" })
        #expect(mixed.descriptor.help == "Metric read from \(dir.path)/m.prom")
        #expect(mixed.samples.map { $0.labels.sorted { $0.name < $1.name } } == [
            [Label("a", "1"), Label("b", "")], [Label("a", ""), Label("b", "2")],
        ])
    }

    /// A later file giving a family another type loses that family (node_exporter's gatherer
    /// refuses the inconsistent metric); its other families and the scrape stay.
    @Test func typeConflictsBetweenFilesDropTheLaterFamily() throws {
        let dir = try Directory()
        try dir.write("1.prom", "# TYPE jobs counter\njobs 1\n")
        try dir.write("2.prom", "# TYPE jobs gauge\njobs 2\nother 3\n")
        let metrics = try scrape([dir.path])
        #expect(metrics["jobs"] == 1 && metrics["other"] == 3)
        #expect(metrics["stack_exporter_textfile_families_dropped"] == 1)
        #expect(metrics["node_textfile_scrape_error"] == 0)
    }

    @Test func fifoHugeFileAndUnreadableDirectoryAreReportedNotHung() throws {
        let dir = try Directory()
        try dir.write("ok.prom", "fine 1\n")
        #expect(mkfifo(dir.path + "/pipe.prom", 0o644) == 0)
        try dir.write("huge.prom", String(repeating: "x 1\n", count: 2000))
        let started = MonotonicTime.now()
        let metrics = try scrape([dir.path, dir.path + "/missing"], maxFileSize: 4096)
        #expect(started.secondsElapsed() < 2)
        #expect(metrics["fine"] == 1)
        #expect(metrics["x"] == nil)
        #expect(metrics["node_textfile_scrape_error"] == 1)
    }

    @Test func timestampsRefuseTheWholeFile() throws {
        let dir = try Directory()
        try dir.write("t.prom", "a 1\nb 2 1700000000000\n")
        let metrics = try scrape([dir.path])
        #expect(metrics["a"] == nil && metrics["node_textfile_scrape_error"] == 1)
    }

    /// Globs of directories, as node_exporter's flag takes them.
    @Test func directoryGlobs() throws {
        let dir = try Directory()
        try FileManager.default.createDirectory(atPath: dir.path + "/one", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/two", withIntermediateDirectories: true)
        try "first 1\n".write(toFile: dir.path + "/one/a.prom", atomically: true, encoding: .utf8)
        try "second 2\n".write(toFile: dir.path + "/two/b.prom", atomically: true, encoding: .utf8)
        let metrics = try scrape([dir.path + "/*"])
        #expect(metrics["first"] == 1 && metrics["second"] == 2 && metrics["node_textfile_scrape_error"] == 0)
    }

    /// A file replaced by rename is read anew; an unchanged one is served from the cache.
    @Test func renamedOverFilesAreReadAgain() throws {
        let dir = try Directory()
        let collector = TextfileCollector(directories: [dir.path], maxFileSize: 1 << 20, logger: .disabled)
        try dir.write("v.prom", "version 1\n")
        #expect(values(try collector.collect(context()))["version"] == 1)
        try dir.write("v.prom", "version 2\n")  // atomically: a temp file renamed over it
        #expect(values(try collector.collect(context()))["version"] == 2)
        #expect(values(try collector.collect(context()))["version"] == 2)
    }
}
