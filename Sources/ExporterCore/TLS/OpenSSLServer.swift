import COpenSSL

/// A start-up (or reload) problem with the server's TLS settings: which file, what OpenSSL said.
public struct TLSServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The server's SSL_CTX, built from `tls_server_config`. OpenSSL documents a configured SSL_CTX as
/// safe to share (SSL_new only reads it), hence `@unchecked Sendable`; a reload builds a new one
/// and connections keep the one they started with until they close.
public final class TLSServerContext: @unchecked Sendable {
    fileprivate let ctx: OpaquePointer
    fileprivate let c: OpenSSLLibrary
    public let config: WebConfig.TLSServer

    public init(_ config: WebConfig.TLSServer) throws(TLSServerError) {
        do { c = try OpenSSLLibrary.load() } catch { throw TLSServerError(description: error.description) }
        _ = c.OPENSSL_init_ssl(0, nil)
        guard let ctx = c.SSL_CTX_new(c.server.TLS_server_method()) else {
            throw TLSServerError(description: OpenSSL.lastError(c, "SSL_CTX_new"))
        }
        self.ctx = ctx
        self.config = config
        // deinit frees ctx on every throw below.
        try loadKeyPair()
        try applyVersionsAndAlgorithms()
        try applyClientAuth()
    }

    deinit { c.SSL_CTX_free(ctx) }

    private func fail(_ operation: String) -> TLSServerError {
        TLSServerError(description: OpenSSL.lastError(c, operation))
    }

    private func loadKeyPair() throws(TLSServerError) {
        c.ERR_clear_error()
        // The chain form, so an intermediate after the leaf in cert_file is sent too (as Go does).
        guard c.SSL_CTX_use_certificate_chain_file(ctx, config.certFile) == 1 else { throw fail("cert_file \(config.certFile)") }
        guard c.SSL_CTX_use_PrivateKey_file(ctx, config.keyFile, se_SSL_FILETYPE_PEM) == 1 else { throw fail("key_file \(config.keyFile)") }
        guard c.server.SSL_CTX_check_private_key(ctx) == 1 else { throw fail("key_file \(config.keyFile) does not match cert_file") }
    }

    private func applyVersionsAndAlgorithms() throws(TLSServerError) {
        guard c.server.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, config.minVersion.rawValue, nil) == 1,
              c.server.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, config.maxVersion.rawValue, nil) == 1
        else { throw fail("min_version/max_version") }
        if !config.cipherSuites.isEmpty {
            guard c.server.SSL_CTX_set_cipher_list(ctx, config.cipherSuites.joined(separator: ":")) == 1 else { throw fail("cipher_suites") }
        }
        if !config.curves.isEmpty {
            let list = config.curves.joined(separator: ":")
            let ok = list.withCString { c.server.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_GROUPS_LIST, 0, UnsafeMutableRawPointer(mutating: $0)) }
            guard ok == 1 else { throw fail("curve_preferences") }
        }
        // Client-initiated renegotiation is a CPU lever for a client and nothing we need.
        var options = se_SSL_OP_NO_RENEGOTIATION
        if config.preferServerCipherSuites { options |= se_SSL_OP_CIPHER_SERVER_PREFERENCE }
        _ = c.server.SSL_CTX_set_options(ctx, options)
        // Non-blocking writes of a buffer that may be retried from another address, partially;
        // idle connections give their 34 KB of record buffers back.
        let mode = Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS)
        _ = c.server.SSL_CTX_ctrl(ctx, SSL_CTRL_MODE, mode, nil)
        // Resumed sessions with client certificates need a session id context (SSL_CTX_set_session_id_context(3)).
        let id = Array("stack_exporter".utf8)
        _ = c.server.SSL_CTX_set_session_id_context(ctx, id, UInt32(id.count))
    }

    /// Go's ClientAuthType as OpenSSL verify modes. Request/RequireAny take any certificate
    /// unverified, as Go does, through a callback that accepts every chain.
    private func applyClientAuth() throws(TLSServerError) {
        let policy = config.clientAuth
        guard policy != .noClientCert else { return }
        if let caFile = config.clientCAFile {
            guard c.SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else { throw fail("client_ca_file \(caFile)") }
            // The CA names sent in the CertificateRequest, so clients pick the right certificate.
            if let names = c.server.SSL_load_client_CA_file(caFile) { c.server.SSL_CTX_set_client_CA_list(ctx, names) }
        } else if policy.verifies {
            // Go verifies against the system roots when ClientCAs is nil.
            _ = c.SSL_CTX_set_default_verify_paths(ctx)
        }
        var mode = SSL_VERIFY_PEER
        if policy.requiresCertificate { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
        c.SSL_CTX_set_verify(ctx, mode, policy.verifies ? nil : { _, _ in 1 })
    }

    /// A server-side session on an accepted non-blocking socket; nil when OpenSSL cannot make one.
    func session(fd: Int32) -> TLSSession? {
        guard let ssl = c.SSL_new(ctx) else { return nil }
        guard c.SSL_set_fd(ssl, fd) == 1 else {
            c.SSL_free(ssl)
            c.ERR_clear_error()
            return nil
        }
        c.server.SSL_set_accept_state(ssl)
        return TLSSession(ssl: ssl, context: self)
    }
}

/// One connection's TLS state, driven by the event loop: every call returns at once, and a call
/// that cannot progress says whether it waits for the socket to become readable or writable (a
/// read may need to write, during the handshake or a key update, and a write may need to read).
final class TLSSession {
    enum Step {
        case done
        case wantReadable
        case wantWritable
        case failed(String)
    }

    private let ssl: OpaquePointer
    private let context: TLSServerContext  // keeps the SSL_CTX alive past a reload
    private var c: OpenSSLLibrary { context.c }
    private(set) var established = false
    /// Whether the last call that returned `.wouldBlock` waits for writability.
    private(set) var waitsForWritable = false
    /// The first byte has been looked at (plain HTTP on the TLS port is answered in plain text).
    var checkedFirstByte = false

    fileprivate init(ssl: OpaquePointer, context: TLSServerContext) {
        self.ssl = ssl
        self.context = context
    }

    deinit { c.SSL_free(ssl) }

    func handshake() -> Step {
        c.ERR_clear_error()
        let rc = c.server.SSL_do_handshake(ssl)
        if rc == 1 {
            if let refused = refusedSAN() { return .failed(refused) }
            established = true
            return .done
        }
        switch c.SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: waitsForWritable = false; return .wantReadable
        case SSL_ERROR_WANT_WRITE: waitsForWritable = true; return .wantWritable
        default: return .failed(OpenSSL.lastError(c, "TLS handshake"))
        }
    }

    /// `client_allowed_sans`: the client certificate must carry one of them as a DNS name, IP
    /// address or e-mail address (exact match, as exporter-toolkit); nil when it does or no list is set.
    private func refusedSAN() -> String? {
        let allowed = context.config.allowedSANs
        guard !allowed.isEmpty else { return nil }
        guard let x509 = c.server.SSL_get1_peer_certificate(ssl) else { return "no client certificate to match client_allowed_sans" }
        defer { c.X509_free(x509) }
        let info = OpenSSL.info(c, x509)
        let names = info.dnsNames + info.ipAddresses + info.emailAddresses
        return names.contains(where: allowed.contains) ? nil : "client certificate SANs \(names) not in client_allowed_sans"
    }

    /// Like `Socket.read`. Any TLS error ends the connection, so it is reported as `.closed`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        c.ERR_clear_error()
        let n = c.SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if n > 0 { return .transferred(Int(n)) }
        return blocked(c.SSL_get_error(ssl, n))
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        guard !bytes.isEmpty else { return .transferred(0) }
        c.ERR_clear_error()
        let n = c.SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if n > 0 { return .transferred(Int(n)) }
        return blocked(c.SSL_get_error(ssl, n))
    }

    private func blocked(_ code: Int32) -> Socket.IOResult {
        switch code {
        case SSL_ERROR_WANT_READ: waitsForWritable = false; return .wouldBlock
        case SSL_ERROR_WANT_WRITE: waitsForWritable = true; return .wouldBlock
        default:
            c.ERR_clear_error()
            return .closed
        }
    }

    /// Decrypted or buffered bytes OpenSSL holds that epoll cannot report.
    var hasPending: Bool { c.server.SSL_has_pending(ssl) == 1 }

    /// Sends close_notify, best effort, without waiting for the peer's.
    func shutdown() {
        guard established else { return }
        _ = c.SSL_shutdown(ssl)
        c.ERR_clear_error()
    }
}
