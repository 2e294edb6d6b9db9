import COpenSSL

/// A TLS client session over a non-blocking socket that a `PollTask` drives one step at a time
/// (rediss://): the handshake, reads and writes never wait, they say what the socket must become
/// ready for (SSL_get_error's WANT_READ / WANT_WRITE). The poll itself stays in `PollLoop`.
final class OpenSSLStream {
    enum Step: Equatable {
        case transferred(Int)
        case wantRead
        case wantWrite
        case closed
        case failed(String)
    }

    private let c: OpenSSLLibrary
    private let ssl: OpaquePointer
    /// Kept alive for as long as the session uses it.
    private let context: OpenSSL.ClientContext
    private let verify: Bool
    private(set) var isHandshaking = true

    /// `serverName` is sent as SNI unless it is an IP literal and, when `verify` is set, checked
    /// against the certificate (RFC 6125) along with the chain.
    init(context: OpenSSL.ClientContext, fd: Int32, serverName: String, verify: Bool) throws(TLSProbeError) {
        c = context.c
        self.context = context
        self.verify = verify
        guard let ssl = c.SSL_new(context.ctx) else { throw .setup(OpenSSL.lastError(c, "SSL_new")) }
        self.ssl = ssl
        c.ERR_clear_error()
        guard c.SSL_set_fd(ssl, fd) == 1 else { throw .setup(OpenSSL.lastError(c, "SSL_set_fd")) }
        OpenSSL.setServerName(c, ssl, serverName)
        c.SSL_set_connect_state(ssl)
    }

    deinit { c.SSL_free(ssl) }

    /// One step of the handshake; `.transferred(0)` once it is complete (and verified, if asked).
    func handshake() -> Step {
        let rc = c.SSL_connect(ssl)
        guard rc == 1 else { return step(rc, "handshake") }
        isHandshaking = false
        if verify {
            let result = c.SSL_get_verify_result(ssl)
            guard result == X509_V_OK else {
                let reason = c.X509_verify_cert_error_string(result).map { String(cString: $0) } ?? "unknown"
                return .failed("certificate verification failed: \(reason)")
            }
        }
        return .transferred(0)
    }

    /// The version and certificates of a completed handshake, for the HTTP prober's
    /// `probe_ssl_*` and `probe_tls_version_info`.
    func session() -> OpenSSL.Handshake {
        var info = OpenSSL.Handshake(version: "", peerChain: [], verifiedChain: [], verified: false, verifyReason: "")
        info.version = OpenSSL.versionLabel(c.SSL_get_version(ssl).map { String(cString: $0) } ?? "")
        let chain = c.SSL_get_peer_cert_chain(ssl)
        info.peerChain = OpenSSL.certificates(c, chain)
        if let chain, c.OPENSSL_sk_num(chain) > 0, let leaf = c.OPENSSL_sk_value(chain, 0) {
            info.leafFingerprint = OpenSSL.fingerprint(c, OpaquePointer(leaf))
        }
        let result = c.SSL_get_verify_result(ssl)
        info.verified = result == X509_V_OK
        info.verifyReason = c.X509_verify_cert_error_string(result).map { String(cString: $0) } ?? "unknown"
        if info.verified { info.verifiedChain = OpenSSL.certificates(c, c.SSL_get0_verified_chain(ssl)) }
        return info
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        let rc = c.SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return rc > 0 ? .transferred(Int(rc)) : step(rc, "read")
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Step {
        guard !bytes.isEmpty else { return .transferred(0) }
        let rc = c.SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return rc > 0 ? .transferred(Int(rc)) : step(rc, "write")
    }

    /// A best-effort close_notify; never waited for.
    func shutdown() {
        if !isHandshaking { _ = c.SSL_shutdown(ssl) }
        c.ERR_clear_error()
    }

    private func step(_ rc: Int32, _ operation: String) -> Step {
        let code = c.SSL_get_error(ssl, rc)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            c.ERR_clear_error()
            return .closed
        case SSL_ERROR_SYSCALL where c.ERR_peek_error() == 0:
            c.ERR_clear_error()
            return .closed
        default:
            return .failed(OpenSSL.lastError(c, operation))
        }
    }
}

extension OpenSSL.ClientContext {
    /// A client certificate for servers that ask for one (Redis' default `tls-auth-clients yes`).
    /// Called before the context is shared, right after it is made.
    func useClientCertificate(certificateFile: String, keyFile: String) throws(TLSProbeError) {
        guard c.SSL_CTX_use_certificate_chain_file(ctx, certificateFile) == 1 else {
            throw .setup(OpenSSL.lastError(c, "loading the client certificate \(certificateFile)"))
        }
        guard c.SSL_CTX_use_PrivateKey_file(ctx, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw .setup(OpenSSL.lastError(c, "loading the client key \(keyFile)"))
        }
    }
}
