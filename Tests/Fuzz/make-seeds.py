#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (Tests/Fuzz/corpus/<target>/seed-*) from the real
fixtures in Tests/ExporterCoreTests/Fixtures and a few hand-written inputs. libFuzzer adds what it
finds to the same directories when scripts/fuzz runs with --keep; seeds are rewritten here only.
Run from the repository root: python3 Tests/Fuzz/make-seeds.py"""
import os, struct, subprocess, tempfile

F = "Tests/ExporterCoreTests/Fixtures"
OUT = "Tests/Fuzz/corpus"

def fixture(*parts):
    with open(os.path.join(F, *parts), "rb") as f:
        return f.read()

seeds = {}
def add(target, name, data):
    seeds.setdefault(target, []).append((name, data))

H = ("host", "proc")
add("meminfo", "meminfo", fixture(*H, "meminfo"))
add("netstat", "netstat", fixture(*H, "net", "netstat"))
add("netstat", "snmp", fixture(*H, "net", "snmp"))
add("sockstat", "sockstat", fixture(*H, "net", "sockstat"))
add("sockstat", "sockstat6", fixture(*H, "net", "sockstat6"))
add("conntrack", "nf_conntrack", fixture(*H, "net", "stat", "nf_conntrack"))
add("conntrack", "count", fixture(*H, "sys", "net", "netfilter", "nf_conntrack_count"))
add("mounts", "mounts", fixture(*H, "self", "mounts"))
add("mounts", "escaped", b"/dev/sda1 /mnt/with\\040space ext4 rw,relatime 0 0\nnfs:/x /mnt/\\134back nfs4 ro 0 0\n")
add("diskstats", "diskstats", fixture(*H, "diskstats"))
add("netdev", "netdev", fixture(*H, "net", "dev"))
add("netdev", "container-v2", fixture("cgroup", "v2", "proc", "4242", "net", "dev"))
add("stat", "stat", fixture(*H, "stat"))
for p in ("cpu", "io", "memory"):
    add("pressure", p, fixture(*H, "pressure", p))
add("namevalue", "vmstat", fixture(*H, "vmstat"))
add("namevalue", "snmp6", fixture(*H, "net", "snmp6"))
add("os-release", "os-release", fixture("host", "rootfs", "etc", "os-release"))
add("small-files", "loadavg", fixture(*H, "loadavg"))
add("small-files", "file-nr", fixture(*H, "sys", "fs", "file-nr"))
add("small-files", "entropy", fixture(*H, "sys", "kernel", "random", "entropy_avail"))
add("small-files", "mtu", fixture("host", "sys", "class", "net", "lo", "mtu"))

# rtnetlink: 4 bytes of sequence number (big-endian, see the netlink target), then a dump reply:
# RTM_NEWLINK for lo with a few attributes, then NLMSG_DONE (linux/rtnetlink.h, if_link.h).
def rta(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)
attrs = rta(3, b"lo\0") + rta(4, struct.pack("=I", 65536)) + rta(1, b"\0" * 6) + rta(16, b"\0") + rta(20, b"loopback\0")
ifinfo = struct.pack("=BxHiII", 0, 772, 1, 0x49, 0)
def nlmsg(kind, seq, payload):
    return struct.pack("=IHHII", 16 + len(payload), kind, 2, seq, 0) + payload
add("netlink", "lo-done", struct.pack(">I", 7) + nlmsg(16, 7, ifinfo + attrs) + nlmsg(3, 7, b"\0" * 4))
add("netlink", "error", struct.pack(">I", 7) + nlmsg(2, 7, struct.pack("=i", -1) + b"\0" * 16))

C = ("cgroup", "v2", "sys", "fs", "cgroup", "machine.slice",
     "libpod-4c872a24ff4ece451f3b1612ad718f86e1a711cd9bed619fa5beaa856b815cb9.scope")
add("cgroup", "proc-cgroup-v2", fixture("cgroup", "v2", "proc", "4242", "cgroup"))
add("cgroup", "proc-cgroup-v1", fixture("cgroup", "v1", "proc", "4242", "cgroup"))
for name in ("memory.stat", "io.stat", "cpu.stat", "memory.events", "memory.max"):
    add("cgroup", name, fixture(*C, name))

add("http-request", "scrape", b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9630\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n")
add("http-request", "collect", b"GET /metrics?collect[]=meminfo&collect%5B%5D=cpu HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
add("http-request", "pipelined", b"GET /-/healthy HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.0\nHost: b\n\nGET /probe?target=127.0.0.1:443&sni=a HTTP/1.1\r\nHost: c\r\nContent-Length: 0\r\n\r\n")
add("http-request", "smuggle", b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc")
for name in ("podman-list.http", "podman-stats-404.http", "podman-stats-running.http", "podman-version.http"):
    add("http-response", name, fixture("docker", name))
add("http-response", "chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n4;ext=1\r\n[1,2\r\n1\r\n]\r\n0\r\nTrailer: x\r\n\r\n")
add("http-response", "length", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
add("http-response", "eof", b"HTTP/1.0 200 OK\r\n\r\n[]")
for name in sorted(os.listdir(os.path.join(F, "docker"))):
    if name.endswith(".json"):
        add("docker-json", name, fixture("docker", name))
add("docker-json", "escapes", b'{"a":"\\u00e9\\ud83d\\ude00\\n","b":[1.5e3,-0,true,false,null],"c":{"d":[]}}')

pem = fixture("tls", "golden-chain.pem")
add("pem", "golden-chain.pem", pem)
add("pem", "key-and-cert", b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n" + pem)
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", f"{tmp}/k.pem", "-out", f"{tmp}/c.pem", "-days", "30", "-subj", "/CN=fuzz \\\"q\\\"/O=a\\,b",
                    "-addext", "subjectAltName=DNS:a.example,IP:127.0.0.1,IP:::1,email:x@example.org"],
                   check=True, capture_output=True)
    add("pem", "ec-sans.pem", open(f"{tmp}/c.pem", "rb").read())
    for source in (f"{tmp}/c.pem", os.path.join(F, "tls", "golden-chain.pem")):
        der = subprocess.run(["openssl", "x509", "-in", source, "-outform", "DER"], check=True, capture_output=True).stdout
        add("der", os.path.basename(source) + ".der", der)
        add("pem", os.path.basename(source) + ".der", der)

for i, dsn in enumerate([
    "postgresql://mon%3Aitor:p%40ss%20word@db.example:6432/app?sslmode=require&application_name=x",
    "postgres://u@/postgres?password=s3cret&host=%2Fvar%2Frun%2Fpostgresql",
    "postgresql://[::1]:5433/db", "postgresql://a:1,b:2/db",
    "host=10.0.0.1 port = 5433 user=mon password='it\\'s quoted' dbname=postgres",
    "postgresql://acc:Se@cr3t@127.0.0.1:5433/db", "host=a,b port=1,2 dbname=x password=Qk7",
]):
    add("dsn", f"dsn-{i}", dsn.encode())

for i, conf in enumerate([
    "# the 85 % runbook\nmemory.warning = 85%\ncertificate.critical = 14\n",
    "cpu.warning = none\nbackup_age.critical.for = 0s\n",
    "postgres_cache_hit.warning = 0.9\nnginx_5xx.critical = 0.1  # comment\nhttp_duration.warning = 0.25\n",
    "memory.warning = 0.95\n", "certificate.critical = none\n", "disk.warning=\n",
]):
    add("thresholds", f"thresholds-{i}", conf.encode())

# Exposition: the little language of ExpositionFuzz (a chunk is a length byte and its bytes).
def chunk(s):
    b = s.encode() if isinstance(s, str) else s
    assert len(b) < 24
    return bytes([len(b)]) + b
def family(name, type_, labels, help_, unit, samples):
    out = chunk(name) + bytes([type_, len(labels)]) + b"".join(chunk(l) for l in labels) + chunk(help_) + chunk(unit)
    out += bytes([len(samples)])
    for value, described in samples:
        out += bytes([value, 0]) + b"".join(chunk(v) for v in described)
    return out
add("exposition", "plain", family("node_load1", 1, ["cpu"], "1m load average.", "", [(1, ["0"]), (3, ["1"])]))
add("exposition", "escapes", family("container_info", 1, ["name", "image"], 'H \\ "q"\nCR\r.', "", [(4, ['a"b', "c\\d\ne"])]))
add("exposition", "counter", family("x_seconds_total", 0, ["le"], "", "seconds", [(6, ["+Inf"]), (5, ["0.5"])]) +
                             family("bad name", 2, ["__x", "a-b"], "h", "", [(2, ["v", "w"])]))
add("exposition", "utf8", family("pg_stat", 2, ["datname"], "caf\u00e9", "", [(7, [b"\xff\xfe".decode("latin-1")])]))
# nginx access-log lines as nginx 1.22 writes them (combined; a custom format with $request_time;
# escape=default's \x22 and escape=json's \"); the first line doubles as a format to compile.
add("access-log", "combined", b'127.0.0.1 - - [02/Dec/2026:13:25:51 +0000] "GET /missing HTTP/1.1" 404 153 "-" "curl/7.88.1"\n'
    b'10.1.2.3 - alice [02/Dec/2026:13:25:51 +0000] "POST /a HTTP/2.0" 502 0 "https://x/" "a\\" \\"b"\n')
add("access-log", "timed", b'[02/Dec/2026:13:25:51 +0000] "GET / HTTP/1.1" 200 0.200 "curl"\n[t] "GET /\\x22 HTTP/1.1" 500 12.5 "x"\npartial')
add("access-log", "format", b"$status ${request_time} $host$uri\n200 0.001 a/b\n599 99 x\n100 - y\n")

total = 0
for target, files in seeds.items():
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    for name, data in files:
        with open(os.path.join(directory, "seed-" + name), "wb") as f:
            f.write(data)
        total += len(data)
print(f"{sum(len(v) for v in seeds.values())} seeds for {len(seeds)} targets, {total} bytes")
