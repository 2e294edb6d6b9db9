import CBuildInfo

/// Version facts shown by `--version`, the landing page and `stack_exporter_build_info`.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The checkout's commit (12 hex digits), passed in by Package.swift; "unknown" outside one.
    public static let revision = String(cString: se_git_revision())

    public static var swiftVersion: String {
        #if swift(>=6.4)
        "6.4"
        #elseif swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    public static var versionText: String {
        "stack_exporter, version \(version) (revision: \(revision), swift: \(swiftVersion))\n"
    }
}
