import Foundation
import Testing

/// Runs scripts/host-compat: node_exporter and stack_exporter side by side on loopback, the same
/// collectors on both; metric names, label names and static values must agree, and the community
/// dashboard/alert selectors that node_exporter answers must be answered by us too.
@Suite struct HostCompatibilityTests {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func hostMetricsMatchNodeExporter() throws {
        let root = Self.packageRoot
        let binary = root.appendingPathComponent(".build/debug/stack_exporter").path
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build stack_exporter first (swift build): \(binary)")
        // Not a skip: without node_exporter there is nothing to compare against, which is a failure.
        let nodeExporter = ["/usr/bin/prometheus-node-exporter", "/usr/local/bin/node_exporter", "/usr/bin/node_exporter"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(nodeExporter != nil, "node_exporter is not installed (apt-get install prometheus-node-exporter)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/host-compat").path, binary]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "scripts/host-compat failed:\n\(text)")
    }
}
