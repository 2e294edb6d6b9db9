import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ExporterCore

/// Per-item deadlines inside a collector run, and the bounded wait for its items.
@Suite struct ItemDeadlineTests {
    @Test(arguments: [
        (budget: 10.0, margin: 0.5),  // 10 % would be 1 s: capped
        (budget: 2.7, margin: 0.27),  // Prometheus 3 s less the scrape margin: 10 %
        (budget: 0.3, margin: 0.05),  // 10 % would be 30 ms: raised to the floor
        (budget: 0.06, margin: 0.03),  // below 100 ms: half, so items still get time
        (budget: 0, margin: 0),
        (budget: -1, margin: 0),
        (budget: .infinity, margin: 0),
    ])
    func marginIsTenPercentWithinBounds(_ row: (budget: Double, margin: Double)) {
        #expect(abs(ItemDeadline.margin(budget: row.budget) - row.margin) < 1e-9)
    }

    @Test func itemDeadlineIsTheSoonerOfItsTimeoutAndTheCutoff() {
        let now = MonotonicTime(nanoseconds: 1_000_000_000_000)
        let items = ItemDeadline(collector: now.adding(seconds: 4), now: now)
        #expect(items.margin == 0.4)
        #expect(items.cutoff == now.adding(seconds: 3.6))
        #expect(items.abandon == now.adding(seconds: 3.8))
        #expect(items.deadline(timeout: 5, started: now) == items.cutoff)
        #expect(items.deadline(timeout: 1, started: now) == now.adding(seconds: 1))
        // An item started late still ends at the cutoff.
        #expect(items.deadline(timeout: 1, started: now.adding(seconds: 3)) == items.cutoff)
    }

    @Test func anItemStillRunningIsAbandonedAloneAndEndsByItself() {
        let release = DispatchSemaphore(value: 0), ended = DispatchSemaphore(value: 0)
        let started = MonotonicTime.now()
        let items = ItemDeadline(collector: started.adding(seconds: 1), now: started)
        let results = runItems([1, 2, 3], on: WorkerPool(name: "test-items", maxThreads: 4), deadlines: items) { item -> Int in
            if item == 2 {
                // Stands for a step no deadline reaches (getaddrinfo); the test lets it go below.
                _ = release.wait(timeout: .now() + 10)
                ended.signal()
            }
            return item * 10
        }
        let waited = started.secondsElapsed()
        #expect(results == [10, nil, 30])
        // Back at abandon (0.95 s), not when the stuck item ends (10 s).
        #expect(waited >= 0.9 && waited < 3, "waited \(waited) s")
        release.signal()
        #expect(ended.wait(timeout: .now() + 5) == .success, "the abandoned item's thread finishes its work")
    }

    @Test func itemsThatEndInTimeAreAllReturnedWithoutWaitingForTheDeadline() {
        let started = MonotonicTime.now()
        let items = ItemDeadline(collector: started.adding(seconds: 10), now: started)
        let results = runItems(Array(0..<8), on: WorkerPool(name: "test-items", maxThreads: 4), deadlines: items) { $0 + 1 }
        #expect(results == (1...8).map { Optional($0) })
        #expect(started.secondsElapsed() < 5)
    }
}
