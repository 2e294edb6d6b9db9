"""The per-domain dashboards behind the overview's rows: host, containers, PostgreSQL,
certificates and endpoints, Redis and nginx, backups. Written by scripts/make_dashboard.py.

Each shows the detail behind one overview row, uses $datasource, $job and $instance (and $server
or $container where they apply), links back to the overview and to its siblings. DashboardTests
runs every query against a real Prometheus and VictoriaMetrics scraping the whole stack.
"""
from make_dashboard import levels, panel, row, runbook, thresholds, SEL

# Threshold lines from the threshold table (dashboards/thresholds.json), as the overview's.
PCT = levels("memory")
DISK = levels("disk")
DAYS = levels("certificate")
UP = thresholds((None, "red"), (1, "green"))
R = "$__rate_interval"
PG = SEL + ',server=~"$server"'
CT = SEL + ',name=~"$container"'


def layout(items):
    """Places (title-or-row, builder) items left to right in 24 columns, a row header on its own line."""
    panels, x, y, height = [], 0, 0, 0
    for item in items:
        if isinstance(item, str):
            if x:
                y, x = y + height, 0
            panels.append(row(item, y))
            y, height = y + 1, 0
            continue
        kind, title, exprs, opts = item
        w, h = opts.pop("w", 8), opts.pop("h", 7)
        if x + w > 24:
            y, x, height = y + height, 0, 0
        panels.append(panel(kind, title, exprs, x, y, w=w, h=h, **opts))
        x, height = x + w, max(height, h)
    return panels


def p(kind, title, exprs, **opts):
    return (kind, title, exprs, opts)


def host():
    return layout([
        "CPU and memory",
        p("timeseries", "CPU by mode", [f"sum by (mode) (rate(node_cpu_seconds_total{{{SEL},mode!=\"idle\"}}[{R}]))"],
          unit="short", legend=["{{mode}}"], description="Cores busy in each mode."),
        p("timeseries", "Memory", [f"node_memory_MemTotal_bytes{{{SEL}}} - node_memory_MemAvailable_bytes{{{SEL}}}",
                                   f"node_memory_Cached_bytes{{{SEL}}} + node_memory_Buffers_bytes{{{SEL}}}",
                                   f"node_memory_SwapTotal_bytes{{{SEL}}} - node_memory_SwapFree_bytes{{{SEL}}}"],
          unit="bytes", legend=["used", "cache + buffers", "swap used"]),
        p("stat", "Memory used", [f"1 - node_memory_MemAvailable_bytes{{{SEL}}} / node_memory_MemTotal_bytes{{{SEL}}}"],
          unit="percentunit", steps=levels("memory"), description=runbook("memory")),
        p("timeseries", "Pressure (PSI)", [f"rate(node_pressure_cpu_waiting_seconds_total{{{SEL}}}[{R}])",
                                           f"rate(node_pressure_memory_waiting_seconds_total{{{SEL}}}[{R}])",
                                           f"rate(node_pressure_io_waiting_seconds_total{{{SEL}}}[{R}])"],
          unit="percentunit", legend=["cpu", "memory", "io"], description="Share of time some task waited."),
        p("timeseries", "Load per core", [f"node_load1{{{SEL}}} / on (instance) group_left count by (instance) (node_cpu_seconds_total{{{SEL},mode=\"idle\"}})"],
          legend=["load1 / cores"]),
        p("timeseries", "Context switches and interrupts", [f"rate(node_context_switches_total{{{SEL}}}[{R}])", f"rate(node_intr_total{{{SEL}}}[{R}])"],
          legend=["context switches/s", "interrupts/s"]),
        "Disks and file systems",
        p("bargauge", "Disk used", [f"1 - node_filesystem_avail_bytes{{{SEL},fstype!~\"tmpfs|ramfs\"}} / node_filesystem_size_bytes{{{SEL},fstype!~\"tmpfs|ramfs\"}}"],
          unit="percentunit", steps=levels("disk"), legend=["{{mountpoint}}"], description=runbook("disk")),
        p("bargauge", "Inodes used", [f"1 - node_filesystem_files_free{{{SEL},fstype!~\"tmpfs|ramfs\"}} / node_filesystem_files{{{SEL},fstype!~\"tmpfs|ramfs\"}}"],
          unit="percentunit", steps=DISK, legend=["{{mountpoint}}"]),
        p("timeseries", "Disk throughput", [f"rate(node_disk_read_bytes_total{{{SEL}}}[{R}])", f"-rate(node_disk_written_bytes_total{{{SEL}}}[{R}])"],
          unit="Bps", legend=["{{device}} read", "{{device}} write"]),
        p("timeseries", "Disk IOPS", [f"rate(node_disk_reads_completed_total{{{SEL}}}[{R}])", f"-rate(node_disk_writes_completed_total{{{SEL}}}[{R}])"],
          unit="iops", legend=["{{device}} reads", "{{device}} writes"]),
        p("timeseries", "Disk busy", [f"rate(node_disk_io_time_seconds_total{{{SEL}}}[{R}])"], unit="percentunit", legend=["{{device}}"]),
        p("stat", "Read-only file systems", [f"count(node_filesystem_readonly{{{SEL},fstype!~\"tmpfs|ramfs\"}} == 1) or vector(0)"],
          steps=thresholds((None, "green"), (1, "red"))),
        "Network",
        p("timeseries", "Traffic", [f"rate(node_network_receive_bytes_total{{{SEL},device!=\"lo\"}}[{R}])",
                                    f"-rate(node_network_transmit_bytes_total{{{SEL},device!=\"lo\"}}[{R}])"],
          unit="Bps", legend=["{{device}} in", "{{device}} out"]),
        p("timeseries", "Errors and drops", [f"rate(node_network_receive_errs_total{{{SEL}}}[{R}]) + rate(node_network_receive_drop_total{{{SEL}}}[{R}])",
                                             f"rate(node_network_transmit_errs_total{{{SEL}}}[{R}]) + rate(node_network_transmit_drop_total{{{SEL}}}[{R}])"],
          legend=["{{device}} in", "{{device}} out"]),
        p("timeseries", "TCP", [f"node_netstat_Tcp_CurrEstab{{{SEL}}}", f"node_sockstat_TCP_tw{{{SEL}}}", f"rate(node_netstat_Tcp_RetransSegs{{{SEL}}}[{R}])"],
          legend=["established", "time-wait", "retransmits/s"]),
        "Kernel",
        p("bargauge", "File descriptors", [f"node_filefd_allocated{{{SEL}}} / node_filefd_maximum{{{SEL}}}"], unit="percentunit", steps=PCT),
        p("bargauge", "Conntrack table", [f"node_nf_conntrack_entries{{{SEL}}} / node_nf_conntrack_entries_limit{{{SEL}}}"], unit="percentunit", steps=PCT),
        p("stat", "Uptime", [f"time() - node_boot_time_seconds{{{SEL}}}"], unit="s"),
        p("timeseries", "Major page faults and OOM kills", [f"rate(node_vmstat_pgmajfault{{{SEL}}}[{R}])", f"increase(node_vmstat_oom_kill{{{SEL}}}[1h])"],
          legend=["major faults/s", "OOM kills (1 h)"]),
        p("timeseries", "Processes", [f"node_procs_running{{{SEL}}}", f"node_procs_blocked{{{SEL}}}", f"rate(node_forks_total{{{SEL}}}[{R}])"],
          legend=["running", "blocked", "forks/s"]),
        p("table", "Kernel and OS", [f"node_uname_info{{{SEL}}}", f"node_os_info{{{SEL}}}"], legend=["{{release}}", "{{pretty_name}}"]),
    ])


def containers():
    return layout([
        "State",
        p("table", "State", [f"container_state{{{CT}}} == 1"], w=8, legend=["{{name}} {{state}}"]),
        p("table", "Health", [f"container_health_state{{{CT}}}"], w=8, legend=["{{name}}"], steps=UP,
          description="1 healthy, 0 unhealthy, -1 starting or no health check."),
        p("timeseries", "Restarts (1 h)", [f"increase(container_restarts_total{{{CT}}}[1h])"], w=8, legend=["{{name}}"],
          description="Runbook: a restarting container is a warning."),
        p("table", "Exit codes and OOM kills", [f"container_exit_code{{{CT}}}", f"container_oom_killed{{{CT}}}"], w=12,
          legend=["{{name}} exit code", "{{name}} OOM killed"], description="Runbook: a container that exited unexpectedly is critical."),
        p("stat", "Uptime", [f"time() - container_start_time_seconds{{{CT}}}"], w=12, unit="s", legend=["{{name}}"]),
        "Resources",
        p("timeseries", "CPU", [f"rate(container_cpu_usage_seconds_total{{{CT}}}[{R}])"], unit="short", legend=["{{name}}"],
          description="Cores used."),
        p("timeseries", "CPU / quota", [f"rate(container_cpu_usage_seconds_total{{{CT}}}[{R}]) / on (id) (container_spec_cpu_quota{{{CT}}} / container_spec_cpu_period{{{CT}}})"
                                        f" or rate(container_cpu_usage_seconds_total{{{CT}}}[{R}]) / on (instance) group_left machine_cpu_cores{{{SEL}}}"],
          unit="percentunit", steps=PCT, legend=["{{name}}"], description="Against the CPU quota, or the machine's cores when there is none."),
        p("timeseries", "Memory", [f"container_memory_working_set_bytes{{{CT}}}", f"container_memory_rss{{{CT}}}", f"container_memory_cache{{{CT}}}"],
          unit="bytes", legend=["{{name}} working set", "{{name}} rss", "{{name}} cache"]),
        p("bargauge", "Memory / limit", [f"container_memory_working_set_bytes{{{CT}}} / on (id) (container_spec_memory_limit_bytes{{{CT}}} > 0)"],
          unit="percentunit", steps=levels("container_memory"), legend=["{{name}}"], description=runbook("container_memory")),
        p("timeseries", "Processes", [f"container_processes{{{CT}}}"], legend=["{{name}}"]),
        p("timeseries", "Memory failures", [f"rate(container_memory_failcnt{{{CT}}}[{R}])"], legend=["{{name}}"],
          description="Times the memory limit was hit."),
        "Engine",
        p("table", "Engine", [f"container_engine_info{{{SEL}}}"], w=12, legend=["{{engine}} {{version}}"]),
        p("stat", "Machine", [f"machine_cpu_cores{{{SEL}}}", f"machine_memory_bytes{{{SEL}}}"], w=12, legend=["cores", "memory"]),
    ])


def postgres():
    return layout([
        "Availability and connections",
        p("stat", "Up", [f"pg_up{{{PG}}}"], w=4, legend=["{{server}}"], steps=UP, description="Runbook: unreachable is critical."),
        p("bargauge", "Connections / max_connections", [f"sum by (server) (pg_stat_activity_count{{{PG}}}) / on (server) pg_settings_max_connections{{{PG}}}"],
          w=8, unit="percentunit", steps=levels("postgres_connections"), legend=["{{server}}"], description=runbook("postgres_connections")),
        p("timeseries", "Sessions by state", [f"sum by (server, state) (pg_stat_activity_count{{{PG}}})"], w=12, legend=["{{server}} {{state}}"]),
        p("timeseries", "Longest transaction by state", [f"max by (server, state) (pg_stat_activity_max_tx_duration{{{PG}}})"], w=12, unit="s",
          steps=levels("postgres_long_query"), legend=["{{server}} {{state}}"], description=runbook("postgres_long_query")),
        p("timeseries", "Lock waits", [f"pg_lock_waits_max_wait_seconds{{{PG}}}", f"pg_lock_waits_sessions{{{PG}}}"], w=12,
          steps=levels("postgres_lock_wait"), legend=["{{server}} longest wait (s)", "{{server}} sessions waiting"], description=runbook("postgres_lock_wait")),
        "Throughput",
        p("timeseries", "Transactions/s", [f"sum by (server, datname) (rate(pg_stat_database_xact_commit{{{PG}}}[{R}]) + rate(pg_stat_database_xact_rollback{{{PG}}}[{R}]))"],
          legend=["{{server}}/{{datname}}"]),
        p("timeseries", "Rows/s", [f"sum by (server) (rate(pg_stat_database_tup_fetched{{{PG}}}[{R}]))",
                                   f"sum by (server) (rate(pg_stat_database_tup_inserted{{{PG}}}[{R}]) + rate(pg_stat_database_tup_updated{{{PG}}}[{R}]) + rate(pg_stat_database_tup_deleted{{{PG}}}[{R}]))"],
          legend=["{{server}} fetched", "{{server}} written"]),
        p("timeseries", "Cache hit rate", [
            f"sum by (server, datname) (rate(pg_stat_database_blks_hit{{{PG}}}[{R}])) / (sum by (server, datname) (rate(pg_stat_database_blks_hit{{{PG}}}[{R}])) + sum by (server, datname) (rate(pg_stat_database_blks_read{{{PG}}}[{R}])))"],
          unit="percentunit", steps=levels("postgres_cache_hit"), legend=["{{server}}/{{datname}}"], description=runbook("postgres_cache_hit")),
        p("timeseries", "Deadlocks, conflicts, temp files", [f"increase(pg_stat_database_deadlocks{{{PG}}}[1h])", f"increase(pg_stat_database_temp_bytes{{{PG}}}[1h])"],
          legend=["{{datname}} deadlocks (1 h)", "{{datname}} temp bytes (1 h)"]),
        p("timeseries", "Locks by mode", [f"sum by (server, mode) (pg_locks_count{{{PG}}})"], legend=["{{server}} {{mode}}"]),
        p("timeseries", "Checkpoints", [f"rate(pg_stat_bgwriter_checkpoints_timed_total{{{PG}}}[{R}])", f"rate(pg_stat_bgwriter_checkpoints_req_total{{{PG}}}[{R}])"],
          legend=["{{server}} timed", "{{server}} requested"]),
        "Size and tables",
        p("bargauge", "Database size", [f"pg_database_size_bytes{{{PG}}}"], unit="bytes", legend=["{{server}}/{{datname}}"]),
        p("table", "Dead tuples (top 10)", [f"topk(10, pg_stat_user_tables_n_dead_tup{{{PG}}})"], legend=["{{datname}}.{{schemaname}}.{{relname}}"]),
        p("table", "Sequential scans (top 10, 1 h)", [f"topk(10, increase(pg_stat_user_tables_seq_scan{{{PG}}}[1h]))"],
          legend=["{{datname}}.{{schemaname}}.{{relname}}"]),
        p("timeseries", "Replication", [f"pg_replication_is_replica{{{PG}}}", f"pg_replication_lag_seconds{{{PG}}}"],
          legend=["{{server}} is replica", "{{server}} lag (s)"]),
        p("stat", "Uptime", [f"time() - pg_postmaster_start_time_seconds{{{PG}}}"], unit="s", legend=["{{server}}"]),
        p("table", "Exporter", [f"pg_exporter_last_scrape_error{{{PG}}}", f"pg_scrape_collector_success{{{PG}}}"],
          legend=["{{server}} last scrape error", "{{server}} {{collector}}"]),
    ])


def certificates():
    return layout([
        "Certificate files",
        p("table", "Days left", [f"(x509_cert_not_after{{{SEL}}} - time()) / 86400"], w=12, h=8, unit="d", steps=DAYS,
          legend=["{{subject_CN}} {{filepath}}"], description=runbook("certificate")),
        p("stat", "Expired", [f"count(x509_cert_expired{{{SEL}}} == 1) or vector(0)"], w=6, steps=thresholds((None, "green"), (1, "red"))),
        p("stat", "Unreadable files", [f"sum(x509_read_errors{{{SEL}}}) or vector(0)"], w=6, steps=thresholds((None, "green"), (1, "orange"))),
        "TLS endpoints",
        p("table", "Days left", [f"(probe_ssl_earliest_cert_expiry{{{SEL}}} - time()) / 86400"], w=12, unit="d", steps=levels("endpoint_certificate"),
          legend=["{{target}}"], description=runbook("endpoint_certificate")),
        p("table", "Handshake and trust", [f"ssl_probe_success{{{SEL}}}", f"ssl_verify_success{{{SEL}}}"], w=12, steps=UP,
          legend=["{{target}} handshake", "{{target}} verified"]),
        p("table", "TLS version", [f"ssl_tls_version_info{{{SEL}}}"], w=12, legend=["{{target}} {{version}}"]),
        "HTTP endpoints (http collector)",
        p("stat", "Up", [f"probe_success{{{SEL},name!=\"\"}}"], w=6, legend=["{{name}}"], steps=UP, description=runbook("http_probe")),
        p("timeseries", "Probe duration", [f"probe_duration_seconds{{{SEL},name!=\"\"}}"], w=9, unit="s", steps=levels("http_duration"),
          legend=["{{name}}"], description=runbook("http_duration")),
        p("timeseries", "Duration by phase", [f"sum by (name, phase) (probe_http_duration_seconds{{{SEL},name!=\"\"}})"], w=9, unit="s",
          legend=["{{name}} {{phase}}"], description="resolve, connect, tls, processing (to the first byte), transfer."),
        p("table", "Status code, version, redirects", [f"probe_http_status_code{{{SEL},name!=\"\"}}", f"probe_http_version{{{SEL},name!=\"\"}}",
                                                       f"probe_http_redirects{{{SEL},name!=\"\"}}"],
          w=12, legend=["{{name}} status", "{{name}} HTTP version", "{{name}} redirects"]),
        p("table", "Body checks", [f"probe_failed_due_to_regex{{{SEL},name!=\"\"}}", f"probe_http_content_length{{{SEL},name!=\"\"}}"],
          w=12, legend=["{{name}} failed on the body regex", "{{name}} content length"]),
        "TLS endpoints, continued",
        p("table", "Verified chain expiry", [f"(probe_ssl_last_chain_expiry_timestamp_seconds{{{SEL}}} - time()) / 86400"], w=12, unit="d",
          steps=DAYS, legend=["{{target}}"]),
    ])


def redis_nginx():
    return layout([
        "Redis",
        p("stat", "Up", [f"redis_up{{{SEL}}}"], w=4, legend=["{{addr}}"], steps=UP),
        p("bargauge", "Memory / maxmemory", [f"redis_memory_used_bytes{{{SEL}}} / (redis_memory_max_bytes{{{SEL}}} > 0)"], w=6,
          unit="percentunit", steps=levels("redis_memory"), legend=["{{addr}}"], description=runbook("redis_memory")),
        p("timeseries", "Memory", [f"redis_memory_used_bytes{{{SEL}}}", f"redis_memory_used_rss_bytes{{{SEL}}}", f"redis_mem_fragmentation_ratio{{{SEL}}}"],
          w=14, legend=["{{addr}} used", "{{addr}} rss", "{{addr}} fragmentation ratio"]),
        p("timeseries", "Commands/s", [f"rate(redis_commands_processed_total{{{SEL}}}[{R}])"], legend=["{{addr}}"]),
        p("timeseries", "Hit rate", [f"rate(redis_keyspace_hits_total{{{SEL}}}[{R}]) / (rate(redis_keyspace_hits_total{{{SEL}}}[{R}]) + rate(redis_keyspace_misses_total{{{SEL}}}[{R}]))"],
          unit="percentunit", legend=["{{addr}}"]),
        p("timeseries", "Clients", [f"redis_connected_clients{{{SEL}}}", f"redis_blocked_clients{{{SEL}}}"], legend=["{{addr}} connected", "{{addr}} blocked"]),
        p("table", "Slowest commands (total time)", [f"topk(10, redis_commands_duration_seconds_total{{{SEL}}})"], unit="s", legend=["{{addr}} {{cmd}}"]),
        p("timeseries", "Keys", [f"redis_db_keys{{{SEL}}}", f"rate(redis_evicted_keys_total{{{SEL}}}[{R}])", f"rate(redis_expired_keys_total{{{SEL}}}[{R}])"],
          legend=["{{addr}} {{db}} keys", "{{addr}} evicted/s", "{{addr}} expired/s"]),
        p("table", "Persistence", [f"time() - redis_rdb_last_save_timestamp_seconds{{{SEL}}}", f"redis_rdb_last_bgsave_status{{{SEL}}}", f"redis_aof_enabled{{{SEL}}}"],
          legend=["{{addr}} seconds since save", "{{addr}} last bgsave ok", "{{addr}} AOF on"], description="Runbook: a failed background save is critical."),
        p("timeseries", "Network", [f"rate(redis_net_input_bytes_total{{{SEL}}}[{R}])", f"-rate(redis_net_output_bytes_total{{{SEL}}}[{R}])"],
          unit="Bps", legend=["{{addr}} in", "{{addr}} out"]),
        p("timeseries", "Rejected connections (1 h)", [f"increase(redis_rejected_connections_total{{{SEL}}}[1h])"], legend=["{{addr}}"]),
        p("table", "Instance", [f"redis_instance_info{{{SEL}}}"], legend=["{{addr}} {{role}} {{redis_version}}"]),
        "nginx",
        p("stat", "Up", [f"nginx_up{{{SEL}}}"], w=4, legend=["{{addr}}"], steps=UP),
        p("timeseries", "Requests/s", [f"rate(nginx_http_requests_total{{{SEL}}}[{R}])"], w=10, unit="reqps", legend=["{{addr}}"]),
        p("timeseries", "Connections", [f"nginx_connections_reading{{{SEL}}}", f"nginx_connections_writing{{{SEL}}}", f"nginx_connections_waiting{{{SEL}}}"],
          w=10, legend=["{{addr}} reading", "{{addr}} writing", "{{addr}} waiting"]),
        p("timeseries", "Responses by class", [f"sum by (log, status_class) (rate(nginx_http_responses_total{{{SEL}}}[{R}]))"], w=12,
          unit="reqps", legend=["{{log}} {{status_class}}"], description="From the access log (--nginx.access-log)."),
        p("timeseries", "5xx ratio", [f"sum without (status_class) (rate(nginx_http_responses_total{{{SEL},status_class=\"5xx\"}}[{R}])) / "
                                      f"sum without (status_class) (rate(nginx_http_responses_total{{{SEL}}}[{R}]))"],
          w=12, unit="percentunit", steps=levels("nginx_5xx"), legend=["{{log}}"], description=runbook("nginx_5xx")),
        p("timeseries", "Response time p95", [f"histogram_quantile(0.95, sum by (log, le) (rate(nginx_http_request_duration_seconds_bucket{{{SEL}}}[{R}])))"],
          w=12, unit="s", steps=levels("http_duration"), legend=["{{log}}"], description="From $request_time in the log format. " + runbook("http_duration")),
        p("timeseries", "Log lines not understood", [f"rate(nginx_access_log_unparsed_lines_total{{{SEL}}}[{R}])"], w=12, legend=["{{log}}"],
          description="Lines that do not match the log format: check --nginx.access-log-format."),
        p("timeseries", "Accepted vs handled", [f"rate(nginx_connections_accepted{{{SEL}}}[{R}]) - rate(nginx_connections_handled{{{SEL}}}[{R}])"],
          w=12, legend=["{{addr}} dropped/s"], description="Connections accepted but not handled (worker_connections reached)."),
    ])


def backups():
    return layout([
        "Backups",
        p("bargauge", "Age of the newest file", [f"(time() - stack_exporter_files_newest_mtime_seconds{{{SEL}}}) / 3600"], w=12, unit="h",
          legend=["{{name}}"], steps=levels("backup_age"), description=runbook("backup_age")),
        p("stat", "Newest gzip valid", [f"stack_exporter_files_newest_valid{{{SEL}}}"], w=12, legend=["{{name}} {{reason}}"],
          steps=thresholds((None, "red"), (0, "red"), (1, "green")), description="1 valid, 0 truncated or corrupt, -1 not verified yet."),
        p("timeseries", "Files and bytes", [f"stack_exporter_files_count{{{SEL}}}", f"stack_exporter_files_bytes{{{SEL}}}"],
          legend=["{{name}} files", "{{name}} bytes"]),
        p("timeseries", "Newest file size", [f"stack_exporter_files_newest_size_bytes{{{SEL}}}"], unit="bytes", legend=["{{name}}"],
          description="A sudden drop usually means a failed dump."),
        p("bargauge", "Retention (oldest file)", [f"(time() - stack_exporter_files_oldest_mtime_seconds{{{SEL}}}) / 86400"], unit="d", legend=["{{name}}"]),
        p("table", "Unreadable paths", [f"sum by (name, reason) (stack_exporter_files_error{{{SEL}}})"], w=24, legend=["{{name}} {{reason}}"]),
    ])


VARIABLES = {
    "server": ("label_values(pg_up{job=\"$job\",instance=~\"$instance\"}, server)", "PostgreSQL server"),
    "container": ("label_values(container_last_seen{job=\"$job\",instance=~\"$instance\"}, name)", "Container"),
}

DASHBOARDS = [
    # (file stem, uid, title, builder, extra variables)
    ("stack-host", "stack-exporter-host", "Host", host, []),
    ("stack-containers", "stack-exporter-containers", "Containers", containers, ["container"]),
    ("stack-postgres", "stack-exporter-postgres", "PostgreSQL", postgres, ["server"]),
    ("stack-certificates", "stack-exporter-certificates", "Certificates and endpoints", certificates, []),
    ("stack-redis-nginx", "stack-exporter-redis-nginx", "Redis and nginx", redis_nginx, []),
    ("stack-backups", "stack-exporter-backups", "Backups", backups, []),
]


def links():
    """Every dashboard links to the overview and to each domain dashboard, keeping the variables."""
    return [{"title": "Overview", "type": "link", "url": "/d/stack-exporter-overview", "keepTime": True, "includeVars": True}] + [
        {"title": title, "type": "link", "url": f"/d/{uid}", "keepTime": True, "includeVars": True} for _, uid, title, _, _ in DASHBOARDS]


def variables(extra):
    base = [
        {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"},
        {"name": "job", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "query": "label_values(stack_exporter_build_info, job)", "refresh": 1},
        {"name": "instance", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "query": "label_values(stack_exporter_build_info{job=\"$job\"}, instance)", "refresh": 1, "includeAll": True, "multi": True},
    ]
    for name in extra:
        query, label = VARIABLES[name]
        base.append({"name": name, "label": label, "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
                     "query": query, "refresh": 1, "includeAll": True, "multi": True, "allValue": ".+"})
    return base


def build_all():
    """{file stem: dashboard} for every domain dashboard."""
    result = {}
    for stem, uid, title, builder, extra in DASHBOARDS:
        result[stem] = {
            "title": f"{title} (stack_exporter)", "uid": uid,
            "description": f"The detail behind the overview's {title} row.",
            "schemaVersion": 39, "version": 1, "editable": True, "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
            "tags": ["stack_exporter"], "links": links(), "templating": {"list": variables(extra)}, "panels": builder(),
        }
    return result
