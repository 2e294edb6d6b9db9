@testable import ExporterCore

// The parsers of what arrives over sockets and from configuration: HTTP requests and responses,
// Docker's JSON, certificate files (PEM/DER through OpenSSL), PostgreSQL DSNs, and the exposition
// writers that put all of that into label values and help text.

extension FuzzTargets {
    static let protocolTargets: [FuzzTarget] = [
        FuzzTarget(name: "http-request", run: HTTPRequestFuzz.run),
        FuzzTarget(name: "http-response", run: HTTPResponseFuzz.run),
        FuzzTarget(name: "http-response-stream", run: HTTPResponseStreamFuzz.run),
        FuzzTarget(name: "docker-json", run: DockerJSONFuzz.run),
        FuzzTarget(name: "pem", run: CertificateFuzz.pem),
        FuzzTarget(name: "der", run: CertificateFuzz.der),
        FuzzTarget(name: "dsn", run: DSNFuzz.run),
        FuzzTarget(name: "exposition", run: ExpositionFuzz.run),
        FuzzTarget(name: "access-log", run: AccessLogFuzz.run),
    ]
}

enum AccessLogFuzz {
    static let formats = [try? AccessLogFormat("combined"), try? AccessLogFormat(#"[$time_local] "$request" $status $request_time "$http_user_agent""#)]

    /// Properties: the lines of a file do not depend on how its bytes were split across reads (the
    /// tail reads in chunks; a partial line must come out once, whole), no line is longer than the
    /// cap, and every parsed entry has a status of 100–599 and a finite request time ≥ 0. The
    /// first line is also compiled as a format and, if it is one, parsed against the rest.
    static func run(_ bytes: [UInt8]) {
        let whole = split(bytes, at: [])
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        if split(bytes, at: [cut, (cut + bytes.count) / 2]) != whole { violated("lines differ when the bytes are split at \(cut)") }
        let custom = whole.lines.first.flatMap { try? AccessLogFormat(String(decoding: $0, as: UTF8.self)) }
        for format in formats + [custom] {
            guard let format else { continue }
            for line in whole.lines {
                guard let entry = format.parse(line) else { continue }
                guard (100...599).contains(entry.status) else { violated("status \(entry.status)") }
                if let seconds = entry.requestTime, !(seconds.isFinite && seconds >= 0) { violated("request time \(seconds)") }
            }
        }
    }

    struct Split: Equatable { var lines: [[UInt8]], overlong: Int, fragment: [UInt8] }

    static func split(_ bytes: [UInt8], at cuts: [Int]) -> Split {
        var splitter = LineSplitter(maxLine: 64), lines: [[UInt8]] = []
        var start = 0
        for end in cuts.filter({ $0 > 0 && $0 < bytes.count }).sorted() + [bytes.count] where end >= start {
            bytes[start..<end].withUnsafeBufferPointer { splitter.feed($0) { lines.append(Array($0)) } }
            start = end
        }
        if let long = lines.first(where: { $0.count > 64 }) { violated("a line of \(long.count) bytes over the cap") }
        return Split(lines: lines, overlong: splitter.takeOverlong(), fragment: splitter.fragment)
    }
}

enum HTTPRequestFuzz {
    /// Properties: a request consumes at least one byte and no more than it was given; a head
    /// cut one byte short is never a request (no desync on a split read); pipelined requests parse
    /// from where the last one ended (slices with non-zero start index).
    static func run(_ bytes: [UInt8]) {
        let parser = RequestParser(maxHeadBytes: 1024, maxHeaderCount: 16)
        var rest = bytes[...]
        for _ in 0..<16 {
            guard case .request(let request, let consumed) = parser.parse(rest) else { return }
            guard consumed > 0, consumed <= rest.count else { violated("consumed \(consumed) of \(rest.count)") }
            if case .request = parser.parse(rest.prefix(consumed - 1)) { violated("a request in \(consumed - 1) of its \(consumed) bytes") }
            _ = request.keepAlive
            rest = rest.dropFirst(consumed)
        }
    }
}

enum HTTPResponseFuzz {
    /// Properties: the body never exceeds the limit; a response complete before EOF is the same
    /// response once EOF is known.
    static func run(_ bytes: [UInt8]) {
        var parser = HTTPResponseParser(bodyLimit: 2048)
        parser.headLimit = 1024
        let open = try? parser.parse(bytes, atEOF: false)
        let closed = try? parser.parse(bytes, atEOF: true)
        for case let response? in [open, closed] where response.body.count > parser.bodyLimit {
            violated("body of \(response.body.count) bytes over the limit \(parser.bodyLimit)")
        }
        if let open = open ?? nil, closed ?? nil != open { violated("response differs once EOF is known") }
    }
}

enum HTTPResponseStreamFuzz {
    struct Outcome: Equatable {
        var head: ResponseHead?
        var length: Int
        var kept: [UInt8]
        var complete: Bool
    }

    /// Feeds `bytes` in pieces of `step`, then EOF; nil when the stream throws.
    static func read(_ bytes: [UInt8], step: Int) -> Outcome? {
        var stream = HTTPResponseStream(bodyLimit: 2048, keep: 4096, headLimit: 1024)
        var i = 0, complete = false
        do {
            while i < bytes.count && !complete {
                let end = min(bytes.count, i + step)
                complete = try stream.feed(bytes[i..<end])
                i = end
            }
            if !complete { try stream.finish() }
        } catch {
            return nil
        }
        return Outcome(head: stream.head, length: stream.bodyLength, kept: stream.kept, complete: complete)
    }

    /// Properties: the probe's streaming reader gives the same answer whatever the read sizes
    /// (whole, 1 byte, a size taken from the input), never counts past its limit, and agrees with
    /// `HTTPResponseParser` on the body whenever both accept a final (non-1xx) response.
    static func run(_ bytes: [UInt8]) {
        let whole = read(bytes, step: max(1, bytes.count))
        let step = Int(bytes.first ?? 1) % 13 + 1
        if read(bytes, step: 1) != whole { violated("byte-wise reading differs from whole") }
        if read(bytes, step: step) != whole { violated("reading in \(step)-byte pieces differs from whole") }
        guard let whole else { return }
        if whole.length > 2048 { violated("body of \(whole.length) bytes over the limit") }
        var parser = HTTPResponseParser(bodyLimit: 2048)
        parser.headLimit = 1024
        if let head = whole.head, head.status >= 200, let response = try? parser.parse(bytes, atEOF: true),
           response.status == head.status, response.body != whole.kept {
            violated("body differs from HTTPResponseParser's")
        }
    }
}

enum DockerJSONFuzz {
    /// The decoder, then each model the Docker client builds from a reply.
    static func run(_ bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes, maxDepth: 16) else { return }
        if let list = try? ContainerSummary.list(json: json) {
            for summary in list { _ = summary.healthAnnotation; _ = summary.hasStats }
        }
        _ = try? ContainerDetails(json: json)
        _ = try? ContainerStats(json: json)
        if let first = json.array?.first {
            _ = try? ContainerDetails(json: first)
            _ = try? ContainerStats(json: first)
        }
    }
}

enum CertificateFuzz {
    /// A certificate file as the tls collector reads it (PEM blocks, or one DER certificate), and
    /// the x509 families its certificates become.
    static func pem(_ bytes: [UInt8]) {
        if let blocks = try? PEM.blocks(bytes) {
            for block in blocks where !PEM.certificateLabels.contains(block.label) && !block.der.isEmpty {
                violated("non-certificate block \(block.label) decoded")
            }
        }
        render(CertificateFileParser.parse(bytes))
    }

    /// DER straight into OpenSSL's d2i_X509 and our reading of the parsed certificate.
    static func der(_ bytes: [UInt8]) {
        guard let certificate = try? OpenSSL.parseCertificate(der: bytes) else { return }
        var content = CertificateFileContent()
        content.certificates = [certificate]
        render(content)
    }

    private static func render(_ content: CertificateFileContent) {
        let files = [FileCertificates(path: "/etc/ssl/fuzz.pem", content: content)]
        let families = FileCertificateRenderer.families(
            files: files, sources: [(name: "/etc/ssl/*.pem", problem: content.problem?.rawValue)], now: 1.7e9, relative: true)
        ExpositionCheck.renderAndCheck(families)
    }
}

enum DSNFuzz {
    /// A DSN as `--postgres.dsn` gives it. Property: the parsed password appears neither in the
    /// `server` label nor in the text redacted with the DSN's redactor (a message quoting the DSN).
    static func run(_ bytes: [UInt8]) {
        let raw = text(bytes)
        guard let dsn = try? DataSourceName(raw) else { return }
        let server = dsn.server
        _ = dsn.database
        _ = dsn.connectionString
        let redacted = dsn.redactor.redact("connection to \"\(raw)\" failed: \(raw)")
        guard let password = dsn.parameters["password"], password.count >= 2 else { return }
        // The mask and the keyword the masking writes could spell a password made of their
        // characters; such passwords say nothing about a leak.
        if password.contains(where: { "xpasword= :/@'\"\\&".contains($0) }) { return }
        if redacted.contains(password) { violated("password \(password.debugDescription) left in \(redacted.debugDescription)") }
        if server.contains(password) && !"localhost:5432[],".contains(password)
            && !dsn.parameters.values.contains(where: { $0 != password && $0.contains(password) }) {
            violated("password \(password.debugDescription) in the server label \(server.debugDescription)")
        }
    }
}
