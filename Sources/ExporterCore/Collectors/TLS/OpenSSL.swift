import COpenSSL

/// With OpenSSLLibrary.swift (which resolves the functions), the only Swift code that touches
/// OpenSSL (libssl/libcrypto 3.0): certificate parsing and a
/// client handshake over a non-blocking socket. Everything leaves here as Swift values; no OpenSSL
/// pointer escapes. Macros are not callable from Swift, so their underlying functions are used
/// (`SSL_ctrl` for SNI, `OPENSSL_sk_*` for stacks, `CRYPTO_free` for `OPENSSL_free`).
enum OpenSSL {
    // MARK: certificates

    /// Parses one DER certificate; nil when it is not one.
    static func parseCertificate(der: [UInt8]) throws(OpenSSLLibrary.LoadError) -> CertificateInfo? {
        let c = try OpenSSLLibrary.load()
        return der.withUnsafeBufferPointer { buffer -> CertificateInfo? in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let x509 = c.d2i_X509(nil, &cursor, buffer.count) else {
                c.ERR_clear_error()
                return nil
            }
            defer { c.X509_free(x509) }
            return info(c, x509)
        }
    }

    static func info(_ c: OpenSSLLibrary, _ x509: OpaquePointer) -> CertificateInfo {
        var cert = CertificateInfo()
        cert.subject = name(c, c.X509_get_subject_name(x509))
        cert.issuer = name(c, c.X509_get_issuer_name(x509))
        cert.serialNumber = serial(c, c.X509_get0_serialNumber(x509))
        cert.notBefore = unixSeconds(c, c.X509_get0_notBefore(x509)) ?? 0
        cert.notAfter = unixSeconds(c, c.X509_get0_notAfter(x509)) ?? 0
        if let raw = c.X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) {
            let names = OpaquePointer(raw)
            defer { c.GENERAL_NAMES_free(names) }
            for i in 0..<max(0, c.OPENSSL_sk_num(names)) {
                guard let entry = c.OPENSSL_sk_value(names, i)?.assumingMemoryBound(to: GENERAL_NAME.self) else { continue }
                switch entry.pointee.type {
                case GEN_DNS: if let s = entry.pointee.d.dNSName { cert.dnsNames.append(text(c, s)) }
                case GEN_EMAIL: if let s = entry.pointee.d.rfc822Name { cert.emailAddresses.append(text(c, s)) }
                case GEN_IPADD:
                    if let s = entry.pointee.d.iPAddress, let ip = IPAddressText.format(bytes(c, s)) { cert.ipAddresses.append(ip) }
                default: break
                }
            }
        }
        c.ERR_clear_error()
        return cert
    }

    private static func name(_ c: OpenSSLLibrary, _ name: OpaquePointer?) -> DistinguishedName {
        var dn = DistinguishedName()
        guard let name else { return dn }
        func values(_ nid: Int32) -> [String] {
            var result: [String] = []
            var index: Int32 = -1
            while true {
                index = c.X509_NAME_get_index_by_NID(name, nid, index)
                guard index >= 0, let entry = c.X509_NAME_get_entry(name, index), let data = c.X509_NAME_ENTRY_get_data(entry) else { break }
                result.append(utf8(c, data))
            }
            return result
        }
        dn.commonName = values(NID_commonName)
        dn.country = values(NID_countryName)
        dn.state = values(NID_stateOrProvinceName)
        dn.locality = values(NID_localityName)
        dn.organization = values(NID_organizationName)
        dn.organizationalUnit = values(NID_organizationalUnitName)
        if let line = c.X509_NAME_oneline(name, nil, 0) {
            dn.text = String(cString: line)
            c.CRYPTO_free(line, nil, 0)
        }
        return dn
    }

    /// ASN.1 string → UTF-8 (BMPString and friends converted by OpenSSL); invalid bytes repaired.
    private static func utf8(_ c: OpenSSLLibrary, _ string: UnsafePointer<ASN1_STRING>) -> String {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = c.ASN1_STRING_to_UTF8(&out, string)
        guard length >= 0, let out else { return text(c, string) }
        defer { c.CRYPTO_free(out, nil, 0) }
        return LabelText.decode(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func text(_ c: OpenSSLLibrary, _ string: UnsafePointer<ASN1_STRING>) -> String {
        LabelText.decode(bytes(c, string))
    }

    private static func bytes(_ c: OpenSSLLibrary, _ string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        let length = Int(c.ASN1_STRING_length(string))
        guard length > 0, let data = c.ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    private static func serial(_ c: OpenSSLLibrary, _ integer: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let integer, let bn = c.ASN1_INTEGER_to_BN(integer, nil) else { return "" }
        defer { c.BN_free(bn) }
        guard let dec = c.BN_bn2dec(bn) else { return "" }
        defer { c.CRYPTO_free(dec, nil, 0) }
        return String(cString: dec)
    }

    /// Seconds since the epoch via ASN1_TIME_diff from 1970-01-01 (no libc time conversion).
    private static func unixSeconds(_ c: OpenSSLLibrary, _ time: UnsafePointer<ASN1_TIME>?) -> Double? {
        guard let time, let epoch = c.ASN1_TIME_set(nil, 0) else { return nil }
        defer { c.ASN1_STRING_free(epoch) }
        var days: Int32 = 0, seconds: Int32 = 0
        guard c.ASN1_TIME_diff(&days, &seconds, epoch, time) == 1 else { return nil }
        return Double(days) * 86_400 + Double(seconds)
    }

    // MARK: client handshake

    /// A configured client SSL_CTX, shared by every probe. OpenSSL documents SSL_CTX as safe to use
    /// from many threads once configured (SSL_new only reads it), hence `@unchecked Sendable`.
    final class ClientContext: @unchecked Sendable {
        let ctx: OpaquePointer
        let c: OpenSSLLibrary

        /// Trusts `caFile` (PEM bundle) when given, else the system store (SSL_CTX_set_default_verify_paths:
        /// /usr/lib/ssl/certs, which Debian links to /etc/ssl/certs).
        init(caFile: String?) throws(TLSProbeError) {
            do { c = try OpenSSLLibrary.load() } catch { throw .setup(error.description) }
            _ = c.OPENSSL_init_ssl(0, nil)
            guard let ctx = c.SSL_CTX_new(c.TLS_client_method()) else { throw .setup(OpenSSL.lastError(c, "SSL_CTX_new")) }
            self.ctx = ctx
            let loaded: Int32
            if let caFile, !caFile.isEmpty {
                loaded = c.SSL_CTX_load_verify_locations(ctx, caFile, nil)
            } else {
                loaded = c.SSL_CTX_set_default_verify_paths(ctx)
            }
            guard loaded == 1 else {
                let message = OpenSSL.lastError(c, "loading CA certificates \(caFile ?? "(system)")")
                c.SSL_CTX_free(ctx)
                throw .setup(message)
            }
            // Verify, but never abort the handshake: the certificates of a failing chain are what
            // an operator needs to see (ssl_exporter #37, blackbox #1119). The result is read after.
            c.SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }

        deinit { c.SSL_CTX_free(ctx) }
    }

    struct Handshake: Sendable {
        var version: String
        var peerChain: [CertificateInfo]
        /// Empty unless verification succeeded.
        var verifiedChain: [CertificateInfo]
        var verified: Bool
        var verifyReason: String
        /// SHA-256 of the leaf's DER, lower-case hex (blackbox's `probe_ssl_last_chain_info`);
        /// filled by the HTTP prober only.
        var leafFingerprint = ""
    }

    /// Runs a TLS client handshake on a connected non-blocking socket, waiting with poll until
    /// `deadline`. `serverName` goes into SNI unless it is an IP literal (RFC 6066 §3); the
    /// certificate is checked against it (host name or IP, RFC 6125).
    static func handshake(socket: Socket, context: ClientContext, serverName: String, deadline: MonotonicTime) throws(TLSProbeError) -> Handshake {
        let c = context.c
        guard let ssl = c.SSL_new(context.ctx) else { throw .setup(lastError(c, "SSL_new")) }
        defer { c.SSL_free(ssl) }
        c.ERR_clear_error()
        guard c.SSL_set_fd(ssl, socket.fd) == 1 else { throw .setup(lastError(c, "SSL_set_fd")) }
        setServerName(c, ssl, serverName)
        c.SSL_set_connect_state(ssl)
        while true {
            let rc = c.SSL_connect(ssl)
            if rc == 1 { break }
            let code = c.SSL_get_error(ssl, rc)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
                guard socket.waitUntil(readable: code == SSL_ERROR_WANT_READ, deadline: deadline) else {
                    throw .handshakeTimeout
                }
                continue
            }
            if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && c.ERR_peek_error() == 0) {
                c.ERR_clear_error()
                throw .handshake("connection closed by the server during the handshake")
            }
            throw .handshake(lastError(c, "handshake"))
        }
        var result = Handshake(version: "", peerChain: [], verifiedChain: [], verified: false, verifyReason: "")
        result.version = versionLabel(c.SSL_get_version(ssl).map { String(cString: $0) } ?? "")
        result.peerChain = certificates(c, c.SSL_get_peer_cert_chain(ssl))
        let verify = c.SSL_get_verify_result(ssl)
        result.verified = verify == X509_V_OK
        result.verifyReason = c.X509_verify_cert_error_string(verify).map { String(cString: $0) } ?? "unknown"
        if result.verified { result.verifiedChain = certificates(c, c.SSL_get0_verified_chain(ssl)) }
        _ = c.SSL_shutdown(ssl)  // best effort close_notify; non-blocking, never waited for
        c.ERR_clear_error()
        return result
    }

    /// SHA-256 over the DER encoding of `x509`, as lower-case hex; empty if it cannot be encoded.
    static func fingerprint(_ c: OpenSSLLibrary, _ x509: OpaquePointer) -> String {
        let length = c.i2d_X509(x509, nil)
        guard length > 0, length < 1 << 20 else { return "" }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return c.i2d_X509(x509, &cursor)
        }
        guard written == length else { return "" }
        return SHA256.digest(der).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// `serverName` into SNI unless it is an IP literal (RFC 6066 §3), and as the name (or IP) the
    /// certificate is checked against (RFC 6125).
    static func setServerName(_ c: OpenSSLLibrary, _ ssl: OpaquePointer, _ serverName: String) {
        guard !serverName.isEmpty else { return }
        if IPLiteral.isIP(serverName) {
            _ = c.X509_VERIFY_PARAM_set1_ip_asc(c.SSL_get0_param(ssl), serverName)
        } else {
            _ = serverName.withCString { name in
                c.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: name))
            }
            _ = c.SSL_set1_host(ssl, serverName)
        }
    }

    static func certificates(_ c: OpenSSLLibrary, _ stack: OpaquePointer?) -> [CertificateInfo] {
        guard let stack else { return [] }
        var list: [CertificateInfo] = []
        for i in 0..<max(0, c.OPENSSL_sk_num(stack)) {
            if let raw = c.OPENSSL_sk_value(stack, i) { list.append(info(c, OpaquePointer(raw))) }
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
    static func lastError(_ c: OpenSSLLibrary, _ operation: String) -> String {
        let code = c.ERR_get_error()
        c.ERR_clear_error()
        guard code != 0 else { return "\(operation) failed" }
        var buffer = [CChar](repeating: 0, count: 256)
        c.ERR_error_string_n(code, &buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(operation): \(text)"
    }
}
