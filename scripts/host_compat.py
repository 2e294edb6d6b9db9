"""The comparison half of scripts/host-compat (run by it; needs python3-prometheus-client and python3-yaml)."""
import json
import os
import re
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

NE_URL, SE_URL = os.environ["NE_URL"], os.environ["SE_URL"]
SHARED = os.environ.get("SHARED", "")

# Deliberate omissions: node_exporter series stack_exporter does not produce, with the reason.
ALLOWED_MISSING = {
    "node_exporter_build_info": "stack_exporter reports stack_exporter_build_info",
}
IGNORED_PREFIXES = ("go_", "process_", "promhttp_")  # runtime metrics of each exporter, not host data

# Values that must be equal on both sides (same label set).
STATIC = {
    "node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes", "node_filesystem_size_bytes", "node_filesystem_files",
    "node_boot_time_seconds", "node_network_mtu_bytes", "node_network_iface_id", "node_network_speed_bytes",
    "node_filefd_maximum", "node_entropy_pool_size_bits", "node_nf_conntrack_entries_limit", "node_uname_info",
    "node_os_info", "node_os_version", "node_network_info", "node_disk_info", "node_memory_HugePages_Total",
    "node_memory_Hugepagesize_bytes", "node_time_zone_offset_seconds", "node_filesystem_readonly",
    "node_arp_entries", "node_timex_sync_status", "node_timex_status", "node_timex_tick_seconds",
    "node_timex_loop_time_constant", "node_timex_tai_offset_seconds", "node_timex_pps_shift_seconds",
    "node_processes_max_threads", "node_processes_max_processes",
}

# Gauges that move slowly: equal within an absolute tolerance (the kernel clock discipline between
# the two scrapes; maxerror grows by 500 µs a second while the clock is not synchronised).
CLOSE = {
    "node_timex_offset_seconds": 0.01, "node_timex_frequency_adjustment_ratio": 1e-5,
    "node_timex_maxerror_seconds": 0.1, "node_timex_estimated_error_seconds": 0.1,
}


def scrape(url):
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"host-compat: FAIL cannot scrape {url}")


def parse(text):
    """{sample name: {frozenset(labels.items()): value}} and {sample name: type}."""
    series, types = {}, {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            series.setdefault(sample.name, {})[frozenset(sample.labels.items())] = sample.value
            types[sample.name] = family.type
    return series, types


def wanted(name):
    return not name.startswith(IGNORED_PREFIXES)


def main():
    scrape(NE_URL), scrape(SE_URL)  # wait until both listen
    ne1, types = parse(scrape(NE_URL))
    se, _ = parse(scrape(SE_URL))
    ne2, _ = parse(scrape(NE_URL))
    failures, notes = [], []

    # 1. Names and label names.
    ne_names = {n for n in ne1 if wanted(n)}
    missing = sorted(n for n in ne_names if n not in se and n not in ALLOWED_MISSING)
    for n in missing:
        failures.append(f"missing metric {n}")
    for n in sorted(ne_names & set(se)):
        ne_labels = {k for key in ne1[n] for k, _ in key}
        se_labels = {k for key in se[n] for k, _ in key}
        if ne_labels != se_labels:
            failures.append(f"{n}: label names differ: node_exporter {sorted(ne_labels)} vs ours {sorted(se_labels)}")
    extra = sorted(n for n in se if wanted(n) and n.startswith(("node_", "machine_")) and n not in ne_names)

    # 2. Static values equal; counters within drift (bracketed by two node_exporter scrapes).
    static_checked = counters_checked = 0
    for n in sorted(ne_names & set(se)):
        for key, value in ne1[n].items():
            if key not in se[n]:
                continue
            ours = se[n][key]
            if n in STATIC:
                static_checked += 1
                if ours != value:
                    failures.append(f"{n}{dict(key)}: node_exporter {value} != ours {ours}")
            elif n in CLOSE:
                static_checked += 1
                if abs(ours - value) > CLOSE[n]:
                    failures.append(f"{n}{dict(key)}: node_exporter {value} vs ours {ours} beyond ± {CLOSE[n]}")
            elif types.get(n) == "counter":
                counters_checked += 1
                after = ne2.get(n, {}).get(key, value)
                low, high = min(value, after), max(value, after)
                slack = max(2.0, 0.02 * abs(high))
                if not (low - slack <= ours <= high + slack):
                    failures.append(f"{n}{dict(key)}: ours {ours} outside node_exporter's [{low}, {high}] ± {slack}")

    # 3. Community dashboard and alert selectors.
    coverage = dashboard_coverage(ne1, se, failures, notes)

    for line in notes:
        print(line)
    for line in failures:
        print("FAIL", line)
    print(f"names: {len(ne_names)} from node_exporter, {len(missing)} missing, {len(ALLOWED_MISSING)} allow-listed "
          f"({', '.join(sorted(ALLOWED_MISSING))}); {len(extra)} extra here: {', '.join(extra) or '-'}")
    verdict = "OK" if not failures else f"FAIL ({len(failures)} problems)"
    print(f"host-compat: {verdict}: {len(ne_names & set(se))}/{len(ne_names)} node_exporter metrics present, "
          f"{static_checked} static values equal-checked, {counters_checked} counters drift-checked, {coverage}")
    return 0 if not failures else 1


# --- PromQL selector extraction (regex-based, close to a real parse for these files) ---

SELECTOR = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\})?')
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
GROUPING = re.compile(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)')


def selectors(expr):
    expr = GROUPING.sub(" ", expr)
    expr = re.sub(r'\[[^\]]*\]', " ", expr)  # ranges and subqueries
    for m in SELECTOR.finditer(expr):
        name, braces = m.group(1), m.group(2) or ""
        rest = expr[m.end():].lstrip()
        if not name.startswith(("node_", "machine_")) or (rest.startswith("(") and not braces):
            continue
        yield name, braces


def matches(series_labels, braces):
    labels = dict(series_labels)
    for label, op, value in MATCHER.findall(braces):
        if "$" in value or label in ("job", "instance"):
            continue  # Grafana variables and target labels: any value
        value = value.replace('\\\\', '\\')
        actual = labels.get(label, "")
        if op == "=" and actual != value: return False
        if op == "!=" and actual == value: return False
        try:
            if op == "=~" and not re.fullmatch(value, actual): return False
            if op == "!~" and re.fullmatch(value, actual): return False
        except re.error:
            continue
    return True


def answered(data, name, braces):
    return any(matches(key, braces) for key in data.get(name, {}))


def expressions(path):
    exprs = []
    if path.endswith(".json"):
        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("expr", "query") and isinstance(v, str):
                        exprs.append(v)
                    elif isinstance(v, dict) and k == "query" and isinstance(v.get("query"), str):
                        exprs.append(v["query"])
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        with open(path) as f:
            walk(json.load(f))
    else:
        import yaml
        with open(path) as f:
            doc = yaml.safe_load(f)
        for group in (doc or {}).get("groups", []):
            for rule in group.get("rules", []):
                if isinstance(rule.get("expr"), str):
                    exprs.append(rule["expr"])
    return exprs


def dashboard_coverage(ne, se, failures, notes):
    files = ["dashboards/node-exporter-full.json", "alerts/awesome-prometheus-alerts/node-exporter.yml",
             "alerts/mixins/node-exporter-mixin-alerts.yaml", "alerts/dockprom/alert.rules"]
    base = os.path.join(SHARED, "community")
    if not os.path.isdir(base):
        notes.append(f"dashboard coverage: SKIPPED ({base} is missing)")
        return "dashboard coverage skipped (../shared missing)"
    answerable = covered = unanswered_by_both = allowed = 0
    names_answerable, names_covered = set(), set()
    for rel in files:
        path = os.path.join(base, rel)
        if not os.path.exists(path):
            notes.append(f"dashboard coverage: {rel} missing, skipped")
            continue
        seen = set()
        for expr in expressions(path):
            for name, braces in selectors(expr):
                if (name, braces) in seen:
                    continue
                seen.add((name, braces))
                if not answered(ne, name, braces):
                    unanswered_by_both += not answered(se, name, braces)
                    continue
                answerable += 1
                names_answerable.add(name)
                if answered(se, name, braces):
                    covered += 1
                    names_covered.add(name)
                elif name in ALLOWED_MISSING:
                    allowed += 1
                    notes.append(f"{rel}: selector {name}{braces} allow-listed: {ALLOWED_MISSING[name]}")
                else:
                    failures.append(f"{rel}: selector {name}{braces} matches node_exporter data but not ours")
    pct = 100.0 * covered / answerable if answerable else 100.0
    notes.append(f"dashboard/alert selectors: {covered}/{answerable} answered ({pct:.1f}%), {allowed} allow-listed, "
                 f"{len(names_covered)}/{len(names_answerable)} metric names; "
                 f"{unanswered_by_both} selectors match nothing on either (collectors not in scope or no such hardware)")
    return f"dashboard/alert selector coverage {covered}/{answerable} ({pct:.1f}%, {allowed} allow-listed)"


if __name__ == "__main__":
    sys.exit(main())
