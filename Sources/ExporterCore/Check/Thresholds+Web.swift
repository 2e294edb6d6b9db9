/// Redis, nginx and the HTTP probe rows of the runbook table.
extension ThresholdTable {
    static let redisSignals: [Signal] = [
        Signal("redis_down", "redis reachable", collector: "redis", source: "redis_up", unit: .state, .equal,
               critical: 0, stateRule: "down crit", alerts: [
            AlertTemplate("RedisDown", .critical, for: "1m", expr: "redis_up == 0",
                          summary: "Redis {{ $labels.addr }} cannot be scraped",
                          description: "redis_up is {{ $value }}; redis_exporter_last_scrape_error has the reason."),
        ]),
        Signal("redis_memory", "redis memory / maxmemory", collector: "redis", source: "redis_memory_used_bytes / redis_memory_max_bytes",
               unit: .ratio, .above, critical: 0.90, alerts: [
            AlertTemplate("RedisMemoryNearMaxmemory", .critical, for: "5m", expr: "redis_memory_used_bytes / (redis_memory_max_bytes > 0) > %C",
                          summary: "Redis {{ $labels.addr }} uses more than %C of maxmemory",
                          description: "{{ $value | humanizePercentage }} of maxmemory is in use."),
        ]),
        // `check` counts the rejections between its two scrapes, the rule over 5 minutes.
        Signal("redis_rejected", "redis rejected connections", collector: "redis", source: "increase(redis_rejected_connections_total[5m])",
               unit: .count, .above, warning: 0, alerts: [
            AlertTemplate("RedisRejectedConnections", .warning, expr: "increase(redis_rejected_connections_total[5m]) > %W",
                          summary: "Redis {{ $labels.addr }} rejected connections (maxclients reached)",
                          description: "{{ $value }} connections rejected in 5 minutes."),
        ]),
        Signal("redis_bgsave", "redis last background save", collector: "redis", source: "redis_rdb_last_bgsave_status", unit: .state, .equal,
               critical: 0, stateRule: "failed crit", alerts: [
            AlertTemplate("RedisLastBackgroundSaveFailed", .critical, expr: "redis_rdb_last_bgsave_status == 0",
                          summary: "The last background save of Redis {{ $labels.addr }} failed",
                          description: "redis_rdb_last_bgsave_status is {{ $value }}; the Redis log says why."),
        ]),
    ]

    static let nginxSignals: [Signal] = [
        Signal("nginx_down", "nginx status page", collector: "nginx", source: "nginx_up", unit: .state, .equal,
               critical: 0, stateRule: "down crit", alerts: [
            AlertTemplate("NginxDown", .critical, for: "1m", expr: "nginx_up == 0",
                          summary: "nginx status page {{ $labels.addr }} does not answer",
                          description: "nginx_up is {{ $value }}."),
        ]),
        // The access-log collector's families (landing in its own branch). `check` takes the ratio
        // over the second between its scrapes; no request in it is OK ("no requests"), not UNKNOWN.
        Signal("nginx_5xx", "nginx 5xx ratio", collector: "nginx", source: nginx5xxRatio, unit: .ratio, .above,
               warning: 0.02, critical: 0.05, alerts: [
            AlertTemplate("NginxHttp5xxErrorRateElevated", .warning, for: "5m", expr: "\(nginx5xxRatio) > %W",
                          summary: "More than %W of the requests nginx logs on {{ $labels.instance }} fail with 5xx",
                          description: "{{ $value | humanizePercentage }} of responses are 5xx."),
            AlertTemplate("NginxHighHttp5xxErrorRate", .critical, for: "5m", expr: "\(nginx5xxRatio) > %C",
                          summary: "More than %C of the requests nginx logs on {{ $labels.instance }} fail with 5xx",
                          description: "{{ $value | humanizePercentage }} of responses are 5xx."),
        ]),
    ]

    static let nginx5xxRatio = """
        sum without (status_class) (rate(nginx_http_responses_total{status_class="5xx"}[5m]))
          / sum without (status_class) (rate(nginx_http_responses_total[5m]))
        """

    /// The HTTP probe's families (landing in its own branch): `probe_success{target,name}` and
    /// `probe_duration_seconds{target,name}`; blackbox_exporter's alert names.
    static let httpSignals: [Signal] = [
        Signal("http_probe", "health endpoint", collector: "http", source: "probe_success", unit: .state, .equal,
               critical: 0, stateRule: "failing crit", alerts: [
            AlertTemplate("BlackboxProbeFailed", .critical, for: "1m", expr: "probe_success == 0",
                          summary: "Health endpoint {{ $labels.name }} ({{ $labels.target }}) is failing",
                          description: "probe_success is {{ $value }}."),
        ]),
        Signal("http_duration", "response time", collector: "http", source: "probe_duration_seconds", unit: .seconds, .above,
               warning: 0.5, alerts: [
            AlertTemplate("BlackboxSlowProbe", .warning, for: "5m", expr: "probe_duration_seconds > %W",
                          summary: "Health endpoint {{ $labels.name }} ({{ $labels.target }}) answers slower than %W",
                          description: "The probe took {{ $value | humanizeDuration }}."),
        ]),
    ]
}
