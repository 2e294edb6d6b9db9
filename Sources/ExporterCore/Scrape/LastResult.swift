import Synchronization

/// What was computed from the last input, computed again only when the input differs: for what a
/// collector reads every scrape but what rarely changes (the names in /proc/meminfo, the text of
/// os-release), so that a scrape compares bytes instead of parsing, naming and allocating again.
final class LastResult<Input: Equatable & Sendable, Output: Sendable>: Sendable {
    private let last = Mutex<(input: Input, output: Output)?>(nil)

    func value<E: Error>(for input: Input, compute: () throws(E) -> Output) throws(E) -> Output {
        if let hit = last.withLock({ entry in entry.flatMap { $0.input == input ? $0.output : nil } }) { return hit }
        let output = try compute()
        last.withLock { $0 = (input, output) }
        return output
    }
}
