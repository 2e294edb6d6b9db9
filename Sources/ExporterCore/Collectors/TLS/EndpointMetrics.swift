/// ssl_exporter's and blackbox's families for live endpoints. On `/metrics` every sample carries
/// `target`; on `/probe` the target is implied by the request, as with both peers.
struct EndpointMetrics {
    static let certLabels = ["serial_no", "issuer_cn", "cn", "dnsnames", "ips", "emails", "ou"]

    let probeSuccess, probeFailure, tlsVersion, certNotAfter, certNotBefore: FamilyDescriptor
    let verifiedNotAfter, verifiedNotBefore, verifySuccess: FamilyDescriptor
    let earliestExpiry, lastChainExpiry, probeTLSVersion: FamilyDescriptor
    let withTarget: Bool

    init(withTarget: Bool) {
        self.withTarget = withTarget
        let t = withTarget ? ["target"] : []
        func d(_ name: String, _ help: String, _ labels: [String], unit: String = "") -> FamilyDescriptor {
            FamilyDescriptor(name: name, type: .gauge, help: help, unit: unit, labels: t + labels)
        }
        probeSuccess = d("ssl_probe_success", "Whether the TLS handshake completed (1) or not (0); see ssl_verify_success for trust.", [])
        probeFailure = d("ssl_probe_failure_info", "Why the probe failed: resolve, connect_refused, connect_timeout, starttls, handshake_timeout, handshake, timeout…", ["reason"])
        tlsVersion = d("ssl_tls_version_info", "The TLS version used.", ["version"])
        certNotAfter = d("ssl_cert_not_after", "NotAfter of each certificate the server presented, as a Unix time.", Self.certLabels)
        certNotBefore = d("ssl_cert_not_before", "NotBefore of each certificate the server presented, as a Unix time.", Self.certLabels)
        verifiedNotAfter = d("ssl_verified_cert_not_after", "NotAfter of each certificate of the verified chain, as a Unix time.", ["chain_no"] + Self.certLabels)
        verifiedNotBefore = d("ssl_verified_cert_not_before", "NotBefore of each certificate of the verified chain, as a Unix time.", ["chain_no"] + Self.certLabels)
        verifySuccess = d("ssl_verify_success", "Whether the presented chain verified against the trust store and the name (1) or not (0); reason is OpenSSL's.", ["reason"])
        earliestExpiry = d("probe_ssl_earliest_cert_expiry", "Earliest NotAfter of the certificates the server presented, roots excluded (Unix seconds).", [])
        lastChainExpiry = d("probe_ssl_last_chain_expiry_timestamp_seconds", "Earliest NotAfter of the verified chain (Unix seconds).", [], unit: "seconds")
        probeTLSVersion = d("probe_tls_version_info", "The TLS version used.", ["version"])
    }

    static let probeSuccessBlackbox = FamilyDescriptor(name: "probe_success", type: .gauge, help: "Displays whether or not the probe was a success.")
    static let probeDuration = FamilyDescriptor(
        name: "probe_duration_seconds", type: .gauge, help: "Returns how long the probe took to complete in seconds.", unit: "seconds")

    func families(_ results: [TLSProbeResult]) -> [MetricFamily] {
        var success = MetricFamily(probeSuccess), failure = MetricFamily(probeFailure)
        var version = MetricFamily(tlsVersion), bbVersion = MetricFamily(probeTLSVersion)
        var notAfter = MetricFamily(certNotAfter), notBefore = MetricFamily(certNotBefore)
        var vNotAfter = MetricFamily(verifiedNotAfter), vNotBefore = MetricFamily(verifiedNotBefore)
        var verify = MetricFamily(verifySuccess), earliest = MetricFamily(earliestExpiry), lastChain = MetricFamily(lastChainExpiry)
        for result in results {
            let t = withTarget ? [result.target.text] : []
            guard let hs = result.handshake else {
                success.add(t, 0)
                failure.add(t + [result.error?.reason ?? "unknown"], 1)
                continue
            }
            success.add(t, 1)
            version.add(t + [hs.version], 1)
            bbVersion.add(t + [hs.version], 1)
            var seen = Set<String>()
            for cert in hs.peerChain where seen.insert(cert.identity).inserted {
                notAfter.add(t + Self.labelValues(cert), cert.notAfter)
                notBefore.add(t + Self.labelValues(cert), cert.notBefore)
            }
            verify.add(t + [hs.verifyReason], hs.verified ? 1 : 0)
            if let soonest = Self.earliestServedExpiry(hs.peerChain) { earliest.add(t, soonest) }
            if hs.verified {
                seen.removeAll()
                for cert in hs.verifiedChain where seen.insert(cert.identity).inserted {
                    vNotAfter.add(t + ["0"] + Self.labelValues(cert), cert.notAfter)
                    vNotBefore.add(t + ["0"] + Self.labelValues(cert), cert.notBefore)
                }
                if let soonest = hs.verifiedChain.map(\.notAfter).min() { lastChain.add(t, soonest) }
            }
        }
        return [success, failure, version, notAfter, notBefore, vNotAfter, vNotBefore, verify, earliest, lastChain, bbVersion]
    }

    /// The soonest expiry a client can run into: the certificates the server sent, except a
    /// self-issued root sent along (clients use their own trust anchor; blackbox #340, #589).
    /// A lone self-signed leaf still counts.
    static func earliestServedExpiry(_ chain: [CertificateInfo]) -> Double? {
        let used = chain.enumerated().filter { $0.offset == 0 || !$0.element.isSelfIssued }.map(\.element.notAfter)
        return used.min()
    }

    static func labelValues(_ cert: CertificateInfo) -> [String] {
        [cert.serialNumber, cert.issuer.commonName.first ?? "", cert.subject.commonName.first ?? "",
         LabelList.commaWrapped(cert.dnsNames), LabelList.commaWrapped(cert.ipAddresses),
         LabelList.commaWrapped(cert.emailAddresses), LabelList.commaWrapped(cert.subject.organizationalUnit)]
    }
}
