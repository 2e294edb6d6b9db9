import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// cAdvisor's container_fs_* from a real Podman: a container writes 2 MiB into its layer; the
/// exporter reports the engine's size of the layer, and the capacity and inodes of the file
/// system holding the engine's storage, as `df` sees them.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ContainerFilesystemTests {
    @Test func writableLayerUsageAndItsFileSystemMatchPodmanAndDf() throws {
        let podman = try PodmanFixture()
        defer { podman.cleanUp() }
        try podman.start("writer", [], ["sh", "-c", "head -c 2097152 /dev/zero > /blob && sleep 600"])
        let name = podman.name("writer")
        // The file is written before the layer is measured.
        #expect(Wait.until(timeout: 20, interval: 0.1) {
            (try? podman.podman(["exec", name, "ls", "-l", "/blob"]))?.contains("2097152") ?? false
        })
        try podman.startService()
        let exporter = try ContainerFaultTests.LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--docker.host=unix://\(podman.socketPath)",
            // The service lists every container on the machine (other suites' too): measure them all.
            "--collector.containers.fs-usage-per-scrape=64",
        ])
        // The first scrape inspects; the layer is measured from the second (a new container does
        // not slow the first scrape with the daemon's walk of its layer).
        let first = try exporter.metrics().text
        #expect(sampleValue(first, "container_fs_usage_bytes", ["name": name]) == nil)
        #expect(sampleValue(first, "container_fs_inodes_total", ["name": name]) != nil, "capacity and inodes at once")
        let labels = ["name": name]
        var text = ""
        // Measured from the second scrape; later ones if the machine is slow to answer.
        #expect(Wait.until(timeout: 30, interval: 0.2) {
            text = (try? exporter.metrics().text) ?? ""
            return sampleValue(text, "container_fs_usage_bytes", labels) != nil
        }, "\(exporter.logText)")
        let usage = try #require(sampleValue(text, "container_fs_usage_bytes", labels), "\(exporter.logText)")
        let sizeRw = try #require(Double(try podman.podman(["inspect", "--size", "--format", "{{.SizeRw}}", name])
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(usage >= 2_097_152 && abs(usage - sizeRw) < 65_536, "usage \(usage), podman SizeRw \(sizeRw)")
        #expect((sampleValue(text, "stack_exporter_container_fs_usage_age_seconds", labels) ?? -1) >= 0)

        // The same file system as df reports for the engine's storage directory.
        let upper = try podman.podman(["inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", name]).trimmingCharacters(in: .whitespacesAndNewlines)
        let storage = ContainerFilesystems.storageDirectory(upper)
        let df = try run(try tool("df"), ["-B1", "--output=source,size,itotal", storage]).stdout
            .split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(df.count == 3, "df: \(df)")
        guard df.count == 3 else { return }
        let device = ["name": name, "device": df[0]]
        #expect(sampleValue(text, "container_fs_limit_bytes", device) == Double(df[1]), "df \(df)")
        #expect(sampleValue(text, "container_fs_inodes_total", device) == Double(df[2]), "df \(df)")
        let free = try #require(sampleValue(text, "container_fs_inodes_free", device))
        #expect(free > 0 && free <= Double(df[2]) ?? 0)
    }
}
