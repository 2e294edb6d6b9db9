/// One `--files.glob` value: `[name=]pattern`, the pattern split into path components. A
/// component is a literal name (looked up, not listed), a shell pattern (fnmatch(3) on each entry
/// of the directory, a leading dot matched only explicitly), or `**`: zero or more directories
/// (bash's globstar; a trailing `**` matches every file below).
struct FilePattern: Sendable, Equatable {
    enum Component: Sendable, Equatable {
        case literal(String)
        case glob(String)
        case recursive
    }

    /// The `name` label: given before `=`, else the pattern itself.
    let name: String
    /// The pattern as given (the `pattern` label).
    let text: String
    /// "/" for an absolute pattern, "." for one relative to the working directory.
    let root: String
    let components: [Component]

    struct Invalid: Error, CustomStringConvertible {
        let value: String
        let why: String
        var description: String { "invalid --files.glob \"\(value)\": \(why)" }
    }

    static func parse(_ value: String) throws(Invalid) -> FilePattern {
        let (name, text) = splitName(value)
        guard !text.isEmpty else { throw Invalid(value: value, why: "empty pattern") }
        guard !text.utf8.contains(0) else { throw Invalid(value: value, why: "NUL byte in pattern") }
        var components: [Component] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            if part == "." { continue }  // a no-op in a path
            if part == "**" {
                // `**/**` is one `**`.
                if components.last != .recursive { components.append(.recursive) }
                continue
            }
            guard !part.contains("**") else { throw Invalid(value: value, why: "`**` must be a whole path component, as in a/**/b") }
            let magic = part.utf8.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x5C }
            guard magic else {
                components.append(.literal(part))
                continue
            }
            guard DirectoryScan.isWellFormed(part) else { throw Invalid(value: value, why: "unclosed `[` or trailing `\\` in \"\(part)\"") }
            components.append(.glob(part))
        }
        guard !components.isEmpty else { throw Invalid(value: value, why: "the pattern names no file") }
        return FilePattern(name: name ?? text, text: text, root: text.hasPrefix("/") ? "/" : ".", components: components)
    }

    /// `pg=/srv/backups/*.gz` → ("pg", "/srv/backups/*.gz"); a path whose part before the first
    /// `=` is no plain name (it holds `/`, `*`…) is all pattern.
    private static func splitName(_ value: String) -> (String?, String) {
        guard let equals = value.firstIndex(of: "=") else { return (nil, value) }
        let name = value[..<equals]
        let isName = name.utf8.first.map { isLetter($0) || $0 == 0x5F } ?? false
            && name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
        return isName ? (String(name), String(value[value.index(after: equals)...])) : (nil, value)
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
}
