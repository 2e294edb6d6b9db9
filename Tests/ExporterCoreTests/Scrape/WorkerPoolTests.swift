import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ExporterCore

/// The one fan-out strategy: a bounded pool (issue #11 item 3).
@Suite(.timeLimit(.minutes(10))) struct WorkerPoolTests {
    /// 50 items that hang: the pool holds its bound of threads, the items beyond it wait, every
    /// one comes back nil at the deadline, and all 50 still run once the hang ends.
    @Test func fiftyHungItemsDoNotGrowThreadsPastTheBound() {
        let pool = WorkerPool(name: "test-hung", maxThreads: 8)
        let release = DispatchSemaphore(value: 0)
        let ran = Atomic<Int>(0)
        let started = MonotonicTime.now()
        let deadlines = ItemDeadline(collector: started.adding(seconds: 0.5), now: started)
        let results = runItems(Array(0..<50), on: pool, deadlines: deadlines) { item -> Int in
            _ = release.wait(timeout: .now() + 20)
            release.signal()  // hand the release on to the next waiter
            ran.wrappingAdd(1, ordering: .relaxed)
            return item
        }
        #expect(results.allSatisfy { $0 == nil })
        #expect(started.secondsElapsed() < 2)
        #expect(pool.threadCount == 8)
        #expect(pool.queuedCount == 42)
        release.signal()
        #expect(waitUntil { ran.load(ordering: .relaxed) == 50 })
        #expect(pool.threadCount == 8)
    }

    /// A job submitted when no thread could be created is kept and runs with the next thread.
    @Test func aJobQueuedWhenNoThreadCouldStartIsNotLost() {
        let failNext = Atomic<Bool>(true)
        let pool = WorkerPool(name: "test-fail", maxThreads: 2) { name, stack, body in
            if failNext.exchange(false, ordering: .relaxed) { return false }
            return WorkerPool.pthread(name, stack, body)
        }
        let done = Atomic<Int>(0)
        pool.submit { done.wrappingAdd(1, ordering: .relaxed) }
        #expect(pool.threadCount == 0 && pool.queuedCount == 1, "creation failed; the job waits")
        pool.submit { done.wrappingAdd(10, ordering: .relaxed) }
        #expect(waitUntil { done.load(ordering: .relaxed) == 11 }, "both jobs ran on the thread the second submit started")
        #expect(pool.threadCount == 1)
    }


    /// Clients that submit their next job as soon as the last one's completion wakes them, as the
    /// HTTP server's keep-alive clients do: the pool holds no more threads than there are clients.
    /// With the wake-up inside the job, the next submit could come before the thread was free
    /// again and start another (scripts/soak: 8 clients had grown the HTTP pool to 27 workers).
    @Test func keepAliveClientsNeedNoMoreThreadsThanClients() {
        let pool = WorkerPool(name: "test-keepalive", maxThreads: 64)
        let clients = 8, rounds = 1500
        let finished = DispatchGroup()
        for _ in 0..<clients {
            finished.enter()
            let thread = Thread {
                let answered = DispatchSemaphore(value: 0)
                for _ in 0..<rounds {
                    pool.submitThen {
                        var sum = 0
                        for i in 0..<500 { sum &+= i }
                        return { [sum] in _ = sum; answered.signal() }
                    }
                    answered.wait()
                }
                finished.leave()
            }
            thread.start()
        }
        #expect(finished.wait(timeout: .now() + 50) == .success)
        #expect(pool.threadCount <= clients, "\(pool.threadCount) threads for \(clients) clients")
    }
}
