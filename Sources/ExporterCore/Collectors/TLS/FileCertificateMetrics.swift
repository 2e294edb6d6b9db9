/// x509-certificate-exporter's families and labels, so its dashboards and alerts work unchanged.
enum X509Metrics {
    /// Label order: file, then serial, then the issuer and subject attributes x509-certificate-exporter sets.
    static let certificateLabels = [
        "filename", "filepath", "serial_number",
        "issuer_C", "issuer_ST", "issuer_L", "issuer_O", "issuer_OU", "issuer_CN",
        "subject_C", "subject_ST", "subject_L", "subject_O", "subject_OU", "subject_CN",
    ]

    static let notAfter = FamilyDescriptor(
        name: "x509_cert_not_after", type: .gauge,
        help: "Indicates the certificate's not after timestamp (Unix seconds).", labels: certificateLabels)
    static let notBefore = FamilyDescriptor(
        name: "x509_cert_not_before", type: .gauge,
        help: "Indicates the certificate's not before timestamp (Unix seconds).", labels: certificateLabels)
    static let expired = FamilyDescriptor(
        name: "x509_cert_expired", type: .gauge,
        help: "Indicates if the certificate is expired (1) or not (0).", labels: certificateLabels)
    static let expiresIn = FamilyDescriptor(
        name: "x509_cert_expires_in_seconds", type: .gauge,
        help: "Indicates the remaining time before the certificate's not after timestamp.", unit: "seconds",
        labels: certificateLabels)
    static let validSince = FamilyDescriptor(
        name: "x509_cert_valid_since_seconds", type: .gauge,
        help: "Indicates the elapsed time since the certificate's not before timestamp.", unit: "seconds",
        labels: certificateLabels)
    static let certError = FamilyDescriptor(
        name: "x509_cert_error", type: .gauge,
        help: "Whether a watched file could not be read or parsed (1) or not (0); reason says why.",
        labels: ["filename", "filepath", "reason"])
    static let readErrors = FamilyDescriptor(
        name: "x509_read_errors", type: .gauge,
        help: "Number of watched files that could not be read or parsed in this scrape.")
    static let sourceUp = FamilyDescriptor(
        name: "x509_source_up", type: .gauge,
        help: "Whether a --tls.file pattern or --tls.dir directory could be listed and matched files (1) or not (0).",
        labels: ["source"])

    static func labelValues(_ cert: CertificateInfo, filename: String, filepath: String) -> [String] {
        let s = cert.subject, i = cert.issuer
        return [
            filename, filepath, cert.serialNumber,
            first(i.country), first(i.state), first(i.locality), first(i.organization), first(i.organizationalUnit), first(i.commonName),
            first(s.country), first(s.state), first(s.locality), first(s.organization), first(s.organizationalUnit), first(s.commonName),
        ]
    }

    private static func first(_ values: [String]) -> String { values.first ?? "" }
}

/// One scrape's view of a file, ready to render.
struct FileCertificates {
    var path: String
    var content: CertificateFileContent
}

enum FileCertificateRenderer {
    static func families(
        files: [FileCertificates], sources: [(name: String, problem: String?)], now: Double, relative: Bool
    ) -> [MetricFamily] {
        var notAfter = MetricFamily(X509Metrics.notAfter), notBefore = MetricFamily(X509Metrics.notBefore)
        var expired = MetricFamily(X509Metrics.expired)
        var expiresIn = MetricFamily(X509Metrics.expiresIn), validSince = MetricFamily(X509Metrics.validSince)
        var certError = MetricFamily(X509Metrics.certError)
        var sourceUp = MetricFamily(X509Metrics.sourceUp)
        var errors = 0
        for file in files {
            let filename = String(file.path.split(separator: "/").last ?? Substring(file.path))
            for cert in file.content.certificates {
                // One label array for the certificate's five families (10,000 files: 19 MB less).
                let labels = notAfter.labels(X509Metrics.labelValues(cert, filename: filename, filepath: file.path))
                notAfter.add(sharing: labels, cert.notAfter)
                notBefore.add(sharing: labels, cert.notBefore)
                expired.add(sharing: labels, now >= cert.notAfter ? 1 : 0)
                if relative {
                    expiresIn.add(sharing: labels, cert.notAfter - now)
                    validSince.add(sharing: labels, now - cert.notBefore)
                }
            }
            if let problem = file.content.problem {
                errors += 1
                certError.add([filename, file.path, problem.rawValue], 1)
            } else if !file.content.certificates.isEmpty {
                certError.add([filename, file.path, ""], 0)
            }
        }
        for source in sources { sourceUp.add([source.name], source.problem == nil ? 1 : 0) }
        var families = [notAfter, notBefore, expired]
        if relative { families += [expiresIn, validSince] }
        families += [certError, MetricFamily(X509Metrics.readErrors, value: Double(errors)), sourceUp]
        return families
    }
}
