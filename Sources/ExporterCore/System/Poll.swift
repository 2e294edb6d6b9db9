import Glibc

/// poll(2), the one wrapper: every wait on a descriptor outside the server's epoll loop (client
/// sockets, libpq's connection, the TLS handshake, the Docker client, netlink) goes through here.
/// An interrupted call is restarted with the time that is left, never the whole timeout again.
public enum Poll {
    /// What one descriptor waits for.
    public struct Interest: Sendable, Equatable {
        public var fd: Int32
        public var readable: Bool
        public var writable: Bool

        public init(fd: Int32, readable: Bool, writable: Bool) {
            self.fd = fd
            self.readable = readable
            self.writable = writable
        }

        public static func read(_ fd: Int32) -> Interest { Interest(fd: fd, readable: true, writable: false) }
        public static func write(_ fd: Int32) -> Interest { Interest(fd: fd, readable: false, writable: true) }

        fileprivate var events: Int16 {
            (readable ? Int16(POLLIN) : 0) | (writable ? Int16(POLLOUT) : 0)
        }
    }

    public enum Outcome: Sendable, Equatable { case ready, timedOut, failed }

    /// Waits until one of `interests` is ready or `deadline` passes. On `.ready`, `ready[i]` says
    /// which are (an error or hang-up counts as ready: the owner's next read or write reports it).
    public static func wait(_ interests: [Interest], until deadline: MonotonicTime, ready: inout [Bool]) -> Outcome {
        var entries = interests.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
        ready = Array(repeating: false, count: interests.count)
        while true {
            let left = MonotonicTime.now().seconds(until: deadline)
            let timeout = left <= 0 ? 0 : Int32(min(left * 1000, 86_400_000).rounded(.up))
            let rc = entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 { return .failed }
            if rc == 0 { return .timedOut }
            for index in entries.indices { ready[index] = entries[index].revents != 0 }
            return .ready
        }
    }

    /// One descriptor until `deadline`.
    public static func wait(_ interest: Interest, until deadline: MonotonicTime) -> Outcome {
        var ready: [Bool] = []
        return wait([interest], until: deadline, ready: &ready)
    }

    /// One descriptor for at most `milliseconds`.
    public static func wait(_ interest: Interest, milliseconds: Int) -> Outcome {
        wait(interest, until: MonotonicTime.now().adding(seconds: Double(max(0, milliseconds)) / 1000))
    }
}
