import ExporterCore

// Everything lives in ExporterCore so it can be tested; main only hands over the process state.
let status = ExporterMain.run(arguments: ProcessEnvironment.arguments(), environment: ProcessEnvironment.variables())
StandardStreams.exit(status)
