import Glibc

/// A shared library opened at run time with dlopen(3), for optional C dependencies (libpq) that
/// should cost no resident memory in processes that never use them. The handle is never closed:
/// libraries such as libpq register atexit and thread-local state that dlclose would leave dangling.
public struct DynamicLibrary: @unchecked Sendable {
    // @unchecked: the handle is an opaque pointer that dlsym(3) may use from any thread.
    private let handle: UnsafeMutableRawPointer
    public let name: String

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// dlopen with RTLD_NOW (missing symbols fail here, not at first call) and RTLD_LOCAL (its
    /// symbols do not leak into the global namespace).
    public static func open(_ name: String) throws(LoadError) -> DynamicLibrary {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: "cannot load \(name): \(lastError())")
        }
        return DynamicLibrary(handle: handle, name: name)
    }

    /// The address of `symbol`, cast to the `@convention(c)` function type `T`.
    public func function<T>(_ symbol: String, as type: T.Type) throws(LoadError) -> T {
        _ = dlerror()
        guard let address = dlsym(handle, symbol) else {
            throw LoadError(description: "\(name) has no symbol \(symbol): \(Self.lastError())")
        }
        return unsafeBitCast(address, to: type)
    }

    private static func lastError() -> String {
        guard let text = dlerror() else { return "unknown error" }
        return String(cString: text)
    }
}

/// poll(2) on one descriptor for reading and/or writing, retrying on EINTR.
public enum DescriptorPoll {
    public enum Outcome: Sendable, Equatable { case ready, timedOut, failed }

    public static func wait(_ fd: Int32, readable: Bool, writable: Bool, timeoutMilliseconds: Int32) -> Outcome {
        var events: Int16 = 0
        if readable { events |= Int16(POLLIN) }
        if writable { events |= Int16(POLLOUT) }
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let rc = poll(&entry, 1, max(0, timeoutMilliseconds))
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 { return .failed }
            return rc == 0 ? .timedOut : .ready
        }
    }
}

extension DescriptorPoll {
    /// What one descriptor waits for, and after `waitAny` whether it is ready (or in error: the
    /// owner's next read or write reports it).
    public struct Interest: Sendable {
        public var fd: Int32
        public var readable: Bool
        public var writable: Bool
        public var ready = false

        public init(fd: Int32, readable: Bool, writable: Bool) {
            self.fd = fd
            self.readable = readable
            self.writable = writable
        }
    }

    /// poll(2) on several descriptors at once (the PostgreSQL collector drives one connection per
    /// database concurrently), retrying on EINTR; marks the ready ones.
    public static func waitAny(_ interests: inout [Interest], timeoutMilliseconds: Int32) -> Outcome {
        var entries = interests.map { interest in
            var events: Int16 = 0
            if interest.readable { events |= Int16(POLLIN) }
            if interest.writable { events |= Int16(POLLOUT) }
            return pollfd(fd: interest.fd, events: events, revents: 0)
        }
        while true {
            let rc = poll(&entries, nfds_t(entries.count), max(0, timeoutMilliseconds))
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 { return .failed }
            if rc == 0 { return .timedOut }
            for index in interests.indices { interests[index].ready = entries[index].revents != 0 }
            return .ready
        }
    }
}
