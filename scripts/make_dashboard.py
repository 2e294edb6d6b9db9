#!/usr/bin/python3
"""Generates dashboards/stack-overview.json, the runbook view of stack_exporter's metrics, and the
per-domain dashboards behind its rows (scripts/dashboards_domain.py).

Kept as a generator so that panels stay consistent (one datasource variable). The threshold lines
and colours come from the threshold table, the one `check` and the alert rules use:
dashboards/thresholds.json is `stack_exporter rules --output=thresholds-json` (a test fails when it
drifts). Run it after editing either and commit the output; `--check` exits 1 when
dashboards/stack-overview.json is not what it would write.
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboards_domain  # noqa: E402  (the per-domain dashboards, linked from the overview)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEL = 'job="$job",instance=~"$instance"'


def thresholds(*steps):
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def load_table():
    with open(os.path.join(ROOT, "dashboards", "thresholds.json")) as f:
        return {s["id"]: s for s in json.load(f)["signals"]}


TABLE = load_table()


def levels(signal_id):
    """Grafana steps from a signal's levels: green where fine, orange from the warning level, red
    from the critical one (in the signal's unit, as the panels show it)."""
    s = TABLE[signal_id]
    warning, critical = s["warning"], s["critical"]
    if s["comparison"] == "<":
        steps = [(None, "red" if critical is not None else "orange")]
        if critical is not None and warning is not None:
            steps.append((critical, "orange"))
        steps.append((warning if warning is not None else critical, "green"))
        return thresholds(*steps)
    steps = [(None, "green")]
    if warning is not None:
        steps.append((warning, "orange"))
    if critical is not None:
        steps.append((critical, "red"))
    return thresholds(*steps)


def runbook(signal_id, extra=""):
    return f"Runbook: {TABLE[signal_id]['rule']}.{extra}"


def panel(kind, title, exprs, x, y, w=8, h=7, unit=None, steps=None, legend=None, description=""):
    targets = [{"expr": e, "refId": chr(65 + i), "legendFormat": (legend[i] if legend else "")} for i, e in enumerate(exprs)]
    defaults = {}
    if unit:
        defaults["unit"] = unit
    if steps:
        defaults["thresholds"] = steps
        defaults["color"] = {"mode": "thresholds"}
    return {"type": kind, "title": title, "description": description, "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"x": x, "y": y, "w": w, "h": h}, "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": []}, "options": {}}


def row(title, y):
    return {"type": "row", "title": title, "collapsed": False, "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []}


def build():
    panels = [
        row("Host", 0),
        panel("stat", "Memory used", [f"1 - node_memory_MemAvailable_bytes{{{SEL}}} / node_memory_MemTotal_bytes{{{SEL}}}"],
              0, 1, w=6, unit="percentunit", steps=levels("memory"), description=runbook("memory")),
        panel("timeseries", "CPU busy", [f"1 - avg by (instance) (rate(node_cpu_seconds_total{{{SEL},mode=\"idle\"}}[$__rate_interval]))"],
              6, 1, w=9, unit="percentunit", steps=levels("cpu"), description=runbook("cpu")),
        panel("bargauge", "Disk used", [f"1 - node_filesystem_avail_bytes{{{SEL},fstype!~\"tmpfs|ramfs\"}} / node_filesystem_size_bytes{{{SEL},fstype!~\"tmpfs|ramfs\"}}"],
              15, 1, w=9, unit="percentunit", steps=levels("disk"), legend=["{{mountpoint}}"], description=runbook("disk")),
        panel("timeseries", "Load", [f"node_load1{{{SEL}}}", f"node_load5{{{SEL}}}", f"node_load15{{{SEL}}}"], 0, 8, legend=["1m", "5m", "15m"]),
        panel("timeseries", "Network traffic", [f"rate(node_network_receive_bytes_total{{{SEL},device!=\"lo\"}}[$__rate_interval])",
                                                f"-rate(node_network_transmit_bytes_total{{{SEL},device!=\"lo\"}}[$__rate_interval])"],
              8, 8, unit="Bps", legend=["{{device}} in", "{{device}} out"]),
        panel("timeseries", "Disk I/O time", [f"rate(node_disk_io_time_seconds_total{{{SEL}}}[$__rate_interval])"], 16, 8,
              unit="percentunit", legend=["{{device}}"]),
        row("TLS certificates", 15),
        panel("table", "Certificate files: days left", [f"(x509_cert_not_after{{{SEL}}} - time()) / 86400"], 0, 16, w=12, h=8,
              unit="d", steps=levels("certificate"), legend=["{{subject_CN}} {{filepath}}"], description=runbook("certificate")),
        panel("table", "Endpoints: days left", [f"(probe_ssl_earliest_cert_expiry{{{SEL}}} - time()) / 86400"], 12, 16, w=12, h=8,
              unit="d", steps=levels("endpoint_certificate"), legend=["{{target}}"], description=runbook("endpoint_certificate")),
        row("PostgreSQL", 24),
        panel("stat", "Database up", [f"pg_up{{{SEL}}}"], 0, 25, w=4, legend=["{{server}}"],
              steps=thresholds((None, "red"), (1, "green"))),
        panel("bargauge", "Connections / max_connections",
              [f"sum by (server) (pg_stat_activity_count{{{SEL}}}) / on (server) pg_settings_max_connections{{{SEL}}}"],
              4, 25, w=7, unit="percentunit", steps=levels("postgres_connections"), legend=["{{server}}"],
              description=runbook("postgres_connections")),
        panel("timeseries", "Longest active transaction", [f"max by (server, datname) (pg_stat_activity_max_tx_duration{{{SEL},state=\"active\"}})"],
              11, 25, w=7, unit="s", steps=levels("postgres_long_query"), legend=["{{server}}/{{datname}}"],
              description=runbook("postgres_long_query")),
        panel("timeseries", "Cache hit rate",
              [f"sum by (server, datname) (rate(pg_stat_database_blks_hit{{{SEL}}}[$__rate_interval])) / (sum by (server, datname) (rate(pg_stat_database_blks_hit{{{SEL}}}[$__rate_interval])) + sum by (server, datname) (rate(pg_stat_database_blks_read{{{SEL}}}[$__rate_interval])))"],
              18, 25, w=6, unit="percentunit", steps=levels("postgres_cache_hit"), legend=["{{server}}/{{datname}}"],
              description=runbook("postgres_cache_hit")),
        panel("timeseries", "Sessions by state", [f"sum by (server, state) (pg_stat_activity_count{{{SEL}}})"], 0, 32, w=12,
              legend=["{{server}} {{state}}"]),
        panel("timeseries", "Longest lock wait", [f"pg_lock_waits_max_wait_seconds{{{SEL}}}"], 12, 32, w=12, unit="s",
              steps=levels("postgres_lock_wait"), legend=["{{server}}"], description=runbook("postgres_lock_wait")),
        row("Containers", 39),
        panel("table", "Container state", [f"container_state{{{SEL}}} == 1"], 0, 40, w=8, h=8, legend=["{{name}} {{state}}"]),
        panel("timeseries", "Memory (working set)", [f"container_memory_working_set_bytes{{{SEL}}}"], 8, 40, w=8, h=8,
              unit="bytes", legend=["{{name}}"]),
        panel("timeseries", "CPU", [f"rate(container_cpu_usage_seconds_total{{{SEL}}}[$__rate_interval])"], 16, 40, w=8, h=8,
              unit="percentunit", legend=["{{name}}"]),
        panel("bargauge", "Memory / limit", [f"container_memory_working_set_bytes{{{SEL}}} / (container_spec_memory_limit_bytes{{{SEL}}} > 0)"],
              0, 48, w=8, unit="percentunit", steps=levels("container_memory"), legend=["{{name}}"], description=runbook("container_memory")),
        panel("timeseries", "Restarts (1 h)", [f"increase(container_restarts_total{{{SEL}}}[1h])"], 8, 48, w=8, legend=["{{name}}"]),
        panel("stat", "Unhealthy containers", [f"count(container_health_state{{{SEL}}} == 0) or vector(0)"], 16, 48, w=8,
              steps=thresholds((None, "green"), (1, "red"))),
        row("Redis and nginx", 55),
        panel("stat", "Redis up", [f"redis_up{{{SEL}}}"], 0, 56, w=4, legend=["{{addr}}"],
              steps=thresholds((None, "red"), (1, "green")), description="Runbook: critical when down; redis_exporter_last_scrape_error says why."),
        panel("bargauge", "Redis memory / maxmemory", [f"redis_memory_used_bytes{{{SEL}}} / (redis_memory_max_bytes{{{SEL}}} > 0)"],
              4, 56, w=6, unit="percentunit", steps=levels("redis_memory"), legend=["{{addr}}"],
              description=runbook("redis_memory", " Of maxmemory; servers without maxmemory are not shown.")),
        panel("timeseries", "Redis commands/s and hit rate",
              [f"rate(redis_commands_processed_total{{{SEL}}}[$__rate_interval])",
               f"rate(redis_keyspace_hits_total{{{SEL}}}[$__rate_interval]) / (rate(redis_keyspace_hits_total{{{SEL}}}[$__rate_interval]) + rate(redis_keyspace_misses_total{{{SEL}}}[$__rate_interval]))"],
              10, 56, w=7, legend=["{{addr}} commands/s", "{{addr}} hit rate"]),
        panel("table", "Redis rejected connections / last save", [f"increase(redis_rejected_connections_total{{{SEL}}}[1h])",
                                                                  f"redis_rdb_last_bgsave_status{{{SEL}}}"],
              17, 56, w=7, legend=["{{addr}} rejected (1 h)", "{{addr}} last bgsave ok"],
              description="Runbook: warn on rejected connections, critical when the last background save failed."),
        panel("stat", "nginx up", [f"nginx_up{{{SEL}}}"], 0, 63, w=4, legend=["{{addr}}"], steps=thresholds((None, "red"), (1, "green"))),
        panel("timeseries", "nginx requests/s", [f"rate(nginx_http_requests_total{{{SEL}}}[$__rate_interval])"], 4, 63, w=7,
              unit="reqps", legend=["{{addr}}"]),
        panel("timeseries", "nginx connections", [f"nginx_connections_active{{{SEL}}}", f"nginx_connections_waiting{{{SEL}}}"],
              11, 63, w=6, legend=["{{addr}} active", "{{addr}} waiting"]),
        panel("timeseries", "nginx 5xx ratio",
              [f"sum without (status_class) (rate(nginx_http_responses_total{{{SEL},status_class=\"5xx\"}}[$__rate_interval]))"
               f" / sum without (status_class) (rate(nginx_http_responses_total{{{SEL}}}[$__rate_interval]))"],
              17, 63, w=7, unit="percentunit", legend=["{{log}}"], steps=thresholds((None, "green"), (0.05, "red")),
              description="Share of 5xx answers in each --nginx.access-log (runbook: > 5 %)."),
        row("Backups (files collector)", 70),
        panel("bargauge", "Backup age", [f"(time() - stack_exporter_files_newest_mtime_seconds{{{SEL}}}) / 3600"], 0, 71, w=12,
              unit="h", legend=["{{name}}"], steps=levels("backup_age"),
              description="Hours since the newest file of each --files.glob pattern was written. " + runbook("backup_age")),
        panel("table", "Backup files", [f"stack_exporter_files_count{{{SEL}}}", f"stack_exporter_files_newest_size_bytes{{{SEL}}}",
                                        f"stack_exporter_files_newest_valid{{{SEL}}}", f"sum by (name) (stack_exporter_files_error{{{SEL}}})"],
              12, 71, w=12, legend=["{{name}} files", "{{name}} newest bytes", "{{name}} valid {{reason}}", "{{name}} unreadable paths"],
              description="Files matched, newest size, newest .gz valid (1 yes, 0 no, -1 not verified yet), unreadable paths."),
        row("stack_exporter", 78),
        panel("timeseries", "Collector success", [f"stack_exporter_scrape_collector_success{{{SEL}}}"], 0, 79, w=12,
              legend=["{{collector}}"], steps=thresholds((None, "red"), (1, "green"))),
        panel("timeseries", "Collector duration", [f"stack_exporter_scrape_collector_duration_seconds{{{SEL}}}"], 12, 79, w=12,
              unit="s", legend=["{{collector}}"]),
        row("HTTP endpoints (http collector)", 86),
        panel("stat", "HTTP endpoints up", [f"probe_success{{{SEL},name!=\"\"}}"], 0, 87, w=12, legend=["{{name}}"],
              steps=thresholds((None, "red"), (1, "green")),
              description="probe_success of each --http.endpoint (blackbox names); the exporter's log says why one fails."),
        panel("timeseries", "HTTP probe duration", [f"probe_duration_seconds{{{SEL},name!=\"\"}}"], 12, 87, w=12, unit="s",
              legend=["{{name}}"]),
    ]
    return {
        "title": "Stack overview (stack_exporter)",
        "uid": "stack-exporter-overview",
        "description": "The runbook view: host, TLS certificates, PostgreSQL, containers, Redis, nginx, backups, and the exporter itself.",
        "schemaVersion": 39, "version": 1, "editable": True, "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
        "tags": ["stack_exporter"],
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"},
            {"name": "job", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "query": "label_values(stack_exporter_build_info, job)", "refresh": 1},
            {"name": "instance", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "query": "label_values(stack_exporter_build_info{job=\"$job\"}, instance)", "refresh": 1, "includeAll": True, "multi": True},
        ]},
        "links": dashboards_domain.links(),
        "panels": panels,
    }


def dashboards():
    """Every dashboard this script writes, by file stem, as the text it writes."""
    built = {"stack-overview": build(), **dashboards_domain.build_all()}
    return {stem: json.dumps(dashboard, indent=2) + "\n" for stem, dashboard in built.items()}


if __name__ == "__main__":
    for stem, text in dashboards().items():
        path = os.path.join(ROOT, "dashboards", stem + ".json")
        if sys.argv[1:] == ["--check"]:
            with open(path) as f:
                if f.read() != text:
                    sys.exit(f"dashboards/{stem}.json is not what scripts/make_dashboard.py writes: run it")
            continue
        with open(path, "w") as f:
            f.write(text)
