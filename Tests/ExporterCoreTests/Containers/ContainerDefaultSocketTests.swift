import Testing
@testable import ExporterCore

/// The collector is on by default: the default socket missing means "no Docker here", not a
/// failure; a socket the operator named must exist.
@Suite struct ContainerDefaultSocketTests {
    private func collector(optional: Bool) -> ContainerCollector {
        ContainerCollector(
            client: DockerClient(socketPath: "/nonexistent/stack-exporter-test.sock"), socketOptional: optional,
            labels: [], concurrency: 2, logger: .disabled)
    }

    private var context: CollectContext {
        CollectContext(deadline: MonotonicTime.now().adding(seconds: 1), logger: .disabled, exposition: ExpositionStats())
    }

    @Test func missingDefaultSocketIsNothingToCollect() throws {
        #expect(try collector(optional: true).collect(context).isEmpty)
    }

    @Test func missingNamedSocketFails() {
        #expect(throws: (any Error).self) { try collector(optional: false).collect(context) }
    }

    @Test func isOnByDefault() throws {
        let module = try #require(ContainerCollectors.modules.first)
        #expect(module.enabledByDefault)
    }
}
