import CSystem
import Glibc

/// Level-triggered epoll(7). Each registration carries a 64-bit token chosen by the caller.
final class Epoll {
    let fd: Int32
    private var events: [epoll_event]

    init(capacity: Int = 128) throws(SystemError) {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError.lastError("epoll_create1") }
        events = Array(repeating: epoll_event(), count: capacity)
    }

    deinit { Glibc.close(fd) }

    struct Interest: OptionSet {
        let rawValue: UInt32
        static let readable = Interest(rawValue: EPOLLIN.rawValue)
        static let writable = Interest(rawValue: EPOLLOUT.rawValue)
        static let none: Interest = []
    }

    struct Event {
        var token: UInt64
        var readable: Bool
        var writable: Bool
        var hangup: Bool
    }

    func add(_ descriptor: Int32, token: UInt64, interest: Interest) throws(SystemError) {
        try control(EPOLL_CTL_ADD, descriptor, token, interest)
    }

    func modify(_ descriptor: Int32, token: UInt64, interest: Interest) throws(SystemError) {
        try control(EPOLL_CTL_MOD, descriptor, token, interest)
    }

    func remove(_ descriptor: Int32) {
        var ignored = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, &ignored)
    }

    private func control(_ op: Int32, _ descriptor: Int32, _ token: UInt64, _ interest: Interest) throws(SystemError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        guard epoll_ctl(fd, op, descriptor, &event) == 0 else { throw SystemError.lastError("epoll_ctl") }
    }

    /// Waits up to `timeoutMilliseconds` and returns the ready registrations.
    func wait(timeoutMilliseconds: Int32) -> [Event] {
        let count = events.withUnsafeMutableBufferPointer {
            epoll_wait(fd, $0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        guard count > 0 else { return [] }
        var ready: [Event] = []
        ready.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let raw = events[i]
            let flags = raw.events
            ready.append(Event(
                token: raw.data.u64,
                readable: flags & EPOLLIN.rawValue != 0,
                writable: flags & EPOLLOUT.rawValue != 0,
                hangup: flags & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0))
        }
        return ready
    }
}

/// A self-pipe that wakes the event loop from other threads. Sendable: writes are atomic.
public struct WakeupPipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws(SystemError) {
        var ends: [Int32] = [0, 0]
        guard pipe2(&ends, O_NONBLOCK | O_CLOEXEC) == 0 else { throw SystemError.lastError("pipe2") }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(writeEnd, &byte, 1)  // a full pipe already means "wake up"
    }

    func drain() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while Glibc.read(readEnd, &scratch, scratch.count) > 0 {}
    }

    func close() {
        Glibc.close(readEnd)
        Glibc.close(writeEnd)
    }
}
