import Foundation
@testable import ExporterCore

/// A temporary directory tree for the files collector's tests, removed when released.
final class FileTree {
    let path = NSTemporaryDirectory() + "files-\(UUID().uuidString)"

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` at `relative` (directories created), with mtime `modified` (Unix seconds) if given.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8] = Array("x\n".utf8), modified: Double? = nil) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        if let modified { try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: modified)], ofItemAtPath: file) }
        return file
    }

    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }

    func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func fifo(_ relative: String) throws {
        guard mkfifo(path + "/" + relative, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
