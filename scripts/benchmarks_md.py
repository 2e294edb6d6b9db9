"""BENCHMARKS.md holds one section per benchmark script, each between markers, so that every
script rewrites only its own part: <!-- begin NAME --> … <!-- end NAME -->. Each section records
date, machine and commit."""
import datetime, os, platform, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(ROOT, "BENCHMARKS.md")
HEADER = "# Benchmarks\n\nWritten by the `scripts/bench-*` scripts named in each section; rerun one to refresh its part.\n"


def revision():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def provenance():
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return (f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}\n"
            f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, {memory} GiB, kernel {platform.release()}\n"
            f"- commit: {revision()}\n")


def write_section(name, title, body):
    """Replaces (or appends) the section of `name` with `title` and `body`."""
    text = open(PATH).read() if os.path.exists(PATH) else HEADER
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    section = f"{begin}\n## {title}\n\nWritten by `scripts/{name}`.\n\n{provenance()}\n{body.rstrip()}\n{end}\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(PATH, "w") as f:
        f.write(text)
