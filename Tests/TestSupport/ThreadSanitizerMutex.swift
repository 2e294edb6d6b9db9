#if STACK_EXPORTER_TSAN_MUTEX
// Only in scripts/sanitize thread's build (-DSTACK_EXPORTER_TSAN_MUTEX): makes ThreadSanitizer see
// Synchronization.Mutex's hand-off when the lock is contended.
//
// On Linux, Mutex locks with an inlined compare-exchange (instrumented: TSan sees the acquire) and,
// when that fails, calls `_MutexHandle._lockSlow`, which lives in libswiftSynchronization.so. That
// library is not instrumented, so the futex hand-off between an unlocking and a waiting thread is
// invisible to TSan, and every contended `withLock` is reported as a data race on the protected
// value (reproduced with four threads incrementing one Mutex<Int>: 1 report, count exact). This
// file defines `_lockSlow` in the test binary, which the static linker then prefers to the
// library's: it waits by retrying the same compare-exchange through TSan's atomic interface
// (acquire) and yielding. It never sets the futex waiter bit, so every unlock takes the inlined,
// instrumented release path. Slower than the futex under contention, equally correct, and only in
// this build.
import Glibc
import Synchronization

@_silgen_name("__tsan_atomic32_compare_exchange_strong")
private func tsanCompareExchange(
    _ word: UnsafeMutablePointer<UInt32>, _ expected: UnsafeMutablePointer<UInt32>, _ desired: UInt32,
    _ success: Int32, _ failure: Int32
) -> Int32

private let acquire: Int32 = 2, relaxed: Int32 = 0  // __tsan_memory_order

extension _MutexHandle {
    // The mangled name of `_MutexHandle._lockSlow(_:)` (nm -D libswiftSynchronization.so).
    @_silgen_name("$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF")
    borrowing func threadSanitizerVisibleLockSlow(_ selfId: UInt32) {
        // The handle is one Atomic<UInt32> (its swiftinterface), borrowed in place.
        withUnsafePointer(to: self) { handle in
            let word = UnsafeMutableRawPointer(mutating: handle).assumingMemoryBound(to: UInt32.self)
            while true {
                var expected: UInt32 = 0
                if tsanCompareExchange(word, &expected, selfId, acquire, relaxed) != 0 { return }
                sched_yield()
            }
        }
    }
}
#endif
