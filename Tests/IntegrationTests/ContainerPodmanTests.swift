import Foundation
import Synchronization
import Testing
@testable import ExporterCore
import TestSupport

/// Podman (Debian's package) serving the Docker API on a unix socket, with containers in each
/// state the runbooks care about, scraped through the real binary. runc, not crun (crun fails on
/// this cgroup setup); no network and no registry: the image is a busybox rootfs imported locally.
final class PodmanFixture {
    let podman: String
    /// Unique per fixture, not only per process: suites run concurrently, and each fixture's
    /// clean-up removes every container with its prefix and its socket path.
    let prefix = "sexp\(getpid())-\(PodmanFixture.nextNumber())"
    private static let counter = Mutex(0)
    private static func nextNumber() -> Int { counter.withLock { $0 += 1; return $0 } }
    let socketPath: String
    private var service: ChildProcess?
    private var containers: [String] = []
    static let image = "localhost/stack-exporter-bb:latest"

    init() throws {
        podman = try tool("podman")
        socketPath = "/tmp/\(prefix).sock"
        try Self.ensureImage(podman)
    }

    /// `podman --runtime runc <args>`; throws with its output on failure.
    @discardableResult
    func podman(_ arguments: [String], allowFailure: Bool = false) throws -> String {
        let result = try run(podman, ["--runtime", "runc"] + arguments)
        if result.status != 0 && !allowFailure {
            throw TestFailure("podman \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout
    }

    /// Starts a detached container; returns its full id.
    @discardableResult
    func start(_ name: String, _ options: [String], _ command: [String]) throws -> String {
        let full = "\(prefix)-\(name)"
        containers.append(full)
        let limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000", "--network", "none"]
        let id = try podman(["run", "-d", "--name", full] + limits + options + [Self.image] + command)
        return id.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func name(_ short: String) -> String { "\(prefix)-\(short)" }

    func startService() throws {
        try? FileManager.default.removeItem(atPath: socketPath)
        service = try ChildProcess([podman, "--runtime", "runc", "system", "service", "--time=0", "unix://\(socketPath)"])
        let socketPath = self.socketPath
        guard Wait.until(timeout: 15, interval: 0.05, { FileManager.default.fileExists(atPath: socketPath) }) else {
            throw TestFailure("podman system service did not create \(socketPath)")
        }
    }

    /// Removes the containers and stops the service; safe to call twice.
    func cleanUp() {
        // A `--restart always` container can come back while it is removed: retry until none is left.
        Wait.until(timeout: 30, interval: 0.3) {
            guard !containers.isEmpty else { return true }
            _ = try? run(podman, ["--runtime", "runc", "rm", "-f", "--ignore", "-t", "0"] + containers)
            let left = (try? run(podman, ["ps", "-a", "--format", "{{.Names}}", "--filter", "name=^\(prefix)-"]))?.stdout ?? ""
            containers = left.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix + "-") }
            return containers.isEmpty
        }
        service?.stop(timeout: 10)
        service = nil
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    deinit { cleanUp() }

    /// A rootfs holding /bin/busybox and its applet links, imported as an image once per machine.
    static func ensureImage(_ podman: String) throws {
        if try run(podman, ["image", "exists", image]).status == 0 { return }
        let busybox = try tool("busybox")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sexp-rootfs-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: busybox, toPath: root + "/bin/busybox")
        let applets = try run(busybox, ["--list"]).stdout.split(separator: "\n").map(String.init)
        for applet in applets where applet != "busybox" {
            try? FileManager.default.createSymbolicLink(atPath: root + "/bin/" + applet, withDestinationPath: "busybox")
        }
        let tar = root + ".tar"
        defer { try? FileManager.default.removeItem(atPath: tar) }
        let packed = try run(try tool("tar"), ["-C", root, "-cf", tar, "."])
        guard packed.status == 0 else { throw TestFailure("tar: \(packed.stderr)") }
        let imported = try run(podman, ["import", tar, image], timeout: 120)
        guard imported.status == 0 else { throw TestFailure("podman import: \(imported.stderr)") }
    }
}


@Suite(.serialized, .timeLimit(.minutes(10))) struct ContainerPodmanTests {
    @Test func containersInEveryStateThroughTheRealBinary() throws {
        let podman = try PodmanFixture()
        defer { podman.cleanUp() }
        let running = try podman.start(
            "run", ["--memory", "64m", "--cpus", "0.5", "--label", "org.label-schema.group=web", "--label", "secret.note=x"],
            ["sleep", "600"])
        try podman.start("exit3", [], ["sh", "-c", "exit 3"])
        let busy = try podman.start("busy", ["--cpus", "0.2"], ["sh", "-c", "while :; do :; done"])
        try podman.start("healthy", ["--health-cmd", "true", "--health-interval", "1s"], ["sleep", "600"])
        try podman.start("sick", ["--health-cmd", "false", "--health-retries", "1", "--health-interval", "1s"], ["sleep", "600"])
        try podman.start("restarting", ["--restart", "always"], ["sh", "-c", "sleep 0.2; exit 1"])
        try podman.start("created", [], ["true"])  // replaced below by a created-only container
        try podman.podman(["rm", "-f", podman.name("created")])
        _ = try podman.podman(["create", "--name", podman.name("created"), "--network", "none", PodmanFixture.image, "true"])
        try podman.podman(["wait", podman.name("exit3")], allowFailure: true)
        // Health timers need systemd here; evaluate the checks once by hand.
        try podman.podman(["healthcheck", "run", podman.name("healthy")], allowFailure: true)
        try podman.podman(["healthcheck", "run", podman.name("sick")], allowFailure: true)
        // The restart policy has restarted it at least once (what container_restarts_total shows).
        let restarts = { (try? podman.podman(["inspect", "--format", "{{.RestartCount}}", podman.name("restarting")])) ?? "" }
        #expect(Wait.until(timeout: 30, interval: 0.1) { (Int(restarts().trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1 },
                "RestartCount \(restarts())")
        try podman.startService()

        let exporter = try ContainerFaultTests.LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--docker.host=unix://\(podman.socketPath)",
            "--collector.containers.labels=org.label-schema.group", "--log.level=debug",
        ])
        let text = try exporter.metrics().text
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(sampleValue(text, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 1, "\(exporter.logText)")
        #expect(sampleValue(text, "container_engine_info", ["engine": "podman", "api_version": "1.41"]) == 1)

        let run = ["name": podman.name("run")]
        #expect(sampleValue(text, "container_state", run.merging(["state": "running"]) { a, _ in a }) == 1)
        #expect(sampleValue(text, "container_state", run.merging(["state": "exited"]) { a, _ in a }) == 0)
        #expect(sampleValue(text, "container_spec_memory_limit_bytes", run) == Double(64 * 1024 * 1024))
        #expect(sampleValue(text, "container_spec_cpu_quota", run) == 50_000)
        #expect(sampleValue(text, "container_spec_cpu_period", run) == 100_000)
        #expect((sampleValue(text, "container_memory_usage_bytes", run) ?? 0) > 0)
        #expect(sampleValue(text, "container_memory_working_set_bytes", run) != nil)
        #expect((sampleValue(text, "container_cpu_usage_seconds_total", run.merging(["cpu": "total"]) { a, _ in a }) ?? -1) >= 0)
        #expect(sampleValue(text, "container_processes", run) == 1)
        #expect((sampleValue(text, "container_start_time_seconds", run) ?? 0) > 1_600_000_000)
        #expect(abs((sampleValue(text, "container_last_seen", run) ?? 0) - Date().timeIntervalSince1970) < 30)
        #expect(sampleValue(text, "container_restarts_total", run) == 0)
        #expect(sampleValue(text, "container_exit_code", run) == 0)
        #expect(sampleValue(text, "container_state", ["id": "/docker/\(running)", "state": "running"]) == 1)
        // The allow-listed Docker label, and no other.
        #expect(text.contains("container_label_org_label_schema_group=\"web\""))
        #expect(!text.contains("secret"))

        let exited = ["name": podman.name("exit3")]
        #expect(sampleValue(text, "container_state", exited.merging(["state": "exited"]) { a, _ in a }) == 1)
        #expect(sampleValue(text, "container_exit_code", exited) == 3)
        #expect(sampleValue(text, "container_oom_killed", exited) == 0)
        #expect((sampleValue(text, "container_finished_time_seconds", exited) ?? 0) > 1_600_000_000)
        // Stopped containers have no cgroup usage, as in cAdvisor.
        #expect(sampleValue(text, "container_memory_usage_bytes", exited) == nil)
        #expect(sampleValue(text, "container_last_seen", exited) == nil)

        #expect(sampleValue(text, "container_health_state", ["name": podman.name("healthy")]) == 1)
        #expect(sampleValue(text, "container_health_state", ["name": podman.name("sick")]) == 0)
        #expect((sampleValue(text, "container_health_failing_streak", ["name": podman.name("sick")]) ?? 0) >= 1)
        #expect(sampleValue(text, "container_health_state", exited) == nil)

        #expect((sampleValue(text, "container_restarts_total", ["name": podman.name("restarting")]) ?? 0) >= 1)
        #expect(sampleValue(text, "container_state", ["name": podman.name("created"), "state": "created"]) == 1)

        // Usage came from the cgroup files, not the API: Podman's stats have no memory.stat (so no
        // RSS) and report zero CFS periods; no running container needed the fallback.
        let busyLabels = ["name": podman.name("busy")]
        let busyCPU = busyLabels.merging(["cpu": "total"]) { a, _ in a }
        #expect((sampleValue(text, "container_memory_rss", run) ?? 0) > 0)
        #expect(sampleValue(text, "container_memory_cache", run) != nil)
        #expect((sampleValue(text, "container_cpu_cfs_periods_total", busyLabels) ?? 0) > 0)
        // The list came from Podman's native endpoint (cheaper for the service), with the states above.
        #expect(!exporter.logText.contains("native container list unusable"), "\(exporter.logText)")
        let fallbacks = exporter.logText.split(separator: "\n").filter { $0.contains("cgroup unavailable") }
        for id in [running, busy] {
            #expect(!fallbacks.contains { $0.contains(String(id.prefix(12))) }, "\(fallbacks)")
        }

        // A second scrape reuses cached inspect data and still answers the same, with the busy
        // container's CPU time grown (scraped again until it has, bounded).
        let firstCPU = sampleValue(text, "container_cpu_usage_seconds_total", busyCPU) ?? 0
        var second = ""
        #expect(try Wait.until(timeout: 20, interval: 0.2) {
            second = try exporter.metrics().text
            return (sampleValue(second, "container_cpu_usage_seconds_total", busyCPU) ?? 0) > firstCPU
        }, "busy container's CPU time did not grow from \(firstCPU)")
        #expect(sampleValue(second, "container_exit_code", exited) == 3)
        #expect(sampleValue(second, "container_spec_memory_limit_bytes", run) == Double(64 * 1024 * 1024))

        // A container removed between scrapes disappears; nothing fails.
        try podman.podman(["rm", "-f", "-t", "0", podman.name("healthy")])
        let third = try exporter.metrics().text
        #expect(sampleValue(third, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 1)
        #expect(sampleValue(third, "container_state", ["name": podman.name("healthy")]) == nil)

        // Forced fallback: procfs where no pid is found, so every running container's usage
        // comes from the API's stats endpoint, with the same names and labels.
        let fallback = try ContainerFaultTests.LoggedExporter([
            "--collector.disable-defaults", "--collector.containers", "--docker.host=unix://\(podman.socketPath)",
            "--path.procfs=/nonexistent-\(getpid())", "--log.level=debug",
        ])
        let viaAPI = try fallback.metrics().text
        #expect(sampleValue(viaAPI, "stack_exporter_scrape_collector_success", ["collector": "containers"]) == 1, "\(fallback.logText)")
        #expect((sampleValue(viaAPI, "container_memory_usage_bytes", run) ?? 0) > 0)
        #expect((sampleValue(viaAPI, "container_cpu_usage_seconds_total", busyCPU) ?? 0) > 0)
        #expect(sampleValue(viaAPI, "container_processes", run) == 1)
        #expect(sampleValue(viaAPI, "container_memory_rss", run) == nil)  // Podman's API has no memory.stat
        #expect(fallback.logText.contains("container cgroup unavailable, using the API"))
    }
}
