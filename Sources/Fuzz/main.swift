// libFuzzer driver for every parser of outside input (issue #12). Built only with
// STACK_EXPORTER_FUZZ=1 and `-sanitize=fuzzer` (see scripts/fuzz):
//
//   stack_exporter_fuzz <target> [libFuzzer flags] [corpus dirs]
//
// The target name is taken off the argument list; the rest goes to libFuzzer unchanged. SwiftPM
// gives an executable its own `main` (this file), so libFuzzer's `main` is not the entry point:
// this one calls LLVMFuzzerRunDriver, libFuzzer's documented entry for programs with their own main.
import ExporterCore

guard CommandLine.arguments.count >= 2, FuzzTargets.selected != nil else {
    let names = FuzzTargets.all.map(\.name).joined(separator: " ")
    StandardStreams.writeError("usage: stack_exporter_fuzz <target> [libFuzzer flags] [corpus…]\ntargets: \(names)\n")
    StandardStreams.exit(2)
}

// argv without the target name: argv[0] stays, argv[1] is dropped.
var argc = CommandLine.argc - 1
let argv = CommandLine.unsafeArgv
var index = 1
while index < Int(argc) + 1 {
    argv[index] = argv[index + 1]
    index += 1
}
var shifted = argv
StandardStreams.exit(runFuzzer(&argc, &shifted))
