#!/usr/bin/python3
"""Evaluates every PromQL expression of community Grafana dashboards against a peer exporter and
stack_exporter, in one real Prometheus that scrapes both, and reports how many of the expressions
that return data for the peer also return data for stack_exporter.

Grafana variables are substituted: $job and $node/$instance select each target; other label
variables become `=~".+"`; $__rate_interval/$__interval/$__range become fixed windows.

  promql_coverage.py --peer 127.0.0.1:9100 --ours 127.0.0.1:9630 DASHBOARD.json [...]
Exit 1 when an expression answers for the peer but not for stack_exporter (unless allow-listed
with --allow REGEX on the expression).
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.parse, urllib.request

TARGET_VARS = {"job": "job", "node": "instance", "instance": "instance", "host": "instance"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def expressions(path):
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "expr" and isinstance(value, str) and value.strip():
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with open(path) as f:
        walk(json.load(f))
    return found


def substitute(expr, job, instance):
    expr = re.sub(r'\$__rate_interval|\$\{__rate_interval\}', "20s", expr)
    expr = re.sub(r'\$__interval|\$\{__interval\}', "5s", expr)
    expr = re.sub(r'\$__range|\$\{__range\}', "30s", expr)
    expr = re.sub(r'\$__range_s|\$\{__range_s\}', "30", expr)

    def matcher(m):
        label, var = m.group(1), m.group(3)
        if label == "job":
            return f'job="{job}"'
        if label == "instance":
            return f'instance="{instance}"'
        return f'{label}=~".+"'

    expr = re.sub(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|=|!=|!~)\s*"\$\{?([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}?"', matcher, expr)
    # A variable used bare (e.g. in a number) or anywhere else: a neutral value.
    return re.sub(r'\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?', "1", expr)


def query(port, expr):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except Exception as error:  # a 400 for an expression Prometheus 2.42 cannot parse
        return None, str(error)
    result = body.get("data", {}).get("result")
    if body.get("data", {}).get("resultType") == "scalar":
        return True, ""
    return bool(result), ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", required=True)
    parser.add_argument("--ours", required=True)
    parser.add_argument("--wait", type=float, default=25)
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("dashboards", nargs="+")
    args = parser.parse_args()

    prometheus = shutil.which("prometheus")
    if not prometheus:
        print("promql-coverage: FAIL prometheus is not installed")
        return 2
    work = tempfile.mkdtemp(prefix="promql-coverage-")
    port = free_port()
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: peer
    static_configs: [{{targets: ['{args.peer}']}}]
  - job_name: ours
    static_configs: [{{targets: ['{args.ours}']}}]
""")
    server = subprocess.Popen([prometheus, f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
                               f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            ok, _ = query(port, 'count(up == 1) == 2')
            if ok:
                break
            time.sleep(0.5)
        else:
            print("promql-coverage: FAIL Prometheus could not scrape both targets")
            return 2
        time.sleep(args.wait)  # enough samples for rate() windows
        answered = covered = 0
        misses, allowed, broken = [], [], 0
        for path in args.dashboards:
            seen = set()
            for raw in expressions(path):
                peer_expr = substitute(raw, "peer", args.peer)
                ours_expr = substitute(raw, "ours", args.ours)
                if peer_expr in seen:
                    continue
                seen.add(peer_expr)
                peer_ok, error = query(port, peer_expr)
                if peer_ok is None:
                    broken += 1
                    continue
                if not peer_ok:
                    continue
                answered += 1
                ours_ok, _ = query(port, ours_expr)
                if ours_ok:
                    covered += 1
                elif any(re.search(a, raw) for a in args.allow):
                    allowed.append(raw)
                else:
                    misses.append((os.path.basename(path), raw))
        for name, expr in misses:
            print(f"  no data from stack_exporter: {name}: {expr[:160]}")
        pct = 100.0 * covered / answered if answered else 100.0
        print(f"promql-coverage: {'OK' if not misses else 'FAIL'}: {covered}/{answered} expressions that return data "
              f"for the peer also return data for stack_exporter ({pct:.1f}%), {len(allowed)} allow-listed, "
              f"{broken} not evaluable by this Prometheus")
        return 0 if not misses else 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
