import Synchronization

/// The web policy from `--web.config.file`, re-read on SIGHUP, with the certificate picked up when
/// its files change. exporter-toolkit re-reads the file on every request and the certificate on
/// every handshake; here the file is read on SIGHUP only (a bad edit is refused then, with the old
/// config kept, instead of breaking every request), and the certificate and key files are
/// stat(2)ed at most once a second when a connection arrives, so a renewed certificate (certbot,
/// cert-manager) is served without a signal.
public final class WebConfigReloader: WebPolicyProvider {
    private struct State {
        var config: WebConfig
        var policy: WebPolicy
        var files: [FileSystem.Identity?]
        var lastFileCheck: MonotonicTime
        var rotationFailure: String?
    }

    public let path: String
    private let logger: Logger
    private let cache = BasicAuthCache()
    private let state: Mutex<State>

    /// Loads the file; a problem is the start-up error.
    public init(path: String, logger: Logger) throws(WebConfigReloadError) {
        self.path = path
        self.logger = logger
        let config: WebConfig
        do { config = try WebConfig.load(path: path) } catch { throw .config(error) }
        let policy = try Self.policy(for: config, cache: cache)
        state = Mutex(State(config: config, policy: policy, files: Self.identities(config), lastFileCheck: .now()))
        Self.describe(config, logger: logger, path: path)
    }

    public func policy() -> WebPolicy { state.withLock { $0.policy } }

    public func policyForNewConnection() -> WebPolicy {
        let now = MonotonicTime.now()
        return state.withLock { state in
            guard state.config.tls != nil, state.lastFileCheck.seconds(until: now) >= 1 else { return state.policy }
            state.lastFileCheck = now
            let files = Self.identities(state.config)
            guard files != state.files else { return state.policy }
            rotate(&state, files: files)
            return state.policy
        }
    }

    /// A certificate or key file changed: a new SSL_CTX for new connections. While the pair is
    /// inconsistent (the certificate written, the key not yet) the old context stays, logged once.
    private func rotate(_ state: inout State, files: [FileSystem.Identity?]) {
        guard let tls = state.config.tls else { return }
        do {
            state.policy.tls = try TLSServerContext(tls)
            state.files = files
            state.rotationFailure = nil
            logger.info("TLS certificate reloaded", ["cert_file": tls.certFile])
        } catch {
            if state.rotationFailure != error.description {
                logger.warn("changed TLS certificate not loaded; serving the previous one", ["err": error.description])
            }
            state.rotationFailure = error.description
        }
    }

    /// SIGHUP: the file again. On any error the running config stays and the error is logged.
    public func reload() {
        let config: WebConfig
        let policy: WebPolicy
        do throws(WebConfigReloadError) {
            do { config = try WebConfig.load(path: path) } catch { throw WebConfigReloadError.config(error) }
            policy = try Self.policy(for: config, cache: cache)
        } catch {
            logger.error("web config not reloaded; keeping the previous one", ["file": path, "err": error.description])
            return
        }
        state.withLock { state in
            state = State(config: config, policy: policy, files: Self.identities(config), lastFileCheck: .now())
        }
        logger.info("web config reloaded", ["file": path])
        Self.describe(config, logger: logger, path: path)
    }

    private static func policy(for config: WebConfig, cache: BasicAuthCache) throws(WebConfigReloadError) -> WebPolicy {
        var policy = WebPolicy(headers: config.headers)
        if let tls = config.tls {
            do { policy.tls = try TLSServerContext(tls) } catch { throw .tls(error) }
        }
        if !config.users.isEmpty { policy.auth = BasicAuth(users: config.users, cache: cache) }
        return policy
    }

    private static func identities(_ config: WebConfig) -> [FileSystem.Identity?] {
        guard let tls = config.tls else { return [] }
        return [tls.certFile, tls.keyFile].map { try? FileSystem.status($0).identity }
    }

    private static func describe(_ config: WebConfig, logger: Logger, path: String) {
        logger.info("web config", [
            "file": path, "tls": config.tls == nil ? "off" : "on",
            "basic_auth_users": "\(config.users.count)", "headers": "\(config.headers.count)",
        ])
        if config.http2 != nil {
            logger.info("http_server_config.http2 is ignored: stack_exporter serves HTTP/1.1 only")
        }
    }
}

public enum WebConfigReloadError: Error, CustomStringConvertible, Sendable {
    case config(WebConfigError)
    case tls(TLSServerError)

    public var description: String {
        switch self {
        case .config(let error): error.description
        case .tls(let error): "tls_server_config: \(error.description)"
        }
    }
}
