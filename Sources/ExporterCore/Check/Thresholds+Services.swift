/// The services' rows of the runbook table: backups, PostgreSQL, containers, Redis, nginx, HTTP.
extension ThresholdTable {
    static let backupSignals: [Signal] = [
        // Only a pattern that matches something has an age: nothing matching is backup_missing.
        Signal("backup_age", "backup", collector: "files", source: "time() - stack_exporter_files_newest_mtime_seconds", unit: .hours, .above,
               warning: 26, critical: 50, alerts: [
            AlertTemplate("BackupStale", .warning, for: "10m", expr: """
                (time() - stack_exporter_files_newest_mtime_seconds > %W)
                  and (time() - stack_exporter_files_newest_mtime_seconds <= %C)
                  and stack_exporter_files_count > 0
                """, summary: "The newest {{ $labels.name }} file on {{ $labels.instance }} is older than %W",
                          description: "{{ $labels.pattern }}: last written {{ $value | humanizeDuration }} ago."),
            AlertTemplate("BackupTooOld", .critical, for: "10m", expr: """
                (time() - stack_exporter_files_newest_mtime_seconds > %C) and stack_exporter_files_count > 0
                """, summary: "The newest {{ $labels.name }} file on {{ $labels.instance }} is older than %C",
                          description: "{{ $labels.pattern }}: last written {{ $value | humanizeDuration }} ago."),
        ]),
        Signal("backup_missing", "backup", collector: "files", source: "stack_exporter_files_count", unit: .state, .equal,
               critical: 0, stateRule: "no file matches crit", alerts: [
            AlertTemplate("BackupMissing", .critical, for: "10m", expr: "stack_exporter_files_count == 0",
                          summary: "No file matches {{ $labels.name }} ({{ $labels.pattern }}) on {{ $labels.instance }}",
                          description: "{{ $value }} files match the pattern."),
        ]),
        Signal("backup_invalid", "backup gzip", collector: "files", source: "stack_exporter_files_newest_valid", unit: .state, .equal,
               critical: 0, stateRule: "not a complete gzip file crit", alerts: [
            AlertTemplate("BackupInvalid", .critical, for: "10m", expr: "stack_exporter_files_newest_valid == 0",
                          summary: "The newest {{ $labels.name }} backup on {{ $labels.instance }} is not a complete gzip file ({{ $labels.reason }})",
                          description: "stack_exporter_files_newest_valid is {{ $value }} for {{ $labels.pattern }}."),
        ]),
        Signal("backup_unreadable", "backup files", collector: "files", source: "stack_exporter_files_error", unit: .count, .above,
               warning: 0, alerts: [
            AlertTemplate("BackupFilesUnreadable", .warning, for: "15m", expr: "stack_exporter_files_error > %W",
                          summary: "{{ $labels.name }} on {{ $labels.instance }}: {{ $value }} path(s) could not be read ({{ $labels.reason }})",
                          description: "{{ $value }} path(s) under {{ $labels.pattern }} could not be read."),
        ]),
    ]

    static let postgresSignals: [Signal] = [
        Signal("postgres_down", "database reachable", collector: "postgres", source: "pg_up", unit: .state, .equal,
               critical: 0, stateRule: "unreachable crit", alerts: [
            AlertTemplate("PostgresDown", .critical, for: "1m", expr: "pg_up == 0",
                          summary: "PostgreSQL {{ $labels.server }} is unreachable from {{ $labels.instance }}",
                          description: "pg_up is {{ $value }}; the exporter's log has the connection error."),
        ]),
        Signal("postgres_connections", "connections / max_connections", collector: "postgres",
               source: "sum by (instance, job, server) (pg_stat_activity_count) / on (instance, job, server) pg_settings_max_connections",
               unit: .ratio, .above, warning: 0.80, alerts: [
            AlertTemplate("PostgresConnectionsHigh", .warning, for: "5m", expr: """
                sum by (instance, job, server) (pg_stat_activity_count)
                  / on (instance, job, server) pg_settings_max_connections > %W
                """, summary: "PostgreSQL {{ $labels.server }} uses more than %W of max_connections",
                          description: "{{ $value | humanizePercentage }} of max_connections in use."),
        ]),
        Signal("postgres_long_query", "longest active transaction", collector: "postgres",
               source: "max by (instance, job, server, datname) (pg_stat_activity_max_tx_duration{state=\"active\"})",
               unit: .seconds, .above, critical: 300, alerts: [
            AlertTemplate("PostgresLongRunningQuery", .critical, expr: """
                max by (instance, job, server, datname) (pg_stat_activity_max_tx_duration{state="active"}) > %C
                """, summary: "A query on {{ $labels.server }}/{{ $labels.datname }} has been running for more than %C",
                          description: "The longest has run for {{ $value | humanizeDuration }}."),
        ]),
        // The runbook: "query duration > 100 ms target, > 200 ms warning": the mean over the
        // statements pg_stat_statements tracks (--collector.postgres.stat-statements).
        Signal("postgres_query_duration", "mean query duration", collector: "postgres", source: queryDuration,
               unit: .seconds, .above, warning: 0.2, alerts: [
            AlertTemplate("PostgresQueryDurationHigh", .warning, for: "10m", expr: "\(queryDuration) > %W",
                          summary: "Queries on {{ $labels.server }}/{{ $labels.datname }} take longer than %W on average",
                          description: "The mean over 5 minutes is {{ $value | humanizeDuration }}."),
        ]),
        Signal("postgres_cache_hit", "cache hit rate", collector: "postgres",
               source: "rate(pg_stat_database_blks_hit[10m]) / (rate(pg_stat_database_blks_hit[10m]) + rate(pg_stat_database_blks_read[10m]))",
               unit: .ratio, .below, warning: 0.95, alerts: [
            AlertTemplate("PostgresCacheHitRateLow", .warning, for: "15m", expr: """
                sum by (instance, job, server, datname) (rate(pg_stat_database_blks_hit[10m]))
                  / (sum by (instance, job, server, datname) (rate(pg_stat_database_blks_hit[10m]))
                     + sum by (instance, job, server, datname) (rate(pg_stat_database_blks_read[10m]))) < %W
                """, summary: "Cache hit rate of {{ $labels.server }}/{{ $labels.datname }} below %W",
                          description: "{{ $value | humanizePercentage }} of block reads hit the cache."),
        ]),
        Signal("postgres_lock_wait", "lock wait", collector: "postgres", source: "pg_lock_waits_max_wait_seconds", unit: .seconds, .above,
               warning: 0.05, alerts: [
            AlertTemplate("PostgresLockWaitLong", .warning, for: "5m", expr: "pg_lock_waits_max_wait_seconds > %W",
                          summary: "Sessions on {{ $labels.server }} wait for locks longer than %W",
                          description: "The longest wait is {{ $value | humanizeDuration }}."),
        ]),
    ]

    static let queryDuration = """
        sum by (instance, job, server, datname) (rate(pg_stat_statements_seconds_total[5m]))
          / sum by (instance, job, server, datname) (rate(pg_stat_statements_calls_total[5m]))
        """

    static let containerSignals: [Signal] = [
        Signal("container_unhealthy", "container health", collector: "containers", source: "container_health_state", unit: .state, .equal,
               warning: 0, stateRule: "unhealthy warn", alerts: [
            AlertTemplate("ContainerUnhealthy", .warning, for: "1m", expr: "container_health_state == 0",
                          summary: "Container {{ $labels.name }} is unhealthy",
                          description: "container_health_state is {{ $value }}; docker inspect shows the failing health check."),
        ]),
        // check sees the restarting state only: restarts counted over 15 minutes need a history
        // its one-second sample does not have.
        Signal("container_restarting", "container", collector: "containers", source: "container_state{state=\"restarting\"}", unit: .state, .equal,
               warning: 1, stateRule: "restarting warn", alerts: [
            AlertTemplate("ContainerRestarting", .warning, expr: "container_state{state=\"restarting\"} == 1 or increase(container_restarts_total[15m]) > 2",
                          summary: "Container {{ $labels.name }} is restarting",
                          description: "Restarting now, or {{ $value }} restarts in 15 minutes."),
        ]),
        // exited or dead (Docker's state after a failed removal), as check grades them.
        Signal("container_exited", "container", collector: "containers", source: "container_state{state=~\"exited|dead\"}", unit: .state, .equal,
               critical: 1, stateRule: "exited unexpectedly crit", alerts: [
            AlertTemplate("ContainerExitedUnexpectedly", .critical, expr: """
                container_state{state=~"exited|dead"} == 1
                  and on (instance, job, id) (container_exit_code != 0 or container_oom_killed == 1)
                """, summary: "Container {{ $labels.name }} exited unexpectedly",
                          description: "It exited with a non-zero code or was OOM-killed (container_state {{ $value }})."),
        ]),
        Signal("container_memory", "container memory / limit", collector: "containers",
               source: "container_memory_working_set_bytes / container_spec_memory_limit_bytes", unit: .ratio, .above, warning: 0.90, alerts: [
            // Plain division: both families carry the same labels, and `/ on (…)` would keep only
            // the `on` labels, leaving the summary's {{ $labels.name }} empty (the agreement test found it).
            AlertTemplate("ContainerMemoryNearLimit", .warning, for: "5m", expr: """
                container_memory_working_set_bytes / (container_spec_memory_limit_bytes > 0) > %W
                """, summary: "Container {{ $labels.name }} uses more than %W of its memory limit",
                          description: "{{ $value | humanizePercentage }} of its memory limit in use."),
        ]),
    ]
}
