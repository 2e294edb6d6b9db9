import Foundation
import Synchronization
import TestSupport
import Testing
@testable import ExporterCore

extension FakeDockerDaemon {
    /// A recorded answer from Fixtures/docker.
    static func fixture(_ name: String) -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: Fixtures.path("docker/" + name)))) ?? Data())
    }
}

@Suite struct ContainerCollectorTests {
    static func context(seconds: Double) -> CollectContext {
        CollectContext(deadline: MonotonicTime.now().adding(seconds: seconds), logger: .disabled, exposition: ExpositionStats())
    }

    static func collector(_ path: String, bodyLimit: Int = 8 << 20) -> ContainerCollector {
        ContainerCollector(
            client: DockerClient(socketPath: path, bodyLimit: bodyLimit), labels: [], concurrency: 4, logger: .disabled)
    }

    /// Routes of a healthy Podman: recorded answers, rec2 exited, rec1 running.
    static func podmanRoute(_ path: String) -> [UInt8]? {
        if path == "/version" { return FakeDockerDaemon.fixture("podman-version.http") }
        if path.hasPrefix("/v1.41/containers/json") { return FakeDockerDaemon.fixture("podman-list.http") }
        if path.hasSuffix("/stats?stream=false&one-shot=true") { return FakeDockerDaemon.fixture("podman-stats-running.http") }
        if path.contains("/49575f6a1ae5") { return FakeDockerDaemon.json(String(decoding: FakeDockerDaemon.fixture("podman-inspect-running.json"), as: UTF8.self)) }
        if path.contains("/c167deb2a41a") { return FakeDockerDaemon.json(String(decoding: FakeDockerDaemon.fixture("podman-inspect-exited.json"), as: UTF8.self)) }
        return FakeDockerDaemon.json("{\"message\":\"no such container\"}", status: "404 Not Found")
    }

    @Test func collectsFromAFakeDaemonWithChunkedAnswers() throws {
        let daemon = try FakeDockerDaemon(Self.podmanRoute)
        defer { daemon.stop() }
        let families = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        let names = Set(families.map(\.name))
        #expect(names.contains("container_cpu_usage_seconds_total"))
        #expect(families.first { $0.name == "container_state" }?.samples.count == 14)
        #expect(families.first { $0.name == "container_exit_code" }?.samples.map(\.value).sorted() == [0, 3])
    }

    /// cgroups that cannot be read (no such procfs here) fall back to the API's stats, and the
    /// fallback does not add requests: the same as with cgroups off (rec1 has a health check, so
    /// it is inspected every scrape either way).
    @Test func unreadableCgroupsFallBackToTheAPI() throws {
        final class Requests: Sendable { let paths = Mutex<[String]>([]) }
        func requests(cgroups: CgroupReader?) throws -> [String] {
            let requests = Requests()
            let daemon = try FakeDockerDaemon { path in
                requests.paths.withLock { $0.append(path) }
                return Self.podmanRoute(path)
            }
            defer { daemon.stop() }
            let collector = ContainerCollector(
                client: DockerClient(socketPath: daemon.path), labels: [], concurrency: 4, logger: .disabled, cgroups: cgroups)
            for _ in 0..<3 {
                let families = try collector.collect(Self.context(seconds: 5))
                #expect(families.first { $0.name == "container_cpu_usage_seconds_total" }?.samples.count == 1)
            }
            return requests.paths.withLock { $0 }.sorted()
        }
        let unreadable = CgroupReader(paths: HostPaths(procfs: "/nonexistent-\(getpid())", sysfs: "/nonexistent-\(getpid())"))
        let viaFallback = try requests(cgroups: unreadable)
        #expect(viaFallback.filter { $0.hasSuffix("/stats?stream=false&one-shot=true") }.count == 3)
        #expect(viaFallback == (try requests(cgroups: nil)))
    }

    /// Podman's native list (the shape Podman 4.3.1 answers: names without `/`, null labels, empty
    /// Status) is used when it answers, and gives the same containers as the compat list.
    @Test func podmanNativeListIsPreferred() throws {
        let native = """
            [{"Id":"49575f6a1ae548a3ce4b6fdbf8aee66f16ecfffa19c6454bd1cb2dba3dd7b6b5","Names":["rec1"],"Image":"localhost/bb:latest",\
            "Labels":{"org.label-schema.group":"mon"},"Pid":4242,"State":"running","Status":""},
             {"Id":"c167deb2a41a13ee177e1f5e2a1373e8bdb3fd84fc932fa359a8ac9ffb972edb","Names":["rec2"],"Image":"localhost/bb:latest",\
            "Labels":null,"Pid":0,"State":"exited","Status":""}]
            """
        let daemon = try FakeDockerDaemon { path in
            if path.hasPrefix("/v4.3.1/libpod/containers/json?all=true") { return FakeDockerDaemon.json(native) }
            if path.hasPrefix("/v1.41/containers/json") { return FakeDockerDaemon.json("{\"message\":\"compat list used\"}", status: "500 Internal Server Error") }
            return Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        let viaNative = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        let compat = try FakeDockerDaemon(Self.podmanRoute)
        defer { compat.stop() }
        let viaCompat = try Self.collector(compat.path).collect(Self.context(seconds: 5))
        func states(_ families: [MetricFamily]) -> [Sample] { families.first { $0.name == "container_state" }?.samples ?? [] }
        #expect(states(viaNative).count == 14)
        #expect(states(viaNative) == states(viaCompat))
    }

    @Test func containerGoneBetweenListAndStatsIsSkipped() throws {
        let daemon = try FakeDockerDaemon { path in
            if path.hasSuffix("/stats?stream=false&one-shot=true") { return Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8) }
            return Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        let families = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        let names = families.flatMap(\.samples).compactMap { $0.labels.first { $0.name == "name" }?.value }
        #expect(!names.contains("rec1"))
        #expect(names.contains("rec2"))
    }

    /// Podman answers 200 with an empty body for a container that stopped after the list.
    @Test func emptyStatsOfAContainerThatJustStoppedAreNotAFault() throws {
        let daemon = try FakeDockerDaemon { path in
            path.contains("/stats") ? Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8) : Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        let families = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        #expect(families.first { $0.name == "container_state" }?.samples.count == 14)
        #expect(!families.contains { $0.name == "container_cpu_usage_seconds_total" })
    }

    @Test func inspectErrorOfOneContainerIsNotAFault() throws {
        let daemon = try FakeDockerDaemon { path in
            path.hasSuffix("/json") && path.contains("/c167deb2a41a")
                ? FakeDockerDaemon.json("{\"message\":\"busy\"}", status: "500 Internal Server Error") : Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        let families = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        #expect(families.first { $0.name == "container_exit_code" }?.samples.count == 1)
        #expect(families.first { $0.name == "container_state" }?.samples.count == 14)
    }

    @Test func daemonThatNeverAnswersIsBoundedByTheDeadline() throws {
        let daemon = try FakeDockerDaemon { _ in nil }
        defer { daemon.stop() }
        let started = MonotonicTime.now()
        #expect(throws: DockerClientError.deadline) { try Self.collector(daemon.path).collect(Self.context(seconds: 0.5)) }
        #expect(started.secondsElapsed() < 1.5)
    }

    /// A container whose stats never come fails alone, before the collector deadline: the others
    /// and its own list and inspect series are reported, and it is flagged incomplete.
    @Test func statsThatNeverAnswerFailThatContainerAlone() throws {
        let daemon = try FakeDockerDaemon { path in path.contains("/stats") ? nil : Self.podmanRoute(path) }
        defer { daemon.stop() }
        let started = MonotonicTime.now()
        let context = Self.context(seconds: 0.5)
        let families = try Self.collector(daemon.path).collect(context)
        #expect(MonotonicTime.now() < context.deadline, "answered before the collector deadline")
        #expect(started.secondsElapsed() < 1.5)
        #expect(families.first { $0.name == "container_state" }?.samples.count == 14)
        #expect(!families.contains { $0.name == "container_cpu_usage_seconds_total" })
        let incomplete = families.first { $0.name == "stack_exporter_container_incomplete" }
        #expect(incomplete?.samples.map { $0.labels.map(\.value) } == [["rec1", "timeout"]])
    }

    /// Garbage in one container's inspect answer costs that container's details, not the scrape.
    @Test func garbageInspectOfOneContainerFailsItAlone() throws {
        let daemon = try FakeDockerDaemon { path in
            path.hasSuffix("/json") && path.contains("/c167deb2a41a") ? FakeDockerDaemon.json("{\"Id\": [1,") : Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        let families = try Self.collector(daemon.path).collect(Self.context(seconds: 5))
        #expect(families.first { $0.name == "container_state" }?.samples.count == 14)
        let incomplete = families.first { $0.name == "stack_exporter_container_incomplete" }
        #expect(incomplete?.samples.map { $0.labels.map(\.value) } == [["rec2", "bad_response"]])
    }

    @Test func missingSocketFailsWithItsPath() {
        let path = "/tmp/no-such-docker-\(getpid()).sock"
        #expect {
            try Self.collector(path).collect(Self.context(seconds: 1))
        } throws: { error in
            String(describing: error).contains(path) && String(describing: error).contains("No such file")
        }
    }

    @Test func malformedJSONIsAnError() throws {
        let daemon = try FakeDockerDaemon { path in
            path.hasPrefix("/v1.41/containers/json") ? FakeDockerDaemon.json("[{\"Id\": \"abc\", ") : Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        #expect(throws: DockerAPIError.self) { try Self.collector(daemon.path).collect(Self.context(seconds: 2)) }
    }

    @Test func malformedHTTPIsAnError() throws {
        let daemon = try FakeDockerDaemon { _ in Array("SSH-2.0-nope\r\n\r\n".utf8) }
        defer { daemon.stop() }
        #expect(throws: DockerClientError.self) { try Self.collector(daemon.path).collect(Self.context(seconds: 2)) }
    }

    @Test func oversizedAnswerIsAnError() throws {
        let big = "[" + Array(repeating: "{\"Id\":\"x\"}", count: 20_000).joined(separator: ",") + "]"
        let daemon = try FakeDockerDaemon { path in
            path.hasPrefix("/v1.41/containers/json") ? FakeDockerDaemon.json(big) : Self.podmanRoute(path)
        }
        defer { daemon.stop() }
        #expect(throws: DockerClientError.http(.tooLarge(limit: 64 * 1024))) {
            try Self.collector(daemon.path, bodyLimit: 64 * 1024).collect(Self.context(seconds: 2))
        }
    }

    @Test func dockerHostSelection() throws {
        #expect(try DockerHost.socketPath(flag: DockerHost.defaultValue, flagWasSet: false, environment: [:]) == "/var/run/docker.sock")
        #expect(try DockerHost.socketPath(flag: DockerHost.defaultValue, flagWasSet: false, environment: ["DOCKER_HOST": "unix:///run/user/1000/podman/podman.sock"]) == "/run/user/1000/podman/podman.sock")
        #expect(try DockerHost.socketPath(flag: "unix:///x.sock", flagWasSet: true, environment: ["DOCKER_HOST": "unix:///y.sock"]) == "/x.sock")
        #expect(throws: CollectorError.self) { try DockerHost.socketPath(flag: "tcp://1.2.3.4:2375", flagWasSet: true, environment: [:]) }
        #expect(throws: CollectorError.self) { try DockerHost.socketPath(flag: "unix://relative.sock", flagWasSet: true, environment: [:]) }
    }
}
