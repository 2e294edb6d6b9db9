import COpenSSL

/// The only Swift file that touches OpenSSL (libssl/libcrypto 3.0): certificate parsing and a
/// client handshake over a non-blocking socket. Everything leaves here as Swift values; no OpenSSL
/// pointer escapes. Macros are not callable from Swift, so their underlying functions are used
/// (`SSL_ctrl` for SNI, `OPENSSL_sk_*` for stacks, `CRYPTO_free` for `OPENSSL_free`).
enum OpenSSL {
    // MARK: certificates

    /// Parses one DER certificate; nil when it is not one.
    static func parseCertificate(der: [UInt8]) -> CertificateInfo? {
        der.withUnsafeBufferPointer { buffer -> CertificateInfo? in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                return nil
            }
            defer { X509_free(x509) }
            return info(x509)
        }
    }

    private static func info(_ x509: OpaquePointer) -> CertificateInfo {
        var cert = CertificateInfo()
        cert.subject = name(X509_get_subject_name(x509))
        cert.issuer = name(X509_get_issuer_name(x509))
        cert.serialNumber = serial(X509_get0_serialNumber(x509))
        cert.notBefore = unixSeconds(X509_get0_notBefore(x509)) ?? 0
        cert.notAfter = unixSeconds(X509_get0_notAfter(x509)) ?? 0
        if let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) {
            let names = OpaquePointer(raw)
            defer { GENERAL_NAMES_free(names) }
            for i in 0..<max(0, OPENSSL_sk_num(names)) {
                guard let entry = OPENSSL_sk_value(names, i)?.assumingMemoryBound(to: GENERAL_NAME.self) else { continue }
                switch entry.pointee.type {
                case GEN_DNS: if let s = entry.pointee.d.dNSName { cert.dnsNames.append(text(s)) }
                case GEN_EMAIL: if let s = entry.pointee.d.rfc822Name { cert.emailAddresses.append(text(s)) }
                case GEN_IPADD:
                    if let s = entry.pointee.d.iPAddress, let ip = IPAddressText.format(bytes(s)) { cert.ipAddresses.append(ip) }
                default: break
                }
            }
        }
        ERR_clear_error()
        return cert
    }

    private static func name(_ name: OpaquePointer?) -> DistinguishedName {
        var dn = DistinguishedName()
        guard let name else { return dn }
        func values(_ nid: Int32) -> [String] {
            var result: [String] = []
            var index: Int32 = -1
            while true {
                index = X509_NAME_get_index_by_NID(name, nid, index)
                guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { break }
                result.append(utf8(data))
            }
            return result
        }
        dn.commonName = values(NID_commonName)
        dn.country = values(NID_countryName)
        dn.state = values(NID_stateOrProvinceName)
        dn.locality = values(NID_localityName)
        dn.organization = values(NID_organizationName)
        dn.organizationalUnit = values(NID_organizationalUnitName)
        if let line = X509_NAME_oneline(name, nil, 0) {
            dn.text = String(cString: line)
            CRYPTO_free(line, nil, 0)
        }
        return dn
    }

    /// ASN.1 string → UTF-8 (BMPString and friends converted by OpenSSL); invalid bytes repaired.
    private static func utf8(_ string: UnsafePointer<ASN1_STRING>) -> String {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&out, string)
        guard length >= 0, let out else { return text(string) }
        defer { CRYPTO_free(out, nil, 0) }
        return LabelText.decode(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func text(_ string: UnsafePointer<ASN1_STRING>) -> String {
        LabelText.decode(bytes(string))
    }

    private static func bytes(_ string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        let length = Int(ASN1_STRING_length(string))
        guard length > 0, let data = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    private static func serial(_ integer: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let integer, let bn = ASN1_INTEGER_to_BN(integer, nil) else { return "" }
        defer { BN_free(bn) }
        guard let dec = BN_bn2dec(bn) else { return "" }
        defer { CRYPTO_free(dec, nil, 0) }
        return String(cString: dec)
    }

    /// Seconds since the epoch via ASN1_TIME_diff from 1970-01-01 (no libc time conversion).
    private static func unixSeconds(_ time: UnsafePointer<ASN1_TIME>?) -> Double? {
        guard let time, let epoch = ASN1_TIME_set(nil, 0) else { return nil }
        defer { ASN1_STRING_free(epoch) }
        var days: Int32 = 0, seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, epoch, time) == 1 else { return nil }
        return Double(days) * 86_400 + Double(seconds)
    }

    // MARK: client handshake

    /// A configured client SSL_CTX, shared by every probe. OpenSSL documents SSL_CTX as safe to use
    /// from many threads once configured (SSL_new only reads it), hence `@unchecked Sendable`.
    final class ClientContext: @unchecked Sendable {
        fileprivate let ctx: OpaquePointer

        /// Trusts `caFile` (PEM bundle) when given, else the system store (SSL_CTX_set_default_verify_paths:
        /// /usr/lib/ssl/certs, which Debian links to /etc/ssl/certs).
        init(caFile: String?) throws(TLSProbeError) {
            OPENSSL_init_ssl(0, nil)
            guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .setup(OpenSSL.lastError("SSL_CTX_new")) }
            self.ctx = ctx
            let loaded: Int32
            if let caFile, !caFile.isEmpty {
                loaded = SSL_CTX_load_verify_locations(ctx, caFile, nil)
            } else {
                loaded = SSL_CTX_set_default_verify_paths(ctx)
            }
            guard loaded == 1 else {
                let message = OpenSSL.lastError("loading CA certificates \(caFile ?? "(system)")")
                SSL_CTX_free(ctx)
                throw .setup(message)
            }
            // Verify, but never abort the handshake: the certificates of a failing chain are what
            // an operator needs to see (ssl_exporter #37, blackbox #1119). The result is read after.
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }

        deinit { SSL_CTX_free(ctx) }
    }

    struct Handshake: Sendable {
        var version: String
        var peerChain: [CertificateInfo]
        /// Empty unless verification succeeded.
        var verifiedChain: [CertificateInfo]
        var verified: Bool
        var verifyReason: String
    }

    /// Runs a TLS client handshake on a connected non-blocking socket, waiting with poll until
    /// `deadline`. `serverName` goes into SNI unless it is an IP literal (RFC 6066 §3); the
    /// certificate is checked against it (host name or IP, RFC 6125).
    static func handshake(socket: Socket, context: ClientContext, serverName: String, deadline: MonotonicTime) throws(TLSProbeError) -> Handshake {
        guard let ssl = SSL_new(context.ctx) else { throw .setup(lastError("SSL_new")) }
        defer { SSL_free(ssl) }
        ERR_clear_error()
        guard SSL_set_fd(ssl, socket.fd) == 1 else { throw .setup(lastError("SSL_set_fd")) }
        let isIP = IPLiteral.isIP(serverName)
        if !serverName.isEmpty {
            if isIP {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
            } else {
                _ = serverName.withCString { name in
                    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: name))
                }
                SSL_set1_host(ssl, serverName)
            }
        }
        SSL_set_connect_state(ssl)
        while true {
            let rc = SSL_connect(ssl)
            if rc == 1 { break }
            let code = SSL_get_error(ssl, rc)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
                guard socket.waitUntil(readable: code == SSL_ERROR_WANT_READ, deadline: deadline) else {
                    throw .handshakeTimeout
                }
                continue
            }
            if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
                ERR_clear_error()
                throw .handshake("connection closed by the server during the handshake")
            }
            throw .handshake(lastError("handshake"))
        }
        var result = Handshake(version: "", peerChain: [], verifiedChain: [], verified: false, verifyReason: "")
        result.version = versionLabel(String(cString: SSL_get_version(ssl)))
        result.peerChain = certificates(SSL_get_peer_cert_chain(ssl))
        let verify = SSL_get_verify_result(ssl)
        result.verified = verify == X509_V_OK
        result.verifyReason = String(cString: X509_verify_cert_error_string(verify))
        if result.verified { result.verifiedChain = certificates(SSL_get0_verified_chain(ssl)) }
        _ = SSL_shutdown(ssl)  // best effort close_notify; non-blocking, never waited for
        ERR_clear_error()
        return result
    }

    private static func certificates(_ stack: OpaquePointer?) -> [CertificateInfo] {
        guard let stack else { return [] }
        var list: [CertificateInfo] = []
        for i in 0..<max(0, OPENSSL_sk_num(stack)) {
            if let raw = OPENSSL_sk_value(stack, i) { list.append(info(OpaquePointer(raw))) }
        }
        return list
    }

    /// ssl_exporter and blackbox write `TLS 1.3`; OpenSSL says `TLSv1.3`.
    static func versionLabel(_ openssl: String) -> String {
        switch openssl {
        case "TLSv1": "TLS 1.0"
        case "TLSv1.1": "TLS 1.1"
        case "TLSv1.2": "TLS 1.2"
        case "TLSv1.3": "TLS 1.3"
        default: "unknown"
        }
    }

    /// The first queued OpenSSL error as text, then the queue cleared.
    private static func lastError(_ operation: String) -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "\(operation) failed" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(operation): \(text)"
    }
}
