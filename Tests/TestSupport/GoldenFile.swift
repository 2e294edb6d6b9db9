import Foundation

/// Golden-file comparison for both test targets: `UPDATE_GOLDEN=1 swift test` rewrites the file
/// with the actual output instead of comparing (review the diff before committing it).
public enum GoldenFile {
    public static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    /// nil when `actual` equals the file (or the file was rewritten); else where they first differ.
    public static func difference(_ actual: String, file: String) throws -> String? {
        if updating {
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return nil
        }
        let expected = try String(contentsOfFile: file, encoding: .utf8)
        guard expected != actual else { return nil }
        let diff = firstDifference(expected, actual)
        let name = URL(fileURLWithPath: file).lastPathComponent
        return "\(name) differs from golden output at line \(diff.line):\n  expected: \(diff.expected)\n  actual:   \(diff.actual)\n(UPDATE_GOLDEN=1 rewrites it)"
    }

    static func firstDifference(_ a: String, _ b: String) -> (line: Int, expected: String, actual: String) {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end>", y = i < lb.count ? String(lb[i]) : "<end>"
            if x != y { return (i + 1, x, y) }
        }
        return (0, "", "")
    }
}
