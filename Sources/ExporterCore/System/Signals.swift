import Dispatch
import Glibc

/// Turns SIGTERM and SIGINT into a callback on a dispatch queue (not in signal context), so the
/// server can stop accepting and finish in-flight responses.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    public init(_ handler: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "stack_exporter.signals")
        sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            signal(number, SIG_IGN)  // the dispatch source sees it; the default action must not run
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }
}
