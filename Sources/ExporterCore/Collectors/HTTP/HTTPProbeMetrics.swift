/// blackbox_exporter 0.23's `http` prober families, with its help texts. On `/metrics` every
/// sample carries `target` (the URL as configured) and `name`; on `/probe` none, as blackbox.
struct HTTPProbeMetrics {
    let withTarget: Bool
    let success, duration, dnsLookup, failedDueToRegex, contentLength, uncompressedLength: FamilyDescriptor
    let phaseDuration, lastModified, redirects, ssl, statusCode, version, ipHash, ipProtocol: FamilyDescriptor
    let earliestExpiry, lastChainExpiry, tlsVersion, lastChainInfo: FamilyDescriptor

    /// Go's zero time.Time as Unix seconds: what blackbox reports as the last chain's expiry when
    /// nothing was verified (`insecure`).
    static let goZeroTime = -62_135_596_800.0

    init(withTarget: Bool) {
        self.withTarget = withTarget
        let t = withTarget ? ["target", "name"] : []
        func d(_ name: String, _ help: String, _ labels: [String] = [], unit: String = "") -> FamilyDescriptor {
            FamilyDescriptor(name: name, type: .gauge, help: help, unit: unit, labels: t + labels)
        }
        success = d("probe_success", "Displays whether or not the probe was a success")
        duration = d("probe_duration_seconds", "Returns how long the probe took to complete in seconds", unit: "seconds")
        dnsLookup = d("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", unit: "seconds")
        failedDueToRegex = d("probe_failed_due_to_regex", "Indicates if probe failed due to regex")
        contentLength = d("probe_http_content_length", "Length of http content response")
        uncompressedLength = d("probe_http_uncompressed_body_length", "Length of uncompressed response body")
        phaseDuration = d("probe_http_duration_seconds", "Duration of http request by phase, summed over all redirects", ["phase"], unit: "seconds")
        lastModified = d("probe_http_last_modified_timestamp_seconds", "Returns the Last-Modified HTTP response header in unixtime", unit: "seconds")
        redirects = d("probe_http_redirects", "The number of redirects")
        ssl = d("probe_http_ssl", "Indicates if SSL was used for the final redirect")
        statusCode = d("probe_http_status_code", "Response HTTP status code")
        version = d("probe_http_version", "Returns the version of HTTP of the probe response")
        ipHash = d("probe_ip_addr_hash", "Specifies the hash of IP address. It's useful to detect if the IP address changes.")
        ipProtocol = d("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6")
        earliestExpiry = d("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime")
        lastChainExpiry = d("probe_ssl_last_chain_expiry_timestamp_seconds", "Returns last SSL chain expiry in timestamp", unit: "seconds")
        tlsVersion = d("probe_tls_version_info", "Returns the TLS version used or NaN when unknown", ["version"])
        lastChainInfo = d("probe_ssl_last_chain_info", "Contains SSL leaf certificate information",
                          ["fingerprint_sha256", "issuer", "subject", "subjectalternative"])
    }

    func families(_ results: [HTTPProbeResult]) -> [MetricFamily] {
        var out = [success, duration, dnsLookup, failedDueToRegex, contentLength, uncompressedLength, phaseDuration, lastModified,
                   redirects, ssl, statusCode, version, ipHash, ipProtocol, earliestExpiry, lastChainExpiry, tlsVersion, lastChainInfo].map { MetricFamily($0) }
        for result in results { add(result, to: &out) }
        return out.filter { !$0.samples.isEmpty }
    }

    /// In the order of `families`' array.
    private func add(_ r: HTTPProbeResult, to out: inout [MetricFamily]) {
        let t = withTarget ? [r.endpoint.text, r.endpoint.name] : []
        let head = r.final.head
        out[0].add(t, r.success ? 1 : 0)
        out[1].add(t, r.duration)
        out[2].add(t, r.dnsLookup)
        out[3].add(t, r.failedDueToRegex ? 1 : 0)
        // blackbox reads these from Go's (empty) response when the request failed.
        out[4].add(t, head == nil ? 0 : Double(r.final.contentLength))
        out[5].add(t, head == nil ? 0 : Double(r.final.bodyLength))
        let p = head == nil ? HTTPPhases(resolve: r.phases.resolve) : r.phases
        for (phase, seconds) in [("connect", p.connect), ("processing", p.processing), ("resolve", p.resolve), ("tls", p.tls), ("transfer", p.transfer)] {
            out[6].add(t + [phase], seconds)
        }
        if let text = head?.header("last-modified"), let seconds = HTTPDate.parse(text) { out[7].add(t, seconds) }
        out[8].add(t, Double(r.redirects))
        let tls = head == nil ? nil : r.final.tls
        out[9].add(t, tls == nil ? 0 : 1)
        out[10].add(t, Double(head?.status ?? 0))
        out[11].add(t, head?.version ?? 0)
        if let address = r.address {
            out[12].add(t, Double(Self.fnv32a(address.bytes)))
            out[13].add(t, Double(address.ipVersion))
        }
        guard let tls else { return }
        if let soonest = EndpointMetrics.earliestServedExpiry(tls.peerChain) { out[14].add(t, soonest) }
        out[15].add(t, tls.verified ? tls.verifiedChain.map(\.notAfter).min() ?? Self.goZeroTime : Self.goZeroTime)
        out[16].add(t + [tls.version], 1)
        if let leaf = tls.peerChain.first {
            out[17].add(t + [tls.leafFingerprint, Self.goName(leaf.issuer), Self.goName(leaf.subject), leaf.dnsNames.joined(separator: ",")], 1)
        }
    }

    /// A name as Go's `pkix.Name.String()` writes it (RFC 2253 order: most specific first,
    /// values of one attribute joined by `+`) from the attributes the certificate parser keeps.
    static func goName(_ name: DistinguishedName) -> String {
        let parts: [(String, [String])] = [("CN", name.commonName), ("OU", name.organizationalUnit), ("O", name.organization),
                                           ("L", name.locality), ("ST", name.state), ("C", name.country)]
        return parts.filter { !$0.1.isEmpty }.map { key, values in values.map { "\(key)=\(escape($0))" }.joined(separator: "+") }
            .joined(separator: ",")
    }

    /// RFC 4514 §2.4 escaping, as Go's attribute value String does.
    static func escape(_ value: String) -> String {
        var out = ""
        for (i, ch) in value.enumerated() {
            let special = ",+\"<>;\\".contains(ch) || (i == 0 && (ch == " " || ch == "#")) || (i == value.count - 1 && ch == " ")
            if special { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// blackbox's `probe_ip_addr_hash`: FNV-1a (32 bit) over the address bytes.
    static func fnv32a(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, the form servers send.
enum HTTPDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Double? {
        let f = text.split(separator: " ")
        guard f.count == 6, f[5] == "GMT", let day = Int(f[1]), (1...31).contains(day),
              let month = months.firstIndex(of: f[2].lowercased()), let year = Int(f[3]), (1970...9999).contains(year)
        else { return nil }
        let clock = f[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        return Double(daysFromCivil(year: year, month: month + 1, day: day) * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
