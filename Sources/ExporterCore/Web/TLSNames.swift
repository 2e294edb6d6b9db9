/// Go's crypto/tls names, as web-config.yml files written for node_exporter use them, mapped to
/// what OpenSSL calls the same thing.
enum TLSNames {
    /// Go's TLS ≤ 1.2 cipher suites (crypto/tls CipherSuites() and the insecure ones it still
    /// implements) → OpenSSL cipher names (`openssl ciphers -stdname`). 3DES and RC4 are left out:
    /// Debian's OpenSSL 3 has no usable implementation at its default security level, so naming
    /// them is a start-up error rather than a silently smaller list.
    static let cipherSuites: [String: String] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
        // Go's older spellings of the two above.
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": "ECDHE-ECDSA-AES128-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": "ECDHE-RSA-AES128-SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
        "TLS_RSA_WITH_AES_128_CBC_SHA": "AES128-SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA": "AES256-SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA256": "AES128-SHA256",
    ]

    /// TLS 1.3 suites: Go accepts their names in `cipher_suites` and ignores them (1.3 suites are
    /// not configurable there), so do we.
    static let tls13Suites: Set<String> = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]

    /// Go's CurveID names (`curve_preferences`) → OpenSSL group names.
    static let curves: [String: String] = [
        "CurveP256": "P-256", "CurveP384": "P-384", "CurveP521": "P-521", "X25519": "X25519",
    ]
}

/// The TLS versions the server offers. TLS 1.0 and 1.1 (RFC 8996) are not offered: Debian's
/// OpenSSL refuses them at its default security level anyway.
public enum TLSVersion: Int, Sendable, Comparable {
    case tls12 = 0x0303
    case tls13 = 0x0304

    init?(goName: String) {
        switch goName {
        case "TLS12": self = .tls12
        case "TLS13": self = .tls13
        default: return nil
        }
    }

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }
}

/// Go's tls.ClientAuthType, by its name in web-config.yml.
public enum ClientAuthPolicy: String, Sendable, CaseIterable {
    case noClientCert = "NoClientCert"
    case requestClientCert = "RequestClientCert"
    case requireAnyClientCert = "RequireAnyClientCert"
    case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
    case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

    /// Whether a certificate the client sends is checked against the client CAs.
    var verifies: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    /// Whether a client without a certificate is refused.
    var requiresCertificate: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }
}
