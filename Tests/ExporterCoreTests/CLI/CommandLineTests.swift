import Testing
@testable import ExporterCore

private let modules = [
    CollectorModule(name: "alpha", enabledByDefault: true, summary: "a.") { _ in ScriptedCollector() },
    CollectorModule(name: "beta", enabledByDefault: false, summary: "b.") { _ in ScriptedCollector() },
]

private func configuration(_ arguments: [String]) throws -> Configuration {
    let specs = Configuration.flagSpecs(modules: modules)
    guard case .run(let flags) = try CommandLineParser.parse(arguments, specs: specs) else {
        throw CommandLineError("not a run")
    }
    return try Configuration.make(flags: flags, modules: modules)
}

@Suite struct CommandLineTests {
    @Test func defaults() throws {
        let config = try configuration([])
        #expect(config.listenAddresses == [ListenAddress(host: "", port: 9630)])
        #expect(config.handler.telemetryPath == "/metrics")
        #expect(config.handler.collectorTimeout == 10)
        #expect(config.limits.maxConcurrentRequests == 40)
        #expect(config.limits.maxConcurrentProbes == 20)
        #expect(config.limits.maxConnections == 10_000)
        #expect(config.limits.readHeaderTimeout == 10)
        #expect(config.collectors.map(\.name) == ["alpha"])
        #expect(config.logLevel == .info && config.logFormat == .logfmt)
    }

    @Test func bothValueSyntaxesAndRepeats() throws {
        let config = try configuration([
            "--web.listen-address=127.0.0.1:9631", "--web.listen-address", "[::1]:9632",
            "--web.telemetry-path", "/m", "--collector.timeout=1500ms", "--web.max-requests=0", "--log.level", "debug",
        ])
        #expect(config.listenAddresses == [ListenAddress(host: "127.0.0.1", port: 9631), ListenAddress(host: "::1", port: 9632)])
        #expect(config.handler.telemetryPath == "/m")
        #expect(config.handler.collectorTimeout == 1.5)
        #expect(config.limits.maxConcurrentRequests == Int.max)
        #expect(config.logLevel == .debug)
    }

    @Test func collectorToggles() throws {
        #expect(try configuration(["--no-collector.alpha", "--collector.beta"]).collectors.map(\.name) == ["beta"])
        #expect(try configuration(["--collector.disable-defaults"]).collectors.isEmpty)
        #expect(try configuration(["--collector.disable-defaults", "--collector.alpha"]).collectors.map(\.name) == ["alpha"])
        #expect(try configuration(["--collector.beta=true", "--collector.alpha=false"]).collectors.map(\.name) == ["beta"])
    }

    @Test(arguments: [
        ["--bogus"], ["--web.max-requests=many"], ["--collector.timeout=soon"], ["--log.level=loud"],
        ["--web.listen-address=nonsense"], ["--web.listen-address=::1:9630"], ["--web.telemetry-path=metrics"],
        ["--web.telemetry-path"], ["positional"], ["--collector.alpha=maybe"], ["--collector.timeout=0s"],
        ["--no-web.telemetry-path"],
    ])
    func rejectsBadInput(_ arguments: [String]) {
        #expect(throws: CommandLineError.self) { try configuration(arguments) }
    }

    @Test func helpAndVersionActions() throws {
        let specs = Configuration.flagSpecs(modules: modules)
        guard case .help = try CommandLineParser.parse(["--web.max-requests=3", "--help"], specs: specs) else { Issue.record("no help"); return }
        guard case .version = try CommandLineParser.parse(["--version"], specs: specs) else { Issue.record("no version"); return }
        let help = CommandLineParser.helpText(specs: specs, summary: "s")
        for name in ["--web.listen-address=<addr>", "(default: :9630)", "--[no-]collector.alpha", "--[no-]collector.beta", "(default: 10s)", "Logging:", "Web:", "Collectors:"] {
            #expect(help.contains(name), "help lacks \(name)")
        }
    }

    @Test(arguments: [("10s", 10.0), ("500ms", 0.5), ("1m30s", 90.0), ("2", 2.0), ("1h", 3600.0), ("1.5s", 1.5)])
    func parsesDurations(_ pair: (String, Double)) {
        #expect(DurationText.seconds(pair.0) == pair.1)
    }

    @Test(arguments: ["", "s", "10x", "-1s", "ms10"])
    func rejectsDurations(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}

@Suite struct ScrapeDeadlineTests {
    @Test(arguments: [
        (nil, 10.0), ("10", 9.5), ("5", 4.5), ("1", 0.9), ("0.2", 0.18), ("abc", 10.0), ("-1", 10.0), ("0", 10.0),
        ("1e9", 10.0), ("NaN", 10.0), ("inf", 10.0), ("30", 10.0), (" 10 ", 9.5),
    ] as [(String?, Double)])
    func usesTheHeaderMinusAMargin(_ pair: (String?, Double)) {
        let seconds = ScrapeDeadline.seconds(header: pair.0, configured: 10)
        #expect(abs(seconds - pair.1) < 1e-9, "\(String(describing: pair.0)) → \(seconds)")
    }
}

@Suite struct LoggerTests {
    @Test func logfmtQuotesWhatNeedsIt() {
        let line = Logger.logfmtLine(time: "T", level: .warn, message: "collector failed", metadata: ["collector": "cpu", "err": "a \"b\" = c", "empty": ""])
        #expect(line == "time=T level=warn msg=\"collector failed\" collector=cpu err=\"a \\\"b\\\" = c\" empty=\"\"\n")
    }

    @Test func jsonEscapes() {
        let line = Logger.jsonLine(time: "T", level: .error, message: "x\ny", metadata: ["k": "\u{1}"])
        #expect(line == "{\"time\":\"T\",\"level\":\"error\",\"msg\":\"x\\ny\",\"k\":\"\\u0001\"}\n")
    }

    @Test func filtersByLevel() {
        let sink = LogSink.capture()
        let logger = Logger(level: .warn, format: .logfmt, sink: sink)
        logger.info("hidden")
        logger.error("shown")
        #expect(sink.lines.count == 1 && sink.lines[0].contains("msg=shown"))
    }
}
