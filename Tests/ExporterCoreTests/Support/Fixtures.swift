import Foundation
import Testing

/// Locates fixture files next to the tests (found from #filePath, so no resources are bundled).
enum Fixtures {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Golden-file comparison: `UPDATE_GOLDEN=1 swift test` rewrites the files instead of comparing.
enum Golden {
    static func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Fixtures.path("golden/" + name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: file, encoding: .utf8)
        if expected != actual {
            let diff = firstDifference(expected, actual)
            Issue.record("\(name) differs from golden output at line \(diff.line):\n  expected: \(diff.expected)\n  actual:   \(diff.actual)\n(UPDATE_GOLDEN=1 rewrites it)", sourceLocation: sourceLocation)
        }
    }

    private static func firstDifference(_ a: String, _ b: String) -> (line: Int, expected: String, actual: String) {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end>", y = i < lb.count ? String(lb[i]) : "<end>"
            if x != y { return (i + 1, x, y) }
        }
        return (0, "", "")
    }
}
