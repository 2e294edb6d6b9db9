/// An X.509 distinguished name, the attributes the peer exporters label with (RFC 5280 §4.1.2.4).
/// Each attribute may repeat; x509-certificate-exporter labels with the first value, ssl_exporter
/// joins the OUs.
public struct DistinguishedName: Sendable, Equatable, Hashable {
    public var commonName: [String] = []
    public var country: [String] = []
    public var state: [String] = []
    public var locality: [String] = []
    public var organization: [String] = []
    public var organizationalUnit: [String] = []
    /// The one-line text form, for comparing subject and issuer.
    public var text: String = ""

    public init() {}
}

/// The fields of a certificate the TLS metrics need, copied out of OpenSSL so that nothing of it
/// outlives the parse.
public struct CertificateInfo: Sendable, Equatable {
    public var subject = DistinguishedName()
    public var issuer = DistinguishedName()
    /// Decimal, as Go's `big.Int.String()` writes it: both peers label with that form.
    public var serialNumber = ""
    /// Unix seconds.
    public var notBefore = 0.0
    public var notAfter = 0.0
    public var dnsNames: [String] = []
    public var emailAddresses: [String] = []
    public var ipAddresses: [String] = []

    public init() {}

    /// Subject equals issuer: a root (or a self-signed leaf). Browsers never use a root the server
    /// sends; they use their own copy.
    public var isSelfIssued: Bool { subject.text == issuer.text }

    /// RFC 5280 makes issuer plus serial unique; used to drop repeats in bundles and chains.
    var identity: String { issuer.text + "\u{0}" + serialNumber }
}

/// ssl_exporter's list labels: `,a,b,` so that `=~".*,name,.*"` matches whole entries; empty when
/// there are none.
enum LabelList {
    static func commaWrapped(_ values: [String]) -> String {
        values.isEmpty ? "" : "," + values.joined(separator: ",") + ","
    }
}

/// Formats SAN iPAddress octets: dotted quad or RFC 5952 IPv6 (longest zero run compressed), as
/// Go's `net.IP.String()` does, so labels equal ssl_exporter's.
enum IPAddressText {
    static func format(_ bytes: [UInt8]) -> String? {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return nil }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return bytes[12...].map(String.init).joined(separator: ".")  // IPv4-mapped, as Go prints it
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength && i - runStart >= 2 { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
