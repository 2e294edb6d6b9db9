/// One fuzz target: a name (its corpus is `Tests/Fuzz/corpus/<name>/`) and a function that must
/// neither trap nor break its stated property on any input. A property violation is a
/// `fatalError`, which libFuzzer reports as a crash and saves the input.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void
}

enum FuzzTargets {
    static let all: [FuzzTarget] = hostTargets + protocolTargets + configTargets

    /// The target named by the first argument, found once.
    static let selected: FuzzTarget? = {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else { return nil }
        return all.first { $0.name == arguments[1] }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.selected?.run(bytes)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's loop over `fuzzOneInput` (referenced only here: the @_cdecl function's symbol is
/// emitted again in each file that takes its address as a C function pointer).
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
) -> CInt {
    runFuzzerDriver(argc, argv, fuzzOneInput)
}

/// Stops the run with the input saved: the property a target checks does not hold.
func violated(_ what: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("property violated: \(what)", file: file, line: line)
}

/// Text as procfs readers see it: FileReader turns file bytes into a String the same way.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
