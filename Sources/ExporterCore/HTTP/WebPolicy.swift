/// What `--web.config.file` asks of the server: TLS on the listeners, basic auth on every request,
/// extra response headers. One value, swapped whole on reload, so a request never sees half of an
/// old config and half of a new one.
public struct WebPolicy: Sendable {
    /// nil: plain HTTP.
    public var tls: TLSServerContext?
    /// nil: no authentication.
    public var auth: BasicAuth?
    public var headers: [HTTPHeader]

    public init(tls: TLSServerContext? = nil, auth: BasicAuth? = nil, headers: [HTTPHeader] = []) {
        self.tls = tls
        self.auth = auth
        self.headers = headers
    }

    public static let plain = WebPolicy()
}

/// Where the server gets the policy; the exporter's implementation re-reads the file on SIGHUP and
/// picks up a rotated certificate.
public protocol WebPolicyProvider: Sendable {
    /// For a connection just accepted (the moment a changed certificate can take effect).
    func policyForNewConnection() -> WebPolicy
    /// For a request or response.
    func policy() -> WebPolicy
}

/// A policy that never changes (no --web.config.file, and tests).
public struct FixedWebPolicy: WebPolicyProvider {
    let value: WebPolicy

    public init(_ value: WebPolicy = .plain) { self.value = value }

    public func policyForNewConnection() -> WebPolicy { value }
    public func policy() -> WebPolicy { value }
}
