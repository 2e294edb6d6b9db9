import Dispatch
import Glibc

/// Turns SIGTERM and SIGINT into a callback on a dispatch queue (not in signal context), so the
/// server can stop accepting and finish in-flight responses; SIGHUP into another (reload the web
/// config). SIGHUP's default action would end the process, and a `kill -HUP` meant as "reload"
/// (as for node_exporter or Prometheus) must never take the exporter down.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    public init(_ handler: @escaping @Sendable (String) -> Void, hangup: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "stack_exporter.signals")
        let actions: [(Int32, @Sendable () -> Void)] = [
            (SIGTERM, { handler("SIGTERM") }), (SIGINT, { handler("SIGINT") }), (SIGHUP, hangup),
        ]
        sources = actions.map { number, action in
            signal(number, SIG_IGN)  // the dispatch source sees it; the default action must not run
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread before any other thread starts, so
    /// every thread inherits the mask. libdispatch reads signal sources through signalfd on Linux:
    /// a process-directed signal delivered to a thread that does not block it meets SIG_IGN and is
    /// dropped, and a SIGTERM was lost that way when a collector thread existed before the watcher.
    public static func blockWatchedSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
