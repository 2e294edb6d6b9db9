import Dispatch

/// Start-up: flags → configuration → logger → collectors → server; returns the exit status.
public enum ExporterMain {
    public static func run(arguments: [String], environment: [String: String]) -> Int32 {
        if arguments.first == "rules" { return CheckCommand.rules(Array(arguments.dropFirst())) }
        let modules = CollectorCatalog.modules
        let checking = arguments.first == "check"
        let specs = Configuration.flagSpecs(modules: modules) + (checking ? CheckFlags.checkSpecs : [])
        let configuration: Configuration
        let table: ThresholdTable
        do {
            switch try CommandLineParser.parse(Array(arguments.dropFirst(checking ? 1 : 0)), specs: specs) {
            case .help:
                StandardStreams.writeOutput(CommandLineParser.helpText(specs: specs, summary: Configuration.summary))
                return 0
            case .manPage:
                StandardStreams.writeOutput(ManPage.render(specs: specs, summary: Configuration.summary, version: BuildInfo.version))
                return 0
            case .version:
                StandardStreams.writeOutput(BuildInfo.versionText)
                return 0
            case .run(let flags):
                configuration = try Configuration.make(flags: flags, modules: modules)
                table = checking ? try CheckFlags.table(flags) : .defaults  // the server reads no thresholds
            }
        } catch {
            StandardStreams.writeError("stack_exporter: error: \(error), try --help\n")
            return 2
        }
        guard checking else { return serve(configuration, environment: environment) }
        let output = RunbookCheck.Output(rawValue: configuration.flags[CheckFlags.output]) ?? .text
        return CheckCommand.check(configuration, table: table, output: output, environment: environment)
    }

    struct CollectorStartError: Error {
        let collector: String
        let message: String
        /// A bad configuration value (exit status 2, as a bad flag), not a failure to start.
        var configuration = false
    }

    /// Builds every enabled collector from its module; the first that cannot start is the error.
    static func makeCollectors(
        _ configuration: Configuration, environment: [String: String], logger: Logger
    ) -> Result<[(name: String, collector: any Collector)], CollectorStartError> {
        let settings = CollectorSettings(flags: configuration.flags, environment: environment, logger: logger)
        var collectors: [(name: String, collector: any Collector)] = []
        for module in configuration.collectors {
            do {
                collectors.append((module.name, try module.make(settings)))
            } catch {
                let configuration = (error as? CollectorError)?.isConfiguration ?? false
                return .failure(CollectorStartError(collector: module.name, message: String(describing: error), configuration: configuration))
            }
        }
        return .success(collectors)
    }

    /// A listening socket per address; nil (all closed, the failure logged) if one cannot listen.
    static func listen(on addresses: [ListenAddress], logger: Logger) -> [Socket]? {
        var listeners: [Socket] = []
        for address in addresses {
            do {
                listeners.append(try Socket.listen(on: address))
            } catch {
                logger.error("cannot listen", ["address": address.description, "err": error.description])
                listeners.forEach { $0.close() }
                return nil
            }
        }
        return listeners
    }

    /// SIGTERM/SIGINT stop the server; SIGHUP re-reads the web config (and never ends the process).
    static func watchSignals(control: ServerControl, web: WebConfigReloader?, logger: Logger) -> SignalWatcher {
        SignalWatcher({ signal in
            logger.info("shutting down", ["signal": signal])
            control.requestShutdown()
        }, hangup: {
            guard let web else { return logger.info("SIGHUP received; no --web.config.file to reload") }
            web.reload()
        })
    }

    static func serve(_ configuration: Configuration, environment: [String: String]) -> Int32 {
        SignalWatcher.blockWatchedSignals()  // before any thread starts: see there
        let logger = Logger(level: configuration.logLevel, format: configuration.logFormat)
        ProcessSetup.ignoreSIGPIPE()
        ProcessSetup.limitMallocArenas()
        let fileLimit = ProcessSetup.raiseOpenFileLimit()
        let exposition = ExpositionStats()
        let collectors: [(name: String, collector: any Collector)]
        switch makeCollectors(configuration, environment: environment, logger: logger) {
        case .success(let made): collectors = made
        case .failure(let error):
            logger.error("cannot start collector", ["collector": error.collector, "err": error.message])
            return error.configuration ? 2 : 1
        }
        let scraper = Scraper(
            collectors: collectors, logger: logger, exposition: exposition,
            nodeCompatible: Set((HostCollectors.modules + TextfileCollectors.modules).map(\.name)))
        let stats = ServerStats()
        // `/probe` is the tls collector's multi-target side: without the collector there is no route.
        var probe: TLSProbeService? = nil
        var httpProbe: HTTPProbeService? = nil
        do {
            if configuration.collectors.contains(where: { $0.name == "tls" }) {
                probe = try TLSCollectors.probeService(flags: configuration.flags, logger: logger)
            }
            if configuration.collectors.contains(where: { $0.name == "http" }) {
                httpProbe = try HTTPCollectors.probeService(flags: configuration.flags, logger: logger)
            }
        } catch {
            logger.error("cannot start /probe", ["err": String(describing: error)])
            return 1
        }
        let handler = ExporterHandler(
            settings: configuration.handler, scraper: scraper, serverStats: stats, exposition: exposition, logger: logger, probe: probe,
            httpProbe: httpProbe)
        let web: WebConfigReloader?
        do {
            web = try configuration.webConfigFile.map { path throws(WebConfigReloadError) in try WebConfigReloader(path: path, logger: logger) }
        } catch {
            logger.error("cannot load --web.config.file", ["err": error.description])
            return 1
        }
        guard let listeners = listen(on: configuration.listenAddresses, logger: logger) else { return 1 }
        let server: HTTPServer
        do {
            let limits = configuration.limits.fitting(openFileLimit: fileLimit)
            if limits.maxConnections < configuration.limits.maxConnections {
                logger.info("connection limit lowered to fit the open-file limit", ["max_connections": "\(limits.maxConnections)"])
            }
            server = try HTTPServer(
                listeners: listeners, handler: handler, limits: limits, stats: stats, logger: logger,
                web: web ?? FixedWebPolicy() as any WebPolicyProvider)
        } catch {
            logger.error("cannot start server", ["err": error.description])
            return 1
        }
        let signals = watchSignals(control: server.control, web: web, logger: logger)
        logger.info("starting stack_exporter", ["version": BuildInfo.version, "collectors": collectors.map(\.name).joined(separator: ",")])
        for (address, port) in zip(configuration.listenAddresses, server.boundPorts) {
            logger.info("listening", ["address": ListenAddress(host: address.host, port: port).description])
        }
        server.run()
        withExtendedLifetime(signals) {}
        logger.info("stopped")
        return 0
    }
}
