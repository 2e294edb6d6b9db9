/// The runbook thresholds, written once (/work/shared/README.md's table, docs/runbook.md): `check`
/// grades every signal here, `stack_exporter rules` renders prometheus/alerts.yml from it, and
/// `--check.config` / `--check.set` override it for both (ThresholdOverrides.swift).
public struct ThresholdTable: Sendable {
    public var signals: [Signal]

    public static let defaults = ThresholdTable(signals: hostSignals + tlsSignals + selfSignals + backupSignals
        + postgresSignals + containerSignals + redisSignals + nginxSignals + httpSignals)

    public subscript(id: String) -> Signal? { signals.first { $0.id == id } }

    /// The groups of alerts.yml, in the order of the table.
    public static let groupOrder = ["host", "tls", "stack_exporter", "backups", "postgres", "containers", "redis", "nginx", "http"]
}

extension ThresholdTable {
    static let hostSignals: [Signal] = [
        Signal("memory", "memory used", collector: "meminfo", source: "instance:node_memory_used:ratio", unit: .ratio, .above,
               warning: 0.80, critical: 0.90, alerts: [
            AlertTemplate("HostMemoryHigh", .warning, for: "5m", expr: "instance:node_memory_used:ratio > %W",
                          summary: "Memory use above %W on {{ $labels.instance }}",
                          description: "{{ $value | humanizePercentage }} of memory is in use."),
            AlertTemplate("HostMemoryCritical", .critical, for: "2m", expr: "instance:node_memory_used:ratio > %C",
                          summary: "Memory use above %C on {{ $labels.instance }}",
                          description: "{{ $value | humanizePercentage }} of memory is in use."),
        ]),
        // The runbook: "> 70 % sustained, > 80 %", no critical. The alert keeps its 80 % for 10 minutes.
        Signal("cpu", "CPU busy", collector: "cpu", source: "instance:node_cpu_busy:ratio_rate5m", unit: .ratio, .above,
               warning: 0.80, alerts: [
            AlertTemplate("HostCPUHigh", .warning, for: "10m", expr: "instance:node_cpu_busy:ratio_rate5m > %W",
                          summary: "CPU busy above %W for 10 minutes on {{ $labels.instance }}",
                          description: "{{ $value | humanizePercentage }} of CPU time is busy."),
        ]),
        Signal("disk", "disk used", collector: "filesystem", source: "instance:node_filesystem_used:ratio", unit: .ratio, .above,
               warning: 0.85, critical: 0.90, alerts: [
            AlertTemplate("HostDiskFilling", .warning, for: "5m", expr: "instance:node_filesystem_used:ratio > %W",
                          summary: "{{ $labels.mountpoint }} is more than %W full on {{ $labels.instance }}",
                          description: "{{ $value | humanizePercentage }} of {{ $labels.mountpoint }} is used."),
            AlertTemplate("HostDiskCritical", .critical, for: "2m", expr: "instance:node_filesystem_used:ratio > %C",
                          summary: "{{ $labels.mountpoint }} is more than %C full on {{ $labels.instance }}",
                          description: "{{ $value | humanizePercentage }} of {{ $labels.mountpoint }} is used."),
        ]),
    ]

    static let tlsSignals: [Signal] = [
        // On the raw metric, not the recording rule: an alert evaluated before the recording
        // group would see the value of the previous evaluation.
        Signal("certificate", "certificate", collector: "tls", source: "x509_cert_not_after - time()", unit: .days, .below,
               warning: 30, critical: 7, alerts: [
            AlertTemplate("CertificateExpiresSoon", .warning, expr: "x509_cert_not_after - time() < %W and x509_cert_not_after - time() >= %C",
                          summary: "Certificate {{ $labels.subject_CN }} ({{ $labels.filepath }}) expires in less than %W",
                          description: "It expires in {{ $value | humanizeDuration }}."),
            AlertTemplate("CertificateExpiresVerySoon", .critical, expr: "x509_cert_not_after - time() < %C",
                          summary: "Certificate {{ $labels.subject_CN }} ({{ $labels.filepath }}) expires in less than %C or has expired",
                          description: "Seconds left (negative: expired): {{ $value }}."),
        ]),
        Signal("endpoint_certificate", "endpoint certificate", collector: "tls", source: "probe_ssl_earliest_cert_expiry - time()", unit: .days, .below,
               warning: 30, critical: 7, alerts: [
            AlertTemplate("EndpointCertificateExpiresSoon", .warning, expr: "probe_ssl_earliest_cert_expiry - time() < %W and probe_ssl_earliest_cert_expiry - time() >= %C",
                          summary: "The certificate served by {{ $labels.target }} expires in less than %W",
                          description: "It expires in {{ $value | humanizeDuration }}."),
            AlertTemplate("EndpointCertificateExpiresVerySoon", .critical, expr: "probe_ssl_earliest_cert_expiry - time() < %C",
                          summary: "The certificate served by {{ $labels.target }} expires in less than %C or has expired",
                          description: "Seconds left (negative: expired): {{ $value }}."),
        ]),
        Signal("certificate_unreadable", "certificate file", collector: "tls", source: "x509_cert_error", unit: .state, .equal,
               warning: 1, stateRule: "unreadable or unparsable unknown", unknownInCheck: true, alerts: [
            AlertTemplate("CertificateFileUnreadable", .warning, for: "5m", expr: "x509_cert_error == 1",
                          summary: "Certificate file {{ $labels.filepath }} on {{ $labels.instance }} cannot be read or parsed",
                          description: "Reason: {{ $labels.reason }} (value {{ $value }})."),
        ]),
        Signal("certificate_source", "certificate source", collector: "tls", source: "x509_source_up", unit: .state, .equal,
               warning: 0, stateRule: "unlistable or no file unknown", unknownInCheck: true, alerts: [
            AlertTemplate("CertificateSourceEmpty", .warning, for: "15m", expr: "x509_source_up == 0",
                          summary: "{{ $labels.source }} on {{ $labels.instance }} lists no readable certificate file",
                          description: "x509_source_up is {{ $value }}."),
        ]),
    ]

    static let selfSignals: [Signal] = [
        Signal("exporter_up", "stack_exporter answers", collector: nil, source: "up{job=\"stack\"}", unit: .state, .equal,
               critical: 0, stateRule: "not scraped crit", checked: false, alerts: [
            AlertTemplate("StackExporterDown", .critical, for: "2m", expr: "up{job=\"stack\"} == 0",
                          summary: "stack_exporter on {{ $labels.instance }} does not answer scrapes",
                          description: "up is {{ $value }} for job {{ $labels.job }}."),
        ]),
        Signal("collector", "collector", collector: nil, source: "stack_exporter_scrape_collector_success", unit: .state, .equal,
               warning: 0, stateRule: "failed unknown", unknownInCheck: true, alerts: [
            AlertTemplate("StackExporterCollectorFailing", .warning, for: "5m", expr: "stack_exporter_scrape_collector_success == 0",
                          summary: "Collector {{ $labels.collector }} on {{ $labels.instance }} has been failing for 5 minutes",
                          description: "stack_exporter_scrape_collector_success is {{ $value }}; its log says why."),
        ]),
        Signal("textfile", "textfile", collector: "textfile", source: "node_textfile_scrape_error", unit: .state, .equal,
               warning: 1, stateRule: "unreadable or invalid file warn", alerts: [
            AlertTemplate("TextfileUnreadable", .warning, for: "15m", expr: "node_textfile_scrape_error == 1",
                          summary: "A *.prom file of the textfile directory on {{ $labels.instance }} cannot be read or parsed",
                          description: "node_textfile_scrape_error is {{ $value }}."),
        ]),
    ]
}
