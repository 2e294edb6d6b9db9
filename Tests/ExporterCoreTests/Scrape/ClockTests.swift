import Testing
@testable import ExporterCore

@Suite struct ClockTests {
    @Test func addsAndSubtractsSeconds() {
        let t = MonotonicTime(nanoseconds: 5_000_000_000)
        #expect(t.adding(seconds: 1.5).nanoseconds == 6_500_000_000)
        #expect(t.adding(seconds: -0.25).nanoseconds == 4_750_000_000)
        #expect(t.adding(seconds: -10).nanoseconds == 0)
        #expect(t.adding(seconds: .nan) == t)
        #expect(t.seconds(until: t.adding(seconds: 2)) == 2)
        #expect(t.adding(seconds: 2).seconds(until: t) == 0)
    }

    @Test func formatsHTTPAndLogDates() {
        #expect(WallClock.httpDate(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(WallClock.rfc3339(784_111_777.25) == "1994-11-06T08:49:37.250Z")
    }
}
