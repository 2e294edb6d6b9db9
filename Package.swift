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
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(
            name: "ExporterCore",
            // CLibPQ and CCrypt join when their users (the PostgreSQL collector, basic auth) land:
            // SwiftPM links a system library into the binary as soon as a target depends on it,
            // and every mapped library costs resident memory (libpq pulls in Kerberos, LDAP, GnuTLS).
            dependencies: ["CSystem", "CZlib", "COpenSSL"]),
        .executableTarget(
            name: "StackExporter",
            dependencies: ["ExporterCore"]),
        .testTarget(
            name: "ExporterCoreTests",
            dependencies: ["ExporterCore"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ExporterCore", "StackExporter"]),
    ],
    swiftLanguageModes: [.v6]
)
