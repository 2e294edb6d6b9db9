/// The page of nginx's stub_status module
/// (https://nginx.org/en/docs/http/ngx_http_stub_status_module.html):
///
///     Active connections: 291
///     server accepts handled requests
///      16630948 16630948 31070465
///     Reading: 6 Writing: 179 Waiting: 106
struct StubStatus: Equatable, Sendable {
    var active, accepted, handled, requests, reading, writing, waiting: Double
}

/// Parses the page; anything else (an HTML error page, a proxy's answer) is a `ParseError`.
/// Numbers are converted without trapping: they are counters that may exceed any Int.
func parseStubStatus(_ text: String) throws(ParseError) -> StubStatus {
    // Split on the bytes of CR and LF: splitting Characters on `isNewline` was a third of a
    // scrape's instructions (callgrind), for a page nginx writes in ASCII.
    let lines = text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).map { Substring($0).trimmingSpacesAndTabs }
    func fail(_ line: Int) -> ParseError { ParseError(file: "stub_status", line: line, text: line <= lines.count ? lines[line - 1] : "") }
    guard lines.count >= 4, lines[0].hasPrefix("Active connections:"),
          let active = StubStatusNumbers.number(lines[0].dropFirst("Active connections:".count).trimmingSpacesAndTabs) else { throw fail(1) }
    guard lines[1].split(separator: " ") == ["server", "accepts", "handled", "requests"] else { throw fail(2) }
    let counters = lines[2].split(separator: " ").compactMap { StubStatusNumbers.number($0) }
    guard counters.count == 3, lines[2].split(separator: " ").count == 3 else { throw fail(3) }
    let words = lines[3].split(separator: " ")
    guard words.count == 6, words[0] == "Reading:", words[2] == "Writing:", words[4] == "Waiting:",
          let reading = StubStatusNumbers.number(words[1]), let writing = StubStatusNumbers.number(words[3]),
          let waiting = StubStatusNumbers.number(words[5]) else { throw fail(4) }
    return StubStatus(
        active: active, accepted: counters[0], handled: counters[1], requests: counters[2], reading: reading, writing: writing, waiting: waiting)
}

enum StubStatusNumbers {
    /// Decimal digits only (no sign, no exponent), as nginx prints its atomics.
    static func number(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Double(text)
    }
}
