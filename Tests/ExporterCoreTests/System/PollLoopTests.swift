import Foundation
import Testing
@testable import ExporterCore

/// `PollLoop` over pipes: a task readable at once finishes, one whose own limit (`waitUntil`)
/// passes is cancelled alone while the others go on, and the loop's deadline cancels the rest.
@Suite struct PollLoopTests {
    /// Reads one byte from its pipe; `limit`: how long it may wait on its own.
    struct ReadTask: PollTask {
        let fd: Int32
        let limit: Double?
        let name: String

        mutating func start(deadline: MonotonicTime) -> TaskStep<String> {
            guard let limit else { return .wait(.read(fd)) }
            return .waitUntil(.read(fd), MonotonicTime.now().adding(seconds: limit))
        }

        mutating func resume() -> TaskStep<String> { .done("\(name) read") }
        mutating func cancel() -> String { "\(name) cancelled" }
    }

    @Test func aTaskPastItsOwnLimitIsCancelledAloneAndFreesItsSlot() throws {
        let silent = Pipe(), ready = Pipe(), queued = Pipe()
        ready.fileHandleForWriting.write(Data([1]))
        queued.fileHandleForWriting.write(Data([1]))
        let started = MonotonicTime.now()
        // One slot: `queued` starts only once `silent` gave it up at its own limit, long before
        // the loop's deadline.
        let outputs = PollLoop.run([
            ReadTask(fd: ready.fileHandleForReading.fileDescriptor, limit: nil, name: "ready"),
            ReadTask(fd: silent.fileHandleForReading.fileDescriptor, limit: 0.1, name: "silent"),
            ReadTask(fd: queued.fileHandleForReading.fileDescriptor, limit: nil, name: "queued"),
        ], concurrency: 1, deadline: started.adding(seconds: 5))
        #expect(outputs == ["ready read", "silent cancelled", "queued read"])
        let elapsed = started.secondsElapsed()
        #expect(elapsed >= 0.09 && elapsed < 2)
    }

    @Test func theLoopsDeadlineCancelsWhatIsStillWaitingOrNotStarted() {
        let silent = Pipe(), other = Pipe()
        let started = MonotonicTime.now()
        let outputs = PollLoop.run([
            ReadTask(fd: silent.fileHandleForReading.fileDescriptor, limit: 10, name: "silent"),
            ReadTask(fd: other.fileHandleForReading.fileDescriptor, limit: nil, name: "queued"),
        ], concurrency: 1, deadline: started.adding(seconds: 0.2))
        #expect(outputs == ["silent cancelled", "queued cancelled"])
        let elapsed = started.secondsElapsed()
        #expect(elapsed >= 0.19 && elapsed < 2)
    }
}
