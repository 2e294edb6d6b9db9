import Foundation
import Testing
import TestSupport

/// The tests' own process runner: CI once hung for 90 minutes on a child that a daemon kept
/// alive through an inherited descriptor. These pin the properties that prevent it.
@Suite(.timeLimit(.minutes(10))) struct ChildProcessTests {
    @Test func aDaemonLeftBehindDoesNotHoldTheCommand() throws {
        let started = Date()
        let result = try runCommand(["/bin/bash", "-c", "sleep 30 & echo started"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.stdout == "started\n")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func onlyStandardDescriptorsReachTheChild() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)  // not close-on-exec, as a careless library would leave it
        defer { fds.forEach { close($0) } }
        let result = try runCommand(["/bin/ls", "/proc/self/fd"], timeout: 10)
        let open = result.stdout.split(separator: "\n").compactMap { Int($0) }.sorted()
        // 0, 1, 2 and the descriptor ls opened to read the directory.
        #expect(open.count == 4 && open.prefix(3) == [0, 1, 2], "\(open)")
    }

    @Test func aTimeoutKillsTheWholeGroupAndSaysSo() throws {
        let started = Date()
        #expect(throws: ChildProcessError.self) {
            try runCommand(["/bin/bash", "-c", "sleep 30; echo never"], timeout: 0.5)
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func exitStatusAndSignals() throws {
        #expect(try runCommand(["/bin/sh", "-c", "exit 3"]).status == 3)
        let sleeper = try ChildProcess(["sleep", "30"])
        #expect(sleeper.isRunning)
        #expect(sleeper.stop(timeout: 5) == 128 + SIGTERM)
        #expect(!sleeper.isRunning)
    }

    @Test func stdinPipeStaysOpenUntilClosed() throws {
        let path = NSTemporaryDirectory() + "child-cat-\(UUID().uuidString)"
        defer { unlink(path) }
        let cat = try ChildProcess(["cat"], stdin: .pipe, stdout: .file(path))
        try cat.write(Data("hello\n".utf8))
        // cat has read and copied the line, and still runs: stdin is open.
        #expect(Wait.until(timeout: 5) { (try? String(contentsOfFile: path, encoding: .utf8)) == "hello\n" })
        #expect(cat.isRunning)
        cat.closeStdin()
        #expect(cat.wait(timeout: 5) == 0)
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "hello\n")
    }
}
