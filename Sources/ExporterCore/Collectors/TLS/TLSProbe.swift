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
    /// Still running when the collector had to answer (a step no deadline reaches: getaddrinfo).
    case abandoned

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
        case .abandoned: "timeout"
        }
    }

    public var description: String {
        switch self {
        case .setup(let s), .resolve(let s), .connectRefused(let s), .connect(let s), .startTLS(let s), .handshake(let s): s
        case .connectTimeout: "connect timed out"
        case .startTLSTimeout: "STARTTLS negotiation timed out"
        case .handshakeTimeout: "TLS handshake timed out (is the port speaking TLS?)"
        case .abandoned: "no result before the scrape deadline (stuck resolving the name?)"
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
    /// Threads for concurrent probes: at most this many endpoints are probed at once (and held by
    /// endpoints that hang past their deadline, such as a stuck name lookup).
    private let pool = WorkerPool(name: "se-tls-probe", maxThreads: 16)

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

    /// Probes `target` until its own deadline: `--tls.timeout`, within `deadlines.cutoff`.
    func probe(_ target: TLSTarget, within deadlines: ItemDeadline) -> TLSProbeResult {
        let started = MonotonicTime.now()
        let deadline = deadlines.deadline(timeout: timeout, started: started)
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

    /// Probes every target in parallel and returns by `deadlines.abandon`, before the collector
    /// deadline: each probe ends at its own deadline, and one that does not (stuck in getaddrinfo)
    /// is reported `abandoned` alone while the others are kept. A lone IP-literal target runs on
    /// the calling thread: every step of it is bounded by poll(2), so no thread hand-off is needed.
    func probeAll(_ targets: [TLSTarget], within deadlines: ItemDeadline) -> [TLSProbeResult] {
        if targets.count == 1, IPLiteral.isIP(targets[0].host) { return [probe(targets[0], within: deadlines)] }
        let started = MonotonicTime.now()
        let results = runItems(targets, on: pool, deadlines: deadlines) { [self] in
            probe($0, within: deadlines)
        }
        return zip(targets, results).map { target, result in
            result ?? TLSProbeResult(target: target, handshake: nil, error: .abandoned, duration: started.secondsElapsed())
        }
    }
}
