import Glibc

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC): deadlines and durations never jump with NTP.
public struct MonotonicTime: Comparable, Sendable, Hashable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func now() -> MonotonicTime {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicTime(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    public static func < (a: MonotonicTime, b: MonotonicTime) -> Bool { a.nanoseconds < b.nanoseconds }

    /// `self` moved by `seconds`, which may be negative (a margin before a deadline); never
    /// before time zero.
    public func adding(seconds: Double) -> MonotonicTime {
        guard seconds.isFinite, seconds != 0 else { return self }
        let ns = UInt64(min(Swift.abs(seconds), 1e9) * 1e9)
        if seconds > 0 { return MonotonicTime(nanoseconds: nanoseconds &+ ns) }
        return MonotonicTime(nanoseconds: nanoseconds > ns ? nanoseconds - ns : 0)
    }

    /// Seconds from `self` to `later`, never negative.
    public func seconds(until later: MonotonicTime) -> Double {
        later.nanoseconds > nanoseconds ? Double(later.nanoseconds - nanoseconds) / 1e9 : 0
    }

    public func secondsElapsed() -> Double { seconds(until: .now()) }
}

/// Wall-clock time, for timestamps users read (HTTP Date, logs, metrics in Unix seconds).
public enum WallClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Broken-down UTC time for formatting.
    static func utc(_ seconds: Double) -> tm {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate, RFC 9110 §5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(_ seconds: Double) -> String {
        let t = utc(seconds)
        let day = weekdays[Int(t.tm_wday) % 7], month = months[Int(t.tm_mon) % 12]
        return "\(day), \(pad(t.tm_mday)) \(month) \(t.tm_year + 1900) \(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec)) GMT"
    }

    /// RFC 3339 with milliseconds, as Prometheus' own logs: `2026-11-24T13:50:46.123Z`.
    public static func rfc3339(_ seconds: Double) -> String {
        let t = utc(seconds)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(t.tm_year + 1900)-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))T\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec)).\(ms)Z"
    }

    private static func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
