import Testing
@testable import ExporterCore

@Suite struct ServerWaitTests {
    let now = MonotonicTime(nanoseconds: 1_000_000_000_000)

    @Test func tickWhileEventsArriveElseSleepUntilTheNextExpiry() {
        #expect(HTTPServer.waitMilliseconds(changed: true, until: nil, now: now) == 250)
        #expect(HTTPServer.waitMilliseconds(changed: true, until: now.adding(seconds: 60), now: now) == 250)
        // Quiet: no connection at all → sleep until an event; one idle keep-alive → until it expires.
        #expect(HTTPServer.waitMilliseconds(changed: false, until: nil, now: now) == -1)
        #expect(HTTPServer.waitMilliseconds(changed: false, until: now.adding(seconds: 60), now: now) == 60_001)
        // Rounded up and one past, so the sweep finds it expired rather than a hair early.
        #expect(HTTPServer.waitMilliseconds(changed: false, until: now.adding(seconds: 0.0004), now: now) == 2)
        #expect(HTTPServer.waitMilliseconds(changed: false, until: now.adding(seconds: -5), now: now) <= 1, "overdue: at once")
        #expect(HTTPServer.waitMilliseconds(changed: false, until: now.adding(seconds: 1e12), now: now) == Int32.max)
    }
}
