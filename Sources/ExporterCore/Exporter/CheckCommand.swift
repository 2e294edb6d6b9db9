/// `stack_exporter check` and `stack_exporter rules`: the threshold table graded here, rendered
/// for Prometheus there.
enum CheckCommand {
    /// Two scrapes a second apart, held against the table. Exit status as monitoring plugins use
    /// it: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (the worst row: CRIT > WARN > UNKNOWN > OK); 2 also for
    /// a bad flag or override, before anything runs.
    static func check(_ configuration: Configuration, table: ThresholdTable, output: RunbookCheck.Output, environment: [String: String]) -> Int32 {
        let logger = Logger(level: max(configuration.logLevel, .warn), format: configuration.logFormat)
        let collectors: [(name: String, collector: any Collector)]
        switch ExporterMain.makeCollectors(configuration, environment: environment, logger: logger) {
        case .success(let made): collectors = made
        case .failure(let error):
            StandardStreams.writeError("stack_exporter: error: collector \(error.collector): \(error.message)\n")
            return 2
        }
        let scraper = Scraper(collectors: collectors, logger: logger, exposition: ExpositionStats())
        let timeout = configuration.handler.collectorTimeout
        let first = scraper.scrape(.all, deadline: MonotonicTime.now().adding(seconds: timeout))
        ProcessSetup.sleep(seconds: 1)
        let second = scraper.scrape(.all, deadline: MonotonicTime.now().adding(seconds: timeout))
        let findings = RunbookCheck.evaluate(
            first: first, second: second, interval: 1, now: WallClock.now(), table: table, failures: scraper.failures())
        switch output {
        case .text:
            let colour = StandardStreams.outputIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty
            StandardStreams.writeOutput(RunbookCheck.report(findings, colour: colour))
        case .json:
            StandardStreams.writeOutput(RunbookCheck.json(findings))
        }
        return RunbookCheck.verdict(findings).exitCode
    }

    /// Prints alerts.yml, recording.yml or the table, with the overrides applied.
    static func rules(_ arguments: [String]) -> Int32 {
        do {
            switch try CommandLineParser.parse(arguments, specs: CheckFlags.rulesSpecs) {
            case .help, .manPage:  // the manual page is the exporter's (stack_exporter --help-man)
                StandardStreams.writeOutput(CommandLineParser.helpText(specs: CheckFlags.rulesSpecs, summary: summary))
            case .version:
                StandardStreams.writeOutput(BuildInfo.versionText)
            case .run(let flags):
                let output = AlertRules.Output(rawValue: flags[CheckFlags.rulesOutput]) ?? .alerts
                let table = try CheckFlags.table(flags)
                StandardStreams.writeOutput(AlertRules.render(output, table: table, runbookBase: flags[CheckFlags.runbookBase]))
            }
            return 0
        } catch {
            StandardStreams.writeError("stack_exporter rules: error: \(error), try --help\n")
            return 2
        }
    }

    static let summary = """
        stack_exporter rules: the Prometheus rules of the runbook thresholds (prometheus/alerts.yml is
        `rules --output=alerts`), with the same --check.config/--check.set overrides as `check`.
        """
}
