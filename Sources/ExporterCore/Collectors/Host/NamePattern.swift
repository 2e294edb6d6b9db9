import Synchronization

/// A node_exporter-style include/exclude regular expression (`--collector.filesystem.fs-types-exclude`
/// …), matched like Go's `MatchString`: anywhere in the text unless the pattern anchors itself.
///
/// Swift's `Regex` is not `Sendable` and costs ~250 µs to compile, so it is compiled once at start
/// and used under a lock (collectors of one module never run concurrently, so it is uncontended).
/// Matching costs microseconds per name and netstat alone filters ~300 names per scrape, while the
/// names barely change between scrapes, so answers are memoised (bounded).
final class NamePattern: Sendable {
    let pattern: String
    private let regex: Mutex<Regex<AnyRegexOutput>?>
    private let memo = Mutex<[String: Bool]>([:])
    private static let memoLimit = 4096

    /// Throws a CollectorError naming the flag when the pattern does not compile.
    init(_ pattern: String, flag: String) throws(CollectorError) {
        self.pattern = pattern
        if pattern.isEmpty {
            regex = Mutex(nil)
            return
        }
        do {
            regex = Mutex(try Regex(pattern))
        } catch {
            throw CollectorError("--\(flag): invalid regular expression \"\(pattern)\": \(error)")
        }
    }

    /// The pattern a declared flag holds, named after it in the error.
    convenience init(_ flag: Flag<String>, in flags: ParsedFlags) throws(CollectorError) {
        try self.init(flags[flag], flag: flag.name)
    }

    /// An empty pattern matches nothing (an unset exclude flag excludes nothing).
    func matches(_ text: String) -> Bool {
        if let known = memo.withLock({ $0[text] }) { return known }
        let result = regex.withLock { regex in
            guard let regex else { return false }
            return text.firstMatch(of: regex) != nil
        }
        memo.withLock { memo in
            if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[text] = result
        }
        return result
    }
}
