import Foundation
import Testing
import TestSupport

/// Runs scripts/host-compat: node_exporter and stack_exporter side by side on loopback, the same
/// collectors on both; metric names, label names and static values must agree, and the community
/// dashboard/alert selectors that node_exporter answers must be answered by us too.
@Suite(.timeLimit(.minutes(10))) struct HostCompatibilityTests {
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

        let result = try runCommand(["/bin/bash", root.appendingPathComponent("scripts/host-compat").path, binary], timeout: 600)
        #expect(result.status == 0, "scripts/host-compat failed:\n\(result.stdout)\(result.stderr)")
    }

    /// scripts/host-compat-fixtures: both exporters read the same recorded procfs/sysfs trees
    /// (hardware this machine lacks), and every series and value must agree.
    @Test func recordedTreesMatchNodeExporter() throws {
        let root = Self.packageRoot
        let binary = root.appendingPathComponent(".build/debug/stack_exporter").path
        let result = try runCommand(["/usr/bin/python3", root.appendingPathComponent("scripts/host-compat-fixtures").path, binary], timeout: 600)
        #expect(result.status == 0, "scripts/host-compat-fixtures failed:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("host-compat-fixtures: PASS"), "\(result.stdout)")
    }
}
