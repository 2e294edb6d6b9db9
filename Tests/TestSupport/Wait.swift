import Dispatch
import Foundation

/// Bounded waits on a condition, shared by both test targets: tests wait for the event they need
/// (a file appears, a counter moves, a log line is written), never for a fixed time.
public enum Wait {
    /// Checks `condition` every `interval` seconds until it holds or `timeout` passes; true if it
    /// held. The pause is a wait on a semaphore nobody signals, so no thread sleeps unboundedly.
    @discardableResult
    public static func until(timeout: Double, interval: Double = 0.005, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let tick = DispatchSemaphore(value: 0)
        while Date() < deadline {
            if try condition() { return true }
            _ = tick.wait(timeout: .now() + max(0.001, min(interval, deadline.timeIntervalSinceNow)))
        }
        return try condition()
    }
}

/// A wall-clock bound for code under test, scaled for the sanitizer builds (scripts/sanitize sets
/// ASAN_OPTIONS or TSAN_OPTIONS), whose instrumentation runs the same code three to five times
/// slower: the bound still catches a loop held for seconds, not the instrumentation.
public enum TimingBound {
    public static func seconds(_ plain: Double) -> Double {
        let environment = ProcessInfo.processInfo.environment
        let sanitized = environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil
        return sanitized ? plain * 4 : plain
    }
}
