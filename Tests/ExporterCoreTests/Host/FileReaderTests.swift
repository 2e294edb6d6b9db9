import Foundation
import Glibc
import Testing
@testable import ExporterCore

/// Files of outside input are opened so that nothing can block: a FIFO where a procfs file, an
/// os-release or a certificate belongs made open(2) wait for a writer for ever (issue #12), and
/// /dev/zero never ends. Only regular files are read; every reader refuses the rest at once.
// The limit is generous: on a loaded 2-core machine a test may wait a minute for a thread.
@Suite(.timeLimit(.minutes(10))) struct FileReaderTests {
    /// A scratch directory with a FIFO, a directory, a regular file and a sparse one a byte over 1 MiB.
    final class Scratch {
        let dir = NSTemporaryDirectory() + "file-reader-\(UUID().uuidString)"
        var fifo: String { dir + "/fifo" }
        var directory: String { dir + "/dir" }
        var regular: String { dir + "/regular" }
        var huge: String { dir + "/huge" }

        init() throws {
            try FileManager.default.createDirectory(atPath: dir + "/dir", withIntermediateDirectories: true)
            guard mkfifo(fifo, 0o600) == 0 else { throw SystemError("mkfifo", code: errno) }
            try "one two\n".write(toFile: regular, atomically: false, encoding: .utf8)
            guard FileManager.default.createFile(atPath: huge, contents: nil), truncate(huge, off_t(FileReader.defaultLimit + 1)) == 0 else {
                throw SystemError("truncate", code: errno)
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// The ReadError `body` throws; nil when it throws nothing or something else.
    static func refusal(_ body: () throws -> Void) -> FileReader.ReadError? {
        do { try body() } catch let error as FileReader.ReadError { return error } catch { return nil }
        return nil
    }

    @Test(arguments: [("fifo", "fifo"), ("dir", "directory"), ("/dev/zero", "character device"), ("/dev/null", "character device")])
    func nonRegularFilesAreRefusedAtOnce(_ name: String, _ kind: String) throws {
        let scratch = try Scratch()
        let path = name.hasPrefix("/") ? name : scratch.dir + "/" + name
        let started = MonotonicTime.now()
        let kept = KeptOpenFiles()
        let readers: [() throws -> Void] = [
            { _ = try FileReader.readText(path) },
            { _ = try FileReader.readBytes(path) },
            { _ = try kept.readText(path) },
            { _ = try kept.readBytes(path) },
        ]
        for read in readers {
            let error = try #require(Self.refusal(read))
            #expect(error.notRegular == kind)
            #expect(error.description == "\(path): not a regular file (\(kind))")
            #expect(!error.isNotFound)
        }
        #expect(FileReader.readTextIfPresent(path) == nil)
        #expect(kept.openCount == 0)
        #expect(started.secondsElapsed() < 2)
    }

    @Test func sysfsAttributeThatIsAFIFOIsRefused() throws {
        let scratch = try Scratch()
        let attributes = KeptOpenAttributes()
        attributes.beginScrape()
        #expect(attributes.visit(scratch.dir))
        #expect(throws: FileReader.ReadError.self) { try attributes.read(scratch.dir, "fifo").get() }
        #expect(try attributes.read(scratch.dir, "regular").get() == "one two\n")
        attributes.endScrape()
    }

    @Test func regularAndProcfsFilesAreRead() throws {
        let scratch = try Scratch()
        #expect(try FileReader.readText(scratch.regular) == "one two\n")
        #expect(try FileReader.readBytes(scratch.regular) == Array("one two\n".utf8))
        #expect(FileReader.readTextIfPresent(scratch.regular) == "one two\n")
        // procfs files report S_IFREG too, and a kept descriptor keeps working.
        let kept = KeptOpenFiles()
        #expect(try kept.readText("/proc/loadavg").split(separator: " ").count == 5)
        #expect(try kept.readText("/proc/loadavg").split(separator: " ").count == 5)
        #expect(try FileReader.readBytes("/proc/self/stat").starts(with: Array("\(getpid()) (".utf8)))
    }

    @Test func fileOverTheLimitIsRefusedAfterTheLimit() throws {
        let scratch = try Scratch()
        let readers: [() throws -> Void] = [{ _ = try FileReader.readBytes(scratch.huge) }, { _ = try FileReader.readText(scratch.huge) }]
        for read in readers {
            let error = try #require(Self.refusal(read))
            #expect(error.tooLarge)
            #expect(error.notRegular == nil)
        }
        #expect(try FileReader.readBytes(scratch.huge, limit: FileReader.defaultLimit + 1).count == FileReader.defaultLimit + 1)
    }

    @Test func missingFileIsNotFound() throws {
        let scratch = try Scratch()
        let error = try #require(Self.refusal { _ = try FileReader.readText(scratch.dir + "/missing") })
        #expect(error.isNotFound)
        #expect(error.notRegular == nil)
    }
}
