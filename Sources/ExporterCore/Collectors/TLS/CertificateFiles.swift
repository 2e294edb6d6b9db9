import Synchronization

/// Why a certificate file yields no (or not all) certificates. The raw value is the `reason` label
/// of `x509_cert_error`: a short fixed vocabulary, so the label stays low-cardinality; the details
/// go to the log.
public enum CertificateFileProblem: String, Sendable, Equatable {
    case notFound = "not_found"
    case unreadable
    case notRegularFile = "not_regular_file"
    case tooLarge = "too_large"
    case empty
    case noCertificate = "no_certificate"
    case corruptPEM = "corrupt_pem"
    case invalidCertificate = "invalid_certificate"
}

/// What one file holds: its certificates (bundles and full chains give several), and a problem
/// when something in it could not be read. Files holding only keys, CSRs or parameters give
/// neither: they sit next to certificates in `ssl/` directories and are not errors.
public struct CertificateFileContent: Sendable, Equatable {
    public var certificates: [CertificateInfo] = []
    public var problem: CertificateFileProblem? = nil
    public var detail: String = ""

    static func failure(_ problem: CertificateFileProblem, _ detail: String) -> CertificateFileContent {
        CertificateFileContent(certificates: [], problem: problem, detail: detail)
    }
}

enum CertificateFileParser {
    /// PEM (any number of blocks) or a single DER certificate. Repeats within a file are dropped.
    /// Without libcrypto nothing can be parsed: the file is reported unreadable, with the reason.
    static func parse(_ bytes: [UInt8]) -> CertificateFileContent {
        do {
            return try parseCertificates(bytes)
        } catch {
            return .failure(.unreadable, error.description)
        }
    }

    private static func parseCertificates(_ bytes: [UInt8]) throws(OpenSSLLibrary.LoadError) -> CertificateFileContent {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return .failure(.empty, "file is empty")
        }
        guard PEM.looksLikePEM(bytes) else {
            // DER is one certificate: an ASN.1 SEQUENCE (0x30).
            guard bytes.first == 0x30, let cert = try OpenSSL.parseCertificate(der: bytes) else {
                return .failure(.noCertificate, "neither PEM nor a DER certificate")
            }
            return CertificateFileContent(certificates: [cert])
        }
        let blocks: [PEM.Block]
        do {
            blocks = try PEM.blocks(bytes)
        } catch {
            switch error {
            case .corrupt(let label, let reason): return .failure(.corruptPEM, "PEM block \(label): \(reason)")
            }
        }
        var content = CertificateFileContent()
        var seen = Set<String>()
        var bad = 0
        for block in blocks where PEM.certificateLabels.contains(block.label) {
            guard let cert = try OpenSSL.parseCertificate(der: block.der) else { bad += 1; continue }
            if seen.insert(cert.identity).inserted { content.certificates.append(cert) }
        }
        if bad > 0 {
            // The good certificates of a bundle are still exported; the file is flagged.
            content.problem = .invalidCertificate
            content.detail = "\(bad) PEM certificate block(s) are not valid X.509"
        }
        return content
    }
}

/// Where certificate files come from: `--tls.file` patterns and `--tls.dir` trees.
public struct CertificateSources: Sendable {
    public var patterns: [String]
    public var directories: [String]
    /// Files larger than this are reported `too_large` without being read.
    public var maxFileSize: Int
    static let extensions = [".pem", ".crt", ".cer", ".der"]

    public init(patterns: [String], directories: [String], maxFileSize: Int = 1 << 20) {
        self.patterns = patterns
        self.directories = directories
        self.maxFileSize = maxFileSize
    }

    public var isEmpty: Bool { patterns.isEmpty && directories.isEmpty }

    struct Expansion {
        var paths: [String] = []
        /// Per source (`file:PATTERN`, `dir:DIR`): nil when it is fine, else why it found nothing.
        var sources: [(name: String, problem: String?)] = []
    }

    /// Every path once, in source order (the same file named by two sources is read once).
    func expand() -> Expansion {
        var expansion = Expansion()
        var seen = Set<String>()
        func add(_ path: String) { if seen.insert(path).inserted { expansion.paths.append(path) } }
        for pattern in patterns {
            let name = "file:" + pattern
            if !FileSystem.hasGlobMagic(pattern) {
                add(pattern)  // a plain path is reported per file (not_found), not as an empty source
                expansion.sources.append((name, nil))
                continue
            }
            do {
                let matches = try FileSystem.glob(pattern)
                matches.forEach(add)
                expansion.sources.append((name, matches.isEmpty ? "pattern matches no file" : nil))
            } catch {
                expansion.sources.append((name, error.description))
            }
        }
        for directory in directories {
            let name = "dir:" + directory
            do {
                let files = try FileSystem.walk(directory) { file in
                    let lower = file.lowercased()
                    return Self.extensions.contains { lower.hasSuffix($0) }
                }
                files.forEach(add)
                expansion.sources.append((name, nil))
            } catch {
                expansion.sources.append((name, error.description))
            }
        }
        return expansion
    }
}

/// Parsed files, keyed by path and kept while stat(2) reports the same size, mtime, ctime, inode
/// and device: a steady-state scrape stats each file and parses nothing.
public final class CertificateFileCache: Sendable {
    private struct Entry {
        var identity: FileSystem.Identity
        var content: CertificateFileContent
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let parses = Atomic<Int>(0)

    public init() {}

    /// How many files were read and parsed so far (for tests of the cache).
    public var parseCount: Int { parses.load(ordering: .relaxed) }

    /// The content of `path`, from the cache when unchanged. Paths not in `keep` are forgotten.
    func content(of path: String, maxSize: Int) -> CertificateFileContent {
        let status: FileSystem.Status
        do {
            status = try FileSystem.status(path)
        } catch {
            forget(path)
            return .failure(error.isNotFound ? .notFound : .unreadable, error.description)
        }
        guard status.kind == .regular else {
            forget(path)  // a FIFO would block the read; a directory cannot be one
            return .failure(.notRegularFile, "\(path): not a regular file")
        }
        if let cached = entries.withLock({ $0[path] }), cached.identity == status.identity { return cached.content }
        let content: CertificateFileContent
        if status.size > Int64(maxSize) {
            content = .failure(.tooLarge, "\(path): \(status.size) bytes, over the \(maxSize)-byte limit")
        } else {
            do {
                content = CertificateFileParser.parse(try FileReader.readBytes(path, limit: maxSize))
            } catch {
                // Replaced by a FIFO or a directory since the stat above: refused by the open.
                let problem: CertificateFileProblem = error.tooLarge ? .tooLarge : error.notRegular != nil ? .notRegularFile : .unreadable
                content = .failure(problem, error.description)
            }
            parses.add(1, ordering: .relaxed)
        }
        entries.withLock { $0[path] = Entry(identity: status.identity, content: content) }
        return content
    }

    private func forget(_ path: String) { _ = entries.withLock { $0.removeValue(forKey: path) } }

    /// Drops entries for files no source names any more.
    func retain(only paths: Set<String>) {
        entries.withLock { entries in
            if entries.count > paths.count || entries.keys.contains(where: { !paths.contains($0) }) {
                entries = entries.filter { paths.contains($0.key) }
            }
        }
    }
}
