import Foundation
import Testing
import TestSupport

/// The files collector in the real binary over real files: backups written by gzip(1), rotated
/// (a new one appears, the old one is removed) and cut with truncate(1); a FIFO where a backup
/// belongs; a directory the exporter may not read (root ignores modes, so that exporter runs as
/// `nobody` through runuser(1)); bad patterns at start-up.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FilesIntegrationTests {
    final class Backups {
        let path = NSTemporaryDirectory() + "files-it-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// A backup as the runbook's cron writes it: `seq | gzip > postgres_backup_<n>.sql.gz`.
        @discardableResult
        func dump(_ n: Int, lines: Int = 200_000) throws -> String {
            let file = "\(path)/postgres_backup_\(n).sql.gz"
            let result = try run("/bin/sh", ["-c", "seq 1 \(lines) | \(try tool("gzip")) -c > \"$1\"", "sh", file])
            guard result.status == 0 else { throw TestFailure("gzip: \(result.stderr)") }
            return file
        }

        func size(_ file: String) throws -> Double {
            Double(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? -1)
        }
    }

    static func body(_ exporter: ExporterProcess) throws -> String {
        let response = try exporter.get("/metrics")
        guard response.status == 200 else { throw TestFailure("status \(response.status)") }
        return String(decoding: response.body, as: UTF8.self)
    }

    static func value(_ exporter: ExporterProcess, _ name: String, _ labels: [String: String] = ["name": "pg"]) throws -> Double? {
        sampleValue(try body(exporter), name, labels)
    }

    @Test func rotatedAndTruncatedBackupsAreSeenAndVerified() throws {
        let backups = try Backups()
        let first = try backups.dump(1)
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.files", "--files.verify-gzip",
            "--files.glob=pg=\(backups.path)/postgres_backup_*.sql.gz",
        ])
        #expect(try Wait.until(timeout: 20) { try Self.value(exporter, "stack_exporter_files_newest_valid", ["name": "pg", "reason": ""]) == 1 })
        #expect(try Self.value(exporter, "stack_exporter_files_count") == 1)
        #expect(try Self.value(exporter, "stack_exporter_files_newest_size_bytes") == backups.size(first))

        // Rotation: tomorrow's backup appears (a different size), yesterday's is removed.
        let second = try backups.dump(2, lines: 300_000)
        try FileManager.default.removeItem(atPath: first)
        #expect(try Wait.until(timeout: 20) {
            try Self.value(exporter, "stack_exporter_files_newest_size_bytes") == backups.size(second)
                && Self.value(exporter, "stack_exporter_files_newest_valid", ["name": "pg", "reason": ""]) == 1
        })
        #expect(try Self.value(exporter, "stack_exporter_files_count") == 1)
        let age = Date().timeIntervalSince1970 - (try Self.value(exporter, "stack_exporter_files_newest_mtime_seconds") ?? 0)
        #expect(age >= 0 && age < 60, "newest mtime is the new backup's, \(age) s ago")

        // A backup cut short (disk full, killed pg_dump): truncated, not valid.
        let half = Int(try backups.size(second) / 2)
        #expect(try run(try tool("truncate"), ["-s", "\(half)", second]).status == 0)
        let cut = try Wait.until(timeout: 20) { try Self.value(exporter, "stack_exporter_files_newest_valid", ["name": "pg", "reason": "truncated"]) == 0 }
        #expect(cut, "\((try? Self.body(exporter))?.split(separator: "\n").filter { $0.contains("valid") } ?? [])")
        #expect(exporter.log.contains("truncated"), "one log line says why")
    }

    @Test func aFifoMatchingThePatternIsReportedAndNeverBlocks() throws {
        let backups = try Backups()
        try backups.dump(1, lines: 1000)
        guard mkfifo(backups.path + "/postgres_backup_2.sql.gz", 0o600) == 0 else { throw TestFailure("mkfifo: errno \(errno)") }
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.files", "--files.verify-gzip",
            "--files.glob=pg=\(backups.path)/postgres_backup_*.sql.gz",
        ])
        for _ in 0..<3 {
            let started = Date()
            let text = try Self.body(exporter)
            #expect(Date().timeIntervalSince(started) < 2)
            #expect(sampleValue(text, "stack_exporter_files_error", ["name": "pg", "reason": "not_regular"]) == 1)
            #expect(sampleValue(text, "stack_exporter_files_count", ["name": "pg"]) == 1)
            #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "files"]) == 1)
        }
    }

    /// As `nobody`, a root-only directory is permission_denied, and what can be read still counts.
    @Test func anUnreadableDirectoryIsPermissionDenied() throws {
        let backups = try Backups()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: backups.path)
        try backups.dump(1, lines: 100)
        let locked = backups.path + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data("x".utf8).write(to: URL(fileURLWithPath: locked + "/postgres_backup_9.sql.gz"))
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.files",
            "--files.glob=pg=\(backups.path)/**/postgres_backup_*.sql.gz", "--files.glob=locked=\(locked)/*.gz",
        ], wrapper: [try tool("runuser"), "-u", "nobody", "--"])
        let text = try Self.body(exporter)
        #expect(sampleValue(text, "stack_exporter_files_error", ["name": "pg", "reason": "permission_denied"]) == 1, "\(text)")
        #expect(sampleValue(text, "stack_exporter_files_count", ["name": "pg"]) == 1)
        #expect(sampleValue(text, "stack_exporter_files_error", ["name": "locked", "reason": "permission_denied"]) == 1)
        #expect(sampleValue(text, "stack_exporter_files_count", ["name": "locked"]) == 0)
        #expect(exporter.log.contains("Permission denied"))
    }

    @Test(arguments: [["--files.glob=/srv/[backups/*.gz"], ["--files.glob=/srv/b**/x"], ["--files.glob=a=/x", "--files.glob=a=/y"], ["--files.no-such"]])
    func badPatternsOrOptionsExitWithStatusTwo(_ arguments: [String]) throws {
        let result = try run(try Package.binary(), arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("files."), "\(result.stderr)")
    }
}
