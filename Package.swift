// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the toolchain (stdlib, Dispatch, Synchronization, Glibc) and
// system C libraries through the system-library targets below.

let package = Package(
    name: "stack_exporter",
    products: [
        .executable(name: "stack_exporter", targets: ["StackExporter"]),
    ],
    targets: [
        // Linux system headers that the Glibc module does not export (epoll).
        .systemLibrary(name: "CSystem"),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Declarations only: libpq is dlopen'ed on first use (see Sources/CLibPQ/shim.h), so no
        // pkgConfig here, whose -lpq would map libpq into every process.
        .systemLibrary(
            name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        // Declarations only, like CLibPQ: libssl/libcrypto are dlopen'ed when first needed.
        .systemLibrary(
            name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // Declarations only, like CLibPQ: libcrypt (bcrypt for basic auth) is dlopen'ed when a web
        // config names users.
        .systemLibrary(
            name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // SE_GIT_REVISION for stack_exporter_build_info{revision}: the build scripts pass
        // -Xcc -DSE_GIT_REVISION="<commit>" (scripts/revision-flags).
        .systemLibrary(name: "CBuildInfo"),
        .target(
            name: "ExporterCore",
            dependencies: ["CSystem", "CZlib", "COpenSSL", "CLibPQ", "CCrypt", "CBuildInfo"]),
        .executableTarget(
            name: "StackExporter",
            dependencies: ["ExporterCore"],
            // lld (shipped with the Swift toolchain) for two things that keep resident memory low:
            // packed relative relocations (DT_RELR, glibc ≥ 2.36), so ~25,000 RELATIVE records take
            // 5 KB instead of 600 KB that the dynamic loader reads at every start; and the functions
            // a running exporter executes placed together (link/symbol-order.txt, made by
            // scripts/make-link-order), so they fill a few pages rather than touching 64 KB
            // fault-around windows all over .text. scripts/build-release adds a static libstdc++.
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/link/symbol-order.txt",
                    "-Xlinker", "--no-warn-symbol-ordering",
                ], .when(platforms: [.linux])),
            ]),
        // Helpers shared by both test targets (test targets cannot share sources).
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"),
        .testTarget(
            name: "ExporterCoreTests",
            dependencies: ["ExporterCore", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ExporterCore", "StackExporter", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (scripts/fuzz, Tests/Fuzz/README.md): one libFuzzer driver over every parser of
// outside input. Only declared with STACK_EXPORTER_FUZZ=1, so `swift build` and CI never compile
// it; scripts/fuzz builds it with `-sanitize=fuzzer,address` into its own build path.
if Context.environment["STACK_EXPORTER_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "Fuzz", dependencies: ["ExporterCore"], path: "Sources/Fuzz"))
    package.products.append(.executable(name: "stack_exporter_fuzz", targets: ["Fuzz"]))
}
