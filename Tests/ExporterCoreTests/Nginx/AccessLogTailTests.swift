import Foundation
import Testing
@testable import ExporterCore

/// The tail on real temporary files: growth, partial lines, rotation by rename (the old file
/// still written until the writer reopens, as nginx does until USR1) and by copytruncate.
@Suite struct AccessLogTailTests {
    final class LogDir {
        let path = NSTemporaryDirectory() + "access-log-\(UUID().uuidString)"
        var log: String { path + "/access.log" }
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// A writer that keeps its descriptor, as nginx does: it goes on writing to a renamed file.
        func writer(_ file: String? = nil) throws -> FileHandle {
            let file = file ?? log
            if !FileManager.default.fileExists(atPath: file) { try Data().write(to: URL(fileURLWithPath: file)) }
            guard let handle = FileHandle(forWritingAtPath: file) else { throw CocoaError(.fileWriteUnknown) }
            handle.seekToEndOfFile()
            return handle
        }
    }

    static func line(_ status: Int, _ seconds: String = "0.010") -> String {
        #"127.0.0.1 [02/Dec/2026:13:25:51 +0000] "GET / HTTP/1.1" \#(status) 6 \#(seconds) "curl""# + "\n"
    }
    static let format = try? AccessLogFormat(#"$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time "$http_user_agent""#)

    func tail(_ dir: LogDir, fromStart: Bool = false) throws -> AccessLogTail {
        guard let format = Self.format else { throw CocoaError(.featureUnsupported) }
        return AccessLogTail(path: dir.log, name: "web", format: format, fromStart: fromStart)
    }

    func advance(_ tail: AccessLogTail) -> AccessLogReport { tail.advance(until: MonotonicTime.now().adding(seconds: 5)) }

    @Test func startsAtTheEndAndCountsWhatIsAppended() throws {
        let dir = try LogDir(), writer = try dir.writer()
        writer.write(Data((Self.line(200) + Self.line(500)).utf8))
        let tail = try tail(dir)
        #expect(advance(tail).counts.classes == [0, 0, 0, 0, 0])
        writer.write(Data((Self.line(200) + Self.line(404) + Self.line(503, "0.200") + Self.line(101, "11.5")).utf8))
        let report = advance(tail)
        #expect(report.counts.classes == [1, 1, 0, 1, 1])
        #expect(report.counts.durationCount == 4 && abs(report.counts.durationSum - 11.72) < 1e-9)
        // 0.010 ≤ 0.01 twice, 0.200 in le=0.2, 11.5 above every bound.
        #expect(report.counts.buckets == [0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0])
        #expect(report.problem == nil && report.unreadBytes == 0)
        #expect(try self.tail(dir, fromStart: true).advance(until: .now().adding(seconds: 5)).counts.classes == [1, 2, 0, 1, 2])
    }

    @Test func aPartialLastLineIsCountedOnceWhenComplete() throws {
        let dir = try LogDir(), writer = try dir.writer()
        let tail = try tail(dir)
        let whole = Array(Self.line(500).utf8)
        writer.write(Data(whole[..<20]))
        #expect(advance(tail).counts.classes[4] == 0)
        writer.write(Data(whole[20..<(whole.count - 1)]))
        #expect(advance(tail).counts.classes[4] == 0)
        writer.write(Data(whole[(whole.count - 1)...] + Array(Self.line(200).utf8)))
        let report = advance(tail)
        #expect(report.counts.classes == [0, 1, 0, 0, 1] && report.counts.unparsed == 0)
        #expect(advance(tail).counts.classes == [0, 1, 0, 0, 1])
    }

    @Test func garbageAndOverlongLinesAreCountedNotKept() throws {
        let dir = try LogDir(), writer = try dir.writer()
        let tail = try tail(dir)
        let long = String(repeating: "x", count: AccessLogTail.maxLine + 1)
        writer.write(Data(("garbage\n" + long + "\n" + Self.line(200)).utf8))
        // An overlong line whose end arrives in a later read is dropped whole, counted once.
        writer.write(Data(String(repeating: "y", count: AccessLogTail.maxLine * 3).utf8))
        #expect(advance(tail).counts.overlong == 2)
        writer.write(Data(("yyy\n" + Self.line(404)).utf8))
        let report = advance(tail)
        #expect(report.counts.classes == [0, 1, 0, 1, 0])
        #expect(report.counts.unparsed == 1 && report.counts.overlong == 2)
    }

    @Test func renameFinishesTheOldFileAndReadsTheNewFromItsStart() throws {
        let dir = try LogDir(), old = try dir.writer()
        let tail = try tail(dir)
        old.write(Data(Self.line(200).utf8))
        #expect(advance(tail).counts.classes[1] == 1)
        guard rename(dir.log, dir.log + ".1") == 0 else { Issue.record("rename"); return }
        // Before the writer reopens it still writes to the renamed file, and a line is half done.
        let whole = Array(Self.line(500).utf8)
        old.write(Data(Self.line(201).utf8 + whole[..<10]))
        let new = try dir.writer()
        new.write(Data(Self.line(404).utf8))
        var report = advance(tail)
        #expect(report.counts.classes == [0, 2, 0, 1, 0] && report.counts.rotations == 1)
        old.write(Data(whole[10...]))
        new.write(Data(Self.line(302).utf8))
        report = advance(tail)
        #expect(report.counts.classes == [0, 2, 1, 1, 1])
        // Two quiet scrapes later the old file is closed; nothing is counted twice.
        _ = advance(tail)
        report = advance(tail)
        #expect(report.counts.classes == [0, 2, 1, 1, 1] && report.counts.rotations == 1)
    }

    @Test func copytruncateRestartsAtTheStart() throws {
        let dir = try LogDir(), writer = try dir.writer()
        let tail = try tail(dir)
        writer.write(Data((Self.line(200) + Self.line(200) + Self.line(200)).utf8))
        #expect(advance(tail).counts.classes[1] == 3)
        writer.truncateFile(atOffset: 0)
        writer.write(Data(Self.line(500).utf8))
        let report = advance(tail)
        #expect(report.counts.classes == [0, 3, 0, 0, 1] && report.counts.rotations == 1)
    }

    @Test func aFIFOOrDirectoryAtThePathIsReportedWithoutBlocking() throws {
        let dir = try LogDir()
        guard mkfifo(dir.log, 0o644) == 0 else { Issue.record("mkfifo"); return }
        let fifo = advance(try tail(dir))
        #expect(fifo.problem?.contains("fifo") == true, "\(fifo.problem ?? "")")
        unlink(dir.log)
        try FileManager.default.createDirectory(atPath: dir.log, withIntermediateDirectories: false)
        #expect(advance(try tail(dir)).problem?.contains("directory") == true)
        rmdir(dir.log)
        // A device never ends (/dev/zero): refused, not read.
        guard let format = Self.format else { return }
        let device = AccessLogTail(path: "/dev/zero", name: "zero", format: format).advance(until: .now().adding(seconds: 5))
        #expect(device.problem?.contains("character device") == true && device.counts.unparsed == 0)
        let missing = try tail(dir)
        #expect(advance(missing).problem?.contains("No such file") == true)
        // A file that appears later is new: read from its start.
        try Data(Self.line(500).utf8).write(to: URL(fileURLWithPath: dir.log))
        let report = advance(missing)
        #expect(report.problem == nil && report.counts.classes[4] == 1)
    }

    @Test func aScrapeReadsAtMostItsBudget() throws {
        let dir = try LogDir(), writer = try dir.writer()
        let tail = try tail(dir)
        writer.write(Data(String(repeating: Self.line(200), count: 1000).utf8))
        // A deadline already past: nothing is read this scrape, everything the next.
        let late = tail.advance(until: MonotonicTime.now().adding(seconds: -1))
        #expect(late.counts.classes[1] == 0 && late.unreadBytes == Double(1000 * Self.line(200).utf8.count))
        #expect(advance(tail).counts.classes[1] == 1000)
    }

    @Test func familiesKeepEveryLabelButStatusClassConstantPerLog() throws {
        let dir = try LogDir(), writer = try dir.writer()
        let tail = try tail(dir)
        writer.write(Data((Self.line(500) + Self.line(200, "0.3")).utf8))
        let text = TextFormat.render(text: Normalizer.normalize(AccessLogMetrics.families([(tail, advance(tail))]), stats: ExpositionStats()))
        #expect(text.contains(#"nginx_http_responses_total{log="web",status_class="5xx"} 1"#))
        #expect(text.contains(#"nginx_http_responses_total{log="web",status_class="3xx"} 0"#))
        #expect(text.contains(#"nginx_http_request_duration_seconds_bucket{le="0.2",log="web"} 1"#))
        #expect(text.contains(#"nginx_http_request_duration_seconds_bucket{le="0.5",log="web"} 2"#))
        #expect(text.contains(#"nginx_http_request_duration_seconds_bucket{le="+Inf",log="web"} 2"#))
        #expect(text.contains(#"nginx_http_request_duration_seconds_count{log="web"} 2"#))
        #expect(text.contains(#"nginx_access_log_up{log="web"} 1"#))
    }
}

/// The splitter alone: lines across chunk boundaries.
@Suite struct LineSplitterTests {
    func lines(_ chunks: [String], maxLine: Int = 8) -> (lines: [String], overlong: Int, fragment: String) {
        var splitter = LineSplitter(maxLine: maxLine), out: [String] = []
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBufferPointer { splitter.feed($0) { out.append(String(decoding: $0, as: UTF8.self)) } }
        }
        return (out, splitter.takeOverlong(), String(decoding: splitter.fragment, as: UTF8.self))
    }

    @Test func joinsLinesAcrossChunks() {
        let result = lines(["ab", "c\nde", "f\n\ngh"])
        #expect(result.lines == ["abc", "def", ""] && result.fragment == "gh" && result.overlong == 0)
    }

    @Test func dropsOverlongLinesWholeAndCountsThemOnce() {
        let result = lines(["123456789\nok\n1234", "56789", "0\nfine\n"])
        #expect(result.lines == ["ok", "fine"] && result.overlong == 2 && result.fragment.isEmpty)
        #expect(lines(["12345678\n"]).lines == ["12345678"])
    }
}
