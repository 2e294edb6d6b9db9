import Foundation

/// Generates real certificates with the `openssl` CLI into a temporary directory (nothing is
/// written into the repository). OpenSSL 3.0's `x509` cannot backdate, so expired and
/// not-yet-valid certificates come from `openssl ca -selfsign` with explicit dates.
public final class CertFactory {
    public let dir: String
    private var serial = 0x1000

    public init() throws {
        dir = NSTemporaryDirectory() + "tls-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "".write(toFile: dir + "/index.txt", atomically: true, encoding: .utf8)
        try """
            [ ca ]
            default_ca = d
            [ d ]
            database = \(dir)/index.txt
            new_certs_dir = \(dir)
            serial = \(dir)/serial
            default_md = sha256
            policy = p
            unique_subject = no
            copy_extensions = copy
            [ p ]
            commonName = supplied
            """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    public enum Key: String, Sendable { case rsa, ec, ed25519 }

    public func path(_ name: String) -> String { dir + "/" + name }

    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let result = try runCommand(arguments, timeout: 60)
        guard result.status == 0 else {
            throw ChildProcessError("\(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout
    }

    private func keyArgs(_ key: Key) -> [String] {
        switch key {
        case .rsa: ["-newkey", "rsa:2048"]
        case .ec: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .ed25519: ["-newkey", "ed25519"]
        }
    }

    /// A self-signed certificate valid for `days`, written to `<name>.pem` with key `<name>.key`.
    @discardableResult
    public func selfSigned(_ name: String, cn: String, key: Key = .ec, days: Int = 90, subject: String? = nil, san: String? = nil) throws -> String {
        var args = ["openssl", "req", "-x509"] + keyArgs(key) + ["-nodes", "-keyout", path(name + ".key"), "-out", path(name + ".pem"),
                    "-days", String(days), "-subj", subject ?? "/CN=\(cn)"]
        args += ["-addext", "subjectAltName=\(san ?? "DNS:\(cn)")"]
        try Self.run(args)
        return path(name + ".pem")
    }

    /// Self-signed with explicit validity (`YYYYMMDDHHMMSSZ`), through `openssl ca -selfsign`.
    @discardableResult
    public func dated(_ name: String, cn: String, start: String, end: String, key: Key = .ec) throws -> String {
        serial += 1
        try String(serial, radix: 16).write(toFile: path("serial"), atomically: true, encoding: .utf8)
        try Self.run(["openssl", "req", "-new"] + keyArgs(key) + ["-nodes", "-keyout", path(name + ".key"), "-out", path(name + ".csr"),
                      "-subj", "/CN=\(cn)", "-addext", "subjectAltName=DNS:\(cn)"])
        try Self.run(["openssl", "ca", "-batch", "-config", path("ca.cnf"), "-selfsign", "-keyfile", path(name + ".key"),
                      "-in", path(name + ".csr"), "-out", path(name + ".pem"), "-startdate", start, "-enddate", end, "-notext"])
        return path(name + ".pem")
    }

    /// Root CA, intermediate and leaf (`leaf.pem`, `intermediate.pem`, `root.pem`, `chain.pem` =
    /// leaf + intermediate, `fullchain.pem` = leaf + intermediate + root).
    public func chain(leafCN: String, leafDays: Int = 5, intermediateDays: Int = 400, rootDays: Int = 3650) throws {
        try Self.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("root.key"), "-out", path("root.pem"),
                      "-days", String(rootDays), "-subj", "/C=DE/O=Test Root Org/CN=Test Root CA"])
        try "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n".write(toFile: path("ca.ext"), atomically: true, encoding: .utf8)
        try Self.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("intermediate.key"),
                      "-out", path("intermediate.csr"), "-subj", "/C=DE/O=Test Org/OU=Issuing/CN=Test Intermediate CA"])
        try Self.run(["openssl", "x509", "-req", "-in", path("intermediate.csr"), "-CA", path("root.pem"), "-CAkey", path("root.key"),
                      "-CAcreateserial", "-days", String(intermediateDays), "-extfile", path("ca.ext"), "-out", path("intermediate.pem")])
        try "subjectAltName=DNS:\(leafCN),IP:127.0.0.1\n".write(toFile: path("leaf.ext"), atomically: true, encoding: .utf8)
        try Self.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("leaf.key"),
                      "-out", path("leaf.csr"), "-subj", "/CN=\(leafCN)"])
        try Self.run(["openssl", "x509", "-req", "-in", path("leaf.csr"), "-CA", path("intermediate.pem"), "-CAkey", path("intermediate.key"),
                      "-CAcreateserial", "-days", String(leafDays), "-extfile", path("leaf.ext"), "-out", path("leaf.pem")])
        let leaf = try String(contentsOfFile: path("leaf.pem"), encoding: .utf8)
        let intermediate = try String(contentsOfFile: path("intermediate.pem"), encoding: .utf8)
        let root = try String(contentsOfFile: path("root.pem"), encoding: .utf8)
        try (leaf + intermediate).write(toFile: path("chain.pem"), atomically: true, encoding: .utf8)
        try (leaf + intermediate + root).write(toFile: path("fullchain.pem"), atomically: true, encoding: .utf8)
        try (intermediate + root).write(toFile: path("intermediate+root.pem"), atomically: true, encoding: .utf8)
    }

    /// A client certificate (`<name>.pem`, `<name>.key`, clientAuth usage) signed by the root of
    /// `chain(…)`, which must have run first.
    @discardableResult
    public func clientCertificate(_ name: String, cn: String) throws -> String {
        try "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:\(cn)\n".write(toFile: path(name + ".ext"), atomically: true, encoding: .utf8)
        try Self.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path(name + ".key"),
                      "-out", path(name + ".csr"), "-subj", "/CN=\(cn)"])
        try Self.run(["openssl", "x509", "-req", "-in", path(name + ".csr"), "-CA", path("root.pem"), "-CAkey", path("root.key"),
                      "-CAcreateserial", "-days", "30", "-extfile", path(name + ".ext"), "-out", path(name + ".pem")])
        return path(name + ".pem")
    }

    /// `openssl x509 -enddate` / `-startdate` as Unix seconds (via date(1)), the reference value.
    public static func openSSLDate(_ file: String, end: Bool = true) throws -> Double {
        let line = try run(["openssl", "x509", "-in", file, "-noout", end ? "-enddate" : "-startdate"])
        let text = line.split(separator: "=", maxSplits: 1).last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let seconds = try run(["date", "-u", "-d", text, "+%s"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return Double(seconds) ?? -1
    }

    public static func serialDecimal(_ file: String) throws -> String {
        let hex = try run(["openssl", "x509", "-in", file, "-noout", "-serial"])
            .split(separator: "=").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        return try run(["python3", "-c", "print(int('\(hex)', 16))"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
