import Glibc

/// A detached POSIX thread for work that may block for ever in the kernel (statfs on a dead NFS
/// mount). Dispatch's pool is sized to the CPU count on Linux and cannot tell a thread stuck in
/// the kernel from a busy one, so two hung mounts on a 2-core host would starve it.
enum HelperThread {
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread (64 KiB stack: enough for a system call); false if
    /// the thread could not be created.
    @discardableResult
    static func detach(_ body: @escaping @Sendable () -> Void) -> Bool {
        let work = Unmanaged.passRetained(Work(body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let work = Unmanaged<Work>.fromOpaque(raw).takeRetainedValue()
            work.body()
            return nil
        }, work.toOpaque())
        if rc != 0 {
            work.release()
            return false
        }
        return true
    }
}
