import Synchronization

/// Logs a problem once when it appears or changes and once when it clears, keyed by file or
/// endpoint: a broken certificate scraped every 15 s must not write a line every 15 s.
final class ProblemLog: Sendable {
    private let logger: Logger
    private let what: String
    private let last = Mutex<[String: String]>([:])

    init(logger: Logger, what: String) {
        self.logger = logger
        self.what = what
    }

    /// Records the current state of `key`: a problem text, or nil when it is fine.
    func report(_ key: String, _ problem: String?) {
        let previous = last.withLock { state -> String? in
            let previous = state[key]
            if let problem { state[key] = problem } else if previous != nil { state.removeValue(forKey: key) }
            return previous
        }
        // The item's kind is also the key of its field: a logfmt key has no spaces ("http endpoint").
        let field = String(what.map { $0 == " " ? "_" : $0 })
        if let problem, problem != previous {
            logger.warn("\(what) problem", [field: key, "err": problem])
        } else if problem == nil, let previous {
            logger.info("\(what) recovered", [field: key, "previous_err": previous])
        }
    }

    /// Forgets keys no longer watched.
    func retain(only keys: Set<String>) {
        last.withLock { state in
            if state.keys.contains(where: { !keys.contains($0) }) { state = state.filter { keys.contains($0.key) } }
        }
    }
}
