#!/usr/bin/env python3
"""scripts/soak's sampler: every 2 s, one line `seconds requests rss_kB fds rss_anon_kB rss_file_kB threads`
for a process (/proc/<pid>/status, proc(5)), where
requests is the sum of the counts the load threads last wrote to progress.<n> (0 before the load)."""
import glob, os, sys, time

pid, out_path, progress_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
start = time.monotonic()
with open(out_path, "w", buffering=1) as out:
    while True:
        try:
            with open(f"/proc/{pid}/status") as f:
                status = {k: v.split() for k, v in (line.split(":", 1) for line in f if ":" in line)}
            rss, anon, file_ = (int(status[k][0]) for k in ("VmRSS", "RssAnon", "RssFile"))
            threads = int(status["Threads"][0])
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, KeyError, ValueError):
            break
        requests = 0
        for path in glob.glob(progress_path + ".*"):  # one file per load thread
            try:
                with open(path) as f:
                    requests += int(f.read().strip() or 0)
            except (OSError, ValueError):
                pass
        out.write(f"{time.monotonic() - start:.1f} {requests} {rss} {fds} {anon} {file_} {threads}\n")
        time.sleep(2)
