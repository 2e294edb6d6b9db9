import CSystem
import Glibc

/// pthread_create(3) for a Swift closure: a detached, named thread. Used where libdispatch does not
/// fit: its Linux pool is sized to the CPU count and cannot tell a thread stuck in the kernel
/// (statfs on a dead NFS mount) from a busy one, so two hung calls on a 2-core host starve it.
enum ThreadLauncher {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread; false if the thread could not be created.
    /// Small stacks: scrapes and system calls are shallow, and each stack is virtual memory.
    @discardableResult
    static func start(name: String, stackSize: Int = 256 * 1024, _ body: @escaping @Sendable () -> Void) -> Bool {
        let work = Unmanaged.passRetained(Work(body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let work = Unmanaged<Work>.fromOpaque(raw).takeRetainedValue()
            work.body()
            return nil
        }, work.toOpaque())
        guard rc == 0 else {
            work.release()
            return false
        }
        _ = pthread_setname_np(thread, String(name.prefix(15)))
        return true
    }
}
