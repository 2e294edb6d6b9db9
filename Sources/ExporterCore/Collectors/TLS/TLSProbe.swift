import Dispatch
import Synchronization

/// Why a probe failed. `reason` is the label value of `ssl_probe_failure_info`.
public enum TLSProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    case setup(String)
    case resolve(String)
    case connectRefused(String)
    case connectTimeout
    case connect(String)
    case startTLSTimeout
    case startTLS(String)
    case handshakeTimeout
    case handshake(String)

    public var reason: String {
        switch self {
        case .setup: "setup"
        case .resolve: "resolve"
        case .connectRefused: "connect_refused"
        case .connectTimeout: "connect_timeout"
        case .connect: "connect"
        case .startTLSTimeout: "starttls_timeout"
        case .startTLS: "starttls"
        case .handshakeTimeout: "handshake_timeout"
        case .handshake: "handshake"
        }
    }

    public var description: String {
        switch self {
        case .setup(let s), .resolve(let s), .connectRefused(let s), .connect(let s), .startTLS(let s), .handshake(let s): s
        case .connectTimeout: "connect timed out"
        case .startTLSTimeout: "STARTTLS negotiation timed out"
        case .handshakeTimeout: "TLS handshake timed out (is the port speaking TLS?)"
        }
    }
}

/// The outcome of one probe.
struct TLSProbeResult: Sendable {
    var target: TLSTarget
    var handshake: OpenSSL.Handshake?
    var error: TLSProbeError?
    var duration: Double
}

/// Connects, runs the STARTTLS step, and handshakes, all bounded by one deadline.
public final class TLSProber: Sendable {
    /// Each probe's own limit, within the scrape deadline.
    let timeout: Double
    private let caFile: String?
    /// Created on the first probe: initialising OpenSSL (configuration, providers) maps ~4 MB of
    /// libcrypto, which an exporter that never probes (no endpoints, /probe not allowed) should not pay.
    private let context = Mutex<OpenSSL.ClientContext?>(nil)

    public init(caFile: String?, timeout: Double) throws(TLSProbeError) {
        if let caFile, !caFile.isEmpty, (try? FileReader.readBytes(caFile, limit: 16 << 20)) == nil {
            throw .setup("cannot read the CA file \(caFile)")
        }
        self.caFile = caFile
        self.timeout = timeout
    }

    func clientContext() throws(TLSProbeError) -> OpenSSL.ClientContext {
        let result = context.withLock { slot -> Result<OpenSSL.ClientContext, TLSProbeError> in
            if let existing = slot { return .success(existing) }
            do throws(TLSProbeError) {
                let created = try OpenSSL.ClientContext(caFile: caFile)
                slot = created
                return .success(created)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func probe(_ target: TLSTarget, deadline scrapeDeadline: MonotonicTime) -> TLSProbeResult {
        let started = MonotonicTime.now()
        let deadline = min(scrapeDeadline, started.adding(seconds: timeout))
        var result = TLSProbeResult(target: target, handshake: nil, error: nil, duration: 0)
        do throws(TLSProbeError) {
            let socket = try connect(target, deadline: deadline)
            defer { socket.close() }
            try target.startTLS.negotiate(socket, deadline: deadline)
            result.handshake = try OpenSSL.handshake(socket: socket, context: clientContext(), serverName: target.serverName, deadline: deadline)
        } catch {
            result.error = error
        }
        result.duration = started.secondsElapsed()
        return result
    }

    private func connect(_ target: TLSTarget, deadline: MonotonicTime) throws(TLSProbeError) -> Socket {
        do {
            return try Socket.connect(host: target.host, port: target.port, deadline: deadline)
        } catch {
            if error.operation.hasPrefix("resolve") { throw .resolve(error.description) }
            if error.isTimedOut { throw .connectTimeout }
            if error.isConnectionRefused { throw .connectRefused(error.description) }
            throw .connect(error.description)
        }
    }

    /// Probes every target in parallel, each on its own thread, and returns when all are done:
    /// each probe ends by the deadline on its own. A serial queue per probe runs on libdispatch's
    /// overcommitting pool; a shared concurrent queue would run only one probe per core at a time
    /// while the others wait on the network.
    func probeAll(_ targets: [TLSTarget], deadline: MonotonicTime) -> [TLSProbeResult] {
        if targets.count == 1 { return [probe(targets[0], deadline: deadline)] }
        let results = Mutex<[Int: TLSProbeResult]>([:])
        let group = DispatchGroup()
        for (index, target) in targets.enumerated() {
            DispatchQueue(label: "stack_exporter.tls.probe").async(group: group) { [self] in
                let result = probe(target, deadline: deadline)
                results.withLock { $0[index] = result }
            }
        }
        group.wait()
        return results.withLock { collected in
            targets.indices.compactMap { collected[$0] }
        }
    }
}
