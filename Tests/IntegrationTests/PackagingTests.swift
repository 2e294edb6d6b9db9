import Foundation
import Testing
import TestSupport

/// scripts/install, the systemd unit, the man page and the container image, exercised for real:
/// the unit is checked by systemd's own tools (PID 1 here is not systemd, so it is not started),
/// and the image is built from the local binary and run by Podman against the host's /proc,
/// /sys and / mounted read-only.
@Suite(.serialized) struct PackagingTests {
    let binary: String
    init() throws { binary = try Package.binary() }

    /// Every flag of --help has an entry in the man page, and groff renders it without warnings
    /// (the line-breaking category aside: long flag names cannot be hyphenated).
    @Test func manPageCoversEveryFlagAndRendersCleanly() throws {
        let help = try run(binary, ["--help"]).stdout
        let page = try run(binary, ["--help-man"])
        #expect(page.status == 0)
        let flags = Set(help.matches(of: /--(?:\[no-\])?([a-z][a-z0-9._-]*)/).map { String($0.output.1) })
        #expect(flags.count > 40)
        for flag in flags {
            let escaped = flag.replacingOccurrences(of: "-", with: "\\-")
            #expect(page.stdout.contains("\\-\\-" + escaped) || page.stdout.contains("\\-\\-[no\\-]" + escaped), "\(flag) not in the man page")
        }
        let groff = try run(try tool("groff"), ["-man", "-Tutf8", "-ww", "-Wbreak", "-z"], input: Data(page.stdout.utf8))
        #expect(groff.status == 0)
        #expect(groff.stderr.isEmpty, "groff: \(groff.stderr)")
    }

    @Test func installStagesAHardenedUnitThatSystemdAccepts() throws {
        let root = NSTemporaryDirectory() + "se-install-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let env = ["DESTDIR": root, "INPLACE": "1", "BINARY": binary, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let installed = try run("/bin/bash", [Package.root + "/scripts/install"], environment: env)
        #expect(installed.status == 0, "\(installed.stderr)")
        let unit = root + "/etc/systemd/system/stack_exporter.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(root)/usr/local/bin/stack_exporter $ARGS"))
        #expect(text.contains("EnvironmentFile=-\(root)/etc/default/stack_exporter"))
        #expect(try mode(root + "/etc/default/stack_exporter") == 0o600)
        #expect(try run(root + "/usr/local/bin/stack_exporter", ["--version"]).stdout.hasPrefix("stack_exporter, version"))

        // verify runs `man` for Documentation=man:stack_exporter(1): point it at the staged page.
        let verify = try run(try tool("systemd-analyze"), ["verify", unit],
                             environment: env.merging(["MANPATH": root + "/usr/local/share/man"]) { $1 })
        #expect(verify.status == 0, "systemd-analyze verify: \(verify.stdout)\(verify.stderr)")
        let security = try run(try tool("systemd-analyze"), ["security", "--offline=yes", "--no-pager", unit])
        let match = security.stdout.firstMatch(of: /Overall exposure level for stack_exporter.service: ([0-9.]+)/)
        let exposure: Double = match.flatMap { Double(String($0.output.1)) } ?? 10
        #expect(exposure <= 2.5, "systemd's exposure score \(exposure) (10 = unparsed): \(security.stdout.suffix(300))")

        // Uninstall keeps the operator's environment file; --purge removes it.
        #expect(try run("/bin/bash", [Package.root + "/scripts/uninstall"], environment: env).status == 0)
        #expect(!FileManager.default.fileExists(atPath: unit))
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/bin/stack_exporter"))
        #expect(FileManager.default.fileExists(atPath: root + "/etc/default/stack_exporter"))
        #expect(try run("/bin/bash", [Package.root + "/scripts/uninstall", "--purge"], environment: env).status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/default/stack_exporter"))
    }

    /// The image holds only what scripts/container-image copied in; `check` inside it reads the
    /// host's memory and root file system through the read-only mounts, and a certificate through
    /// the OpenSSL it loads on first use (so the dlopen'd libraries made it into the image).
    @Test func containerImageRunsAgainstTheHostsFileSystemsReadOnly() throws {
        let podman = try tool("podman")
        let tag = "localhost/stack_exporter-test:\(getpid())"
        let certs = try CertFactory()
        try certs.selfSigned("site", cn: "shop.example", days: 3)
        // The image runs as nobody: the mounted certificate must be readable by others.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: certs.dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certs.path("site.pem"))
        defer { _ = try? run(podman, ["rmi", "-f", tag]) }
        let env = ["BINARY": binary, "TAG": tag, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let built = try run("/bin/bash", [Package.root + "/scripts/container-image"], environment: env, timeout: 300)
        #expect(built.status == 0, "\(built.stderr.suffix(600))")
        let checked = try run(podman, [
            "--runtime", "runc", "run", "--rm", "--network", "none",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000",
            "-v", "/proc:/host/proc:ro", "-v", "/sys:/host/sys:ro", "-v", "/:/rootfs:ro,rslave", "-v", "\(certs.dir):/certs:ro",
            tag, "check", "--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/rootfs",
            "--collector.disable-defaults", "--collector.meminfo", "--collector.filesystem", "--collector.tls",
            "--tls.file=/certs/site.pem",
        ], timeout: 120)
        #expect(checked.stdout.contains("memory used · host"), "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("disk used · /  ") || checked.stdout.contains("disk used · / "), "\(checked.stdout)")
        #expect(checked.stdout.contains("/certs/site.pem (shop.example)"), "\(checked.stdout)\(checked.stderr)")
        let row = checked.stdout.split(separator: "\n").first { $0.contains("certificate · /certs/site.pem") }
        #expect(row?.hasPrefix("CRIT") == true, "a 3-day certificate is critical: \(checked.stdout)")
        #expect(checked.status == 2)
    }

    private func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? Int) ?? -1
    }
}
