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
}
