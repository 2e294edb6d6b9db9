import Glibc

/// Process-wide settings made once at start-up.
public enum ProcessSetup {
    /// A client that vanishes mid-response must not kill the exporter; sends also use MSG_NOSIGNAL.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit, as Go's runtime does for node_exporter,
    /// so many scrapers plus collectors do not run into the 1024 default. Returns the new soft limit.
    @discardableResult
    public static func raiseOpenFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }

    public static func openFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return UInt64(limit.rlim_cur)
    }

    /// RLIMIT_AS in bytes; -1 when unlimited (as client_golang's process collector reports it).
    public static func addressSpaceLimit() -> Double {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0 else { return -1 }
        return limit.rlim_cur == rlim_t.max ? -1 : Double(limit.rlim_cur)  // RLIM_INFINITY is ~0
    }

    public static func clockTicksPerSecond() -> Double {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }

    public static func pageSize() -> Int {
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? size : 4096
    }

    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Reserves a descriptor that can be released when accept(2) hits EMFILE, so the exporter can
    /// still accept and close the pending connection instead of spinning on it.
    static func reserveDescriptor() -> Int32 {
        open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    static func closeDescriptor(_ fd: Int32) {
        if fd >= 0 { Glibc.close(fd) }
    }
}
