import Foundation
import Testing
import TestSupport

/// Locates fixture files next to the tests (found from #filePath, so no resources are bundled).
enum Fixtures {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// Golden-file comparison (`GoldenFile`): `UPDATE_GOLDEN=1 swift test` rewrites the files instead of comparing.
enum Golden {
    static func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let difference = try GoldenFile.difference(actual, file: Fixtures.path("golden/" + name)) {
            Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
        }
    }
}
