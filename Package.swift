// swift-tools-version:6.0
import PackageDescription

import Foundation

// No package dependencies: the toolchain (stdlib, Dispatch, Synchronization, Glibc) and
// system C libraries through the system-library targets below.

/// The commit of the checkout, read from .git without running git (a worktree's .git is a file
/// naming its git directory; refs may be loose or packed); "unknown" outside a checkout.
func gitRevision(_ root: String) -> String {
    func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    var gitDir = root + "/.git"
    if let pointer = read(gitDir), pointer.hasPrefix("gitdir: ") { gitDir = String(pointer.dropFirst(8)) }
    let common = read(gitDir + "/commondir").map { $0.hasPrefix("/") ? $0 : gitDir + "/" + $0 } ?? gitDir
    guard let head = read(gitDir + "/HEAD") else { return "unknown" }
    guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
    let ref = String(head.dropFirst(5))
    if let loose = read(gitDir + "/" + ref) ?? read(common + "/" + ref) { return String(loose.prefix(12)) }
    let packed = read(common + "/packed-refs")?.split(separator: "\n").first { $0.hasSuffix(" " + ref) }
    return packed.map { String($0.prefix(12)) } ?? "unknown"
}

let revision = gitRevision(Context.packageDirectory)
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
        // SE_GIT_REVISION for stack_exporter_build_info{revision}.
        .systemLibrary(name: "CBuildInfo"),
        .target(
            name: "ExporterCore",
            dependencies: ["CSystem", "CZlib", "COpenSSL", "CLibPQ", "CCrypt", "CBuildInfo"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-DSE_GIT_REVISION=\"\(revision)\""])]),
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
