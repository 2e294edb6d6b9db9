import Testing
@testable import ExporterCore

/// Flags are typed constants: each kind reads its own default and its given value, and
/// `wasSet` tells a given value from a default.
@Suite struct TypedFlagTests {
    private static let text = Flag.string("t.text", default: "d", help: "h", group: "g")
    private static let number = Flag.int("t.number", default: 7, help: "h", group: "g")
    private static let enabled = Flag.bool("t.enabled", default: true, help: "h", group: "g")
    private static let wait = Flag.duration("t.wait", default: "1m30s", help: "h", group: "g")
    private static let items = Flag.list("t.items", default: "a,b", help: "h", group: "g")
    private static let specs = [text.spec, number.spec, enabled.spec, wait.spec, items.spec]

    private static func parse(_ arguments: [String]) throws -> ParsedFlags {
        guard case .run(let flags) = try CommandLineParser.parse(arguments, specs: specs) else { throw CommandLineError("not a run") }
        return flags
    }

    @Test func defaultsAreTyped() throws {
        let flags = try Self.parse([])
        #expect(flags[Self.text] == "d" && flags[Self.number] == 7 && flags[Self.enabled] && flags[Self.wait] == 90)
        #expect(flags[Self.items] == ["a", "b"])
        #expect(!flags.wasSet(Self.text) && !flags.wasSet(Self.items))
    }

    @Test func givenValuesWin() throws {
        let flags = try Self.parse(["--t.text=x", "--t.number", "12", "--no-t.enabled", "--t.wait=250ms", "--t.items=c", "--t.items=d"])
        #expect(flags[Self.text] == "x" && flags[Self.number] == 12 && !flags[Self.enabled] && flags[Self.wait] == 0.25)
        #expect(flags[Self.items] == ["c", "d"])
        #expect(flags.wasSet(Self.text) && flags.wasSet(Self.enabled))
    }

    @Test func badValuesAreRefusedByTheParser() {
        #expect(throws: CommandLineError.self) { try Self.parse(["--t.number=many"]) }
        #expect(throws: CommandLineError.self) { try Self.parse(["--t.wait=soon"]) }
        #expect(throws: CommandLineError.self) { try Self.parse(["--t.enabled=maybe"]) }
    }

    /// The real declarations: a collector's flags read back what the command line gave.
    @Test func collectorFlagsReadTheirValues() throws {
        let specs = Configuration.flagSpecs(modules: CollectorCatalog.modules)
        guard case .run(let flags) = try CommandLineParser.parse(["--tls.timeout=2s", "--collector.containers.concurrency=3"], specs: specs)
        else { throw CommandLineError("not a run") }
        #expect(flags[TLSCollectors.timeout] == 2)
        #expect(flags[ContainerCollectors.concurrency] == 3)
        #expect(flags[PostgresCollectors.databaseConnections] == 8, "the default")
    }
}
