import Synchronization

/// The outcome of one probe: the last response, the phases summed over every hop.
struct HTTPProbeResult: Sendable {
    var endpoint: HTTPEndpoint
    var success = false
    var duration = 0.0
    var dnsLookup = 0.0
    /// The first hop's address (`probe_ip_protocol`, `probe_ip_addr_hash`).
    var address: ResolvedAddress?
    var final = HTTPHopResult()
    var phases = HTTPPhases()
    var redirects = 0
    var failedDueToRegex = false
    var error: HTTPProbeError?

    init(endpoint: HTTPEndpoint) { self.endpoint = endpoint }
}

/// Probes endpoints as blackbox's `http` prober does: resolve, request, follow redirects (at
/// most 10), judge the status and the body. Each probe ends at its own deadline: the smaller
/// of `--http.timeout` and the item cutoff of the scrape (`ItemDeadline`).
final class HTTPProber: Sendable {
    /// blackbox (like Go's client) gives up on the 11th redirect.
    static let maxRedirects = 10
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    let timeout: Double
    /// Largest body read; a larger one fails the probe (blackbox `body_size_limit`).
    let bodyLimit: Int
    /// How much of the body a `body-regex` sees.
    let regexWindow: Int
    /// One client context per trust source (nil key: the system store), made on the first https
    /// probe so an exporter that probes only http:// never loads OpenSSL.
    private let contexts = Mutex<[String: OpenSSL.ClientContext]>([:])
    /// Threads for concurrent probes; a probe stuck in getaddrinfo holds one until the resolver gives up.
    private let pool = WorkerPool(name: "se-http-probe", maxThreads: 16)

    init(timeout: Double, bodyLimit: Int, regexWindow: Int) {
        self.timeout = timeout
        self.bodyLimit = bodyLimit
        self.regexWindow = regexWindow
    }

    /// Every endpoint in parallel, by `deadlines.abandon`; one still resolving then is `abandoned`
    /// alone. A lone endpoint with an IP literal runs on the calling thread: every step of it
    /// is bounded by poll(2), so no hand-off is needed (a redirect to a name would resolve here).
    func probeAll(_ endpoints: [HTTPEndpoint], within deadlines: ItemDeadline, allow: ProbeAllowList? = nil) -> [HTTPProbeResult] {
        if endpoints.count == 1, NameResolution.literal(endpoints[0].url.host) != nil {
            return [probe(endpoints[0], within: deadlines, allow: allow)]
        }
        let started = MonotonicTime.now()
        let results = runItems(endpoints, on: pool, deadlines: deadlines) { [self] in probe($0, within: deadlines, allow: allow) }
        return zip(endpoints, results).map { endpoint, result in
            if let result { return result }
            var abandoned = HTTPProbeResult(endpoint: endpoint)
            abandoned.error = .abandoned
            abandoned.duration = started.secondsElapsed()
            return abandoned
        }
    }

    /// One endpoint, redirects included. `allow` (on `/probe`) must admit every redirect's host too,
    /// so a redirect cannot lead the exporter off the list.
    func probe(_ endpoint: HTTPEndpoint, within deadlines: ItemDeadline, allow: ProbeAllowList? = nil) -> HTTPProbeResult {
        let started = MonotonicTime.now()
        let deadline = deadlines.deadline(timeout: timeout, started: started)
        var result = HTTPProbeResult(endpoint: endpoint)
        var url = endpoint.url
        while true {
            let resolving = MonotonicTime.now()
            let address: ResolvedAddress
            do { address = try NameResolution.resolve(url.host) } catch {
                result.error = .resolve(error.description)
                break
            }
            let lookup = resolving.secondsElapsed()
            if result.address == nil { result.address = address; result.dnsLookup = lookup }
            result.phases.resolve += lookup
            let hop = hopTask(endpoint, url: url, address: address)
            guard case .success(let task) = hop else {
                if case .failure(let error) = hop { result.error = error }
                break
            }
            let output = PollLoop.run([task], concurrency: 1, deadline: deadline).first ?? HTTPHopResult(error: .timeout("connect"))
            result.final = output
            result.phases = result.phases + output.phases
            if let error = output.error {
                result.error = error
                break
            }
            guard let head = output.head, Self.redirectStatuses.contains(head.status), let location = head.header("location") else { break }
            result.redirects += 1
            if result.redirects > Self.maxRedirects {
                result.error = .tooManyRedirects(Self.maxRedirects)
                break
            }
            do { url = try url.resolving(location) } catch {
                result.error = .redirect(error.description)
                break
            }
            if let allow, !allow.allows(url.host) {
                result.error = .redirectNotAllowed(url.host)
                break
            }
        }
        judge(&result)
        result.duration = started.secondsElapsed()
        return result
    }

    /// blackbox's verdict: the status must be expected; only then is the body regex checked.
    private func judge(_ result: inout HTTPProbeResult) {
        guard result.error == nil, let head = result.final.head, result.endpoint.expect.accepts(head.status) else { return }
        if let regex = result.endpoint.bodyRegex {
            result.failedDueToRegex = !regex.matches(result.final.body)
            result.success = !result.failedDueToRegex
        } else {
            result.success = true
        }
    }

    private func hopTask(_ endpoint: HTTPEndpoint, url: HTTPURL, address: ResolvedAddress) -> Result<HTTPHopTask, HTTPProbeError> {
        var context: OpenSSL.ClientContext? = nil
        if url.isTLS {
            do { context = try clientContext(caFile: endpoint.caFile) } catch { return .failure(.tls(error.description)) }
        }
        let stream = HTTPResponseStream(
            bodyLimit: bodyLimit, keep: endpoint.bodyRegex == nil ? 0 : regexWindow, isHeadRequest: endpoint.method == .HEAD)
        return .success(HTTPHopTask(
            url: url, address: address, request: endpoint.requestHead(for: url), stream: stream, tlsContext: context,
            verify: !endpoint.insecure))
    }

    func clientContext(caFile: String?) throws(TLSProbeError) -> OpenSSL.ClientContext {
        let key = caFile ?? ""
        let made = contexts.withLock { table -> Result<OpenSSL.ClientContext, TLSProbeError> in
            if let existing = table[key] { return .success(existing) }
            do throws(TLSProbeError) {
                let context = try OpenSSL.ClientContext(caFile: caFile)
                table[key] = context
                return .success(context)
            } catch {
                return .failure(error)
            }
        }
        return try made.get()
    }
}
