"""`make bench`: issue 13's table of page speeds at a city's scale, measured in one run.

1. Databases on the machine's PostgreSQL (never the development one in .pgdata/): the scaled
   data (`seed_scale`, built once and reused for a week), and the same at demo size (1 %) for
   the query counts: a count that differs grows with the data.
2. gunicorn as the README runs it (3 workers), production settings, on loopback.
3. wrk (Debian's) at concurrency 4 against each page of the issue's table, the Django admin's
   changelists of the same tables, the floor (/healthz) and the public form (GET and POST;
   an accepted POST is a stored application).
4. One Markdown table, printed and written into docs/performance.md with the machine.

Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/willkommen_bench;
the demo-size database gets the suffix _small), BENCH_SECONDS per page (10), BENCH_REBUILD=1
to build the scaled data afresh.
"""

import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
DOC = ROOT / "docs" / "performance.md"
LOGS = ROOT / "test-results" / "bench"
SCALE_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/willkommen_bench"
)
# Query counts are compared with the same data at demo size: 1 % (100 mentors, 200 referrals).
SMALL_DB, SMALL_SCALE = SCALE_DB + "_small", "0.01"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARM_UP_SECONDS = 2
CONNECTIONS, THREADS, WORKERS = 4, 2, 3
REUSE_DAYS = 7  # older scaled data is built again: waiting times and due dates move on
# Issue 13's targets.
LIST_PAGES = ["mentors", "mentors-search", "mentors-last", "intake", "tandems", "overdue"]
FAST_PAGES = ["dashboard", "report", "suggestions", "event", "suited"]
FAST_MS = 100
LIST_RATIO = 0.5
POSTS_PER_SECOND = 50
RSS_MB = 150


def settings_env(database_url: str) -> dict:
    """Production settings (DEBUG off), on plain HTTP on loopback; 127.0.0.1 is trusted as a
    proxy, so that the POST run's X-Forwarded-For makes each request its own client."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXIES": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "consolemail://",
    }


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def manage(database_url: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=settings_env(database_url),
                   check=True)  # fmt: skip


def inside(database_url: str, *args: str):
    """A task of tests/bench/pages.py (Django's side), its JSON answer."""
    done = subprocess.run(
        [PYTHON, str(HERE / "pages.py"), *args], cwd=ROOT, env=settings_env(database_url),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- databases --------------------------------------------------------------------------------


def _server(url: str) -> tuple[str, str]:
    server, name = url.rsplit("/", 1)
    return server + "/postgres", name


def database_create(url: str, *, fresh: bool = False) -> None:
    server, name = _server(url)
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or fresh:
            conn.execute(f'CREATE DATABASE "{name}"')


def scaled_data_built_at(url: str) -> datetime | None:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(  # the seed's own accounts join when it runs
                "SELECT max(date_joined) FROM willkommen_user "
                "WHERE email LIKE '%@scale.example.org'"
            ).fetchone()
    except psycopg.Error:  # no database or no tables yet
        return None
    return row[0]


def prepare_database(url: str, scale: str) -> None:
    """Migrated, with `seed_scale --scale scale`: built once, then reused for REUSE_DAYS."""
    built = scaled_data_built_at(url)
    fresh = os.environ.get("BENCH_REBUILD") == "1" or built is None or (
        datetime.now(built.tzinfo) - built > timedelta(days=REUSE_DAYS)
    )  # fmt: skip
    name = url.rsplit("/", 1)[1]
    say(f"{name}: " + ("building" if fresh else f"reusing the data of {built:%Y-%m-%d}"))
    database_create(url, fresh=fresh)
    manage(url, "migrate", "--noinput", "-v", "0")
    manage(url, "seed_scale", "--scale", scale)


# --- gunicorn and wrk -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(port: int) -> subprocess.Popen:
    LOGS.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "willkommen.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS)],
        cwd=ROOT, env=settings_env(SCALE_DB),
        stdout=open(LOGS / "gunicorn.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer; see {LOGS / 'gunicorn.log'}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def page_check(url: str, cookie: str) -> int:
    """The page answers 200 to the session (a redirect would mean the login did not hold)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as answer:
            return len(answer.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code} instead of 200") from None


def wrk(url: str, cookie: str, seconds: int, **env: str) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
         "-s", str(HERE / "report.lua"), "-H", f"Cookie: {cookie}", url],
        env={**os.environ, **env}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rate"] = result["requests"] / result["seconds"]
    return result


def measure(url: str, cookie: str) -> dict:
    wrk(url, cookie, WARM_UP_SECONDS)
    return wrk(url, cookie, SECONDS)


def worker_memory(master: int) -> dict:
    """The workers' resident memory now and at their peak (MB)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    now, peak = [], []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        now.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        peak.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return {"now": max(now), "peak": max(peak), "workers": len(children)}


# --- the table --------------------------------------------------------------------------------


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    with psycopg.connect(SCALE_DB) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    code = "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"
    versions = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    return (
        f"{cpu.group(1) if cpu else platform.processor()}, {os.cpu_count()} cores, "
        f"{int(memory.group(1)) // 1024 // 1024} GB RAM; Linux {platform.release()}; "
        f"PostgreSQL {postgres} on the same machine; Python {platform.python_version()}, "
        f"Django {versions[0]}, gunicorn {versions[1]} ({WORKERS} sync workers); "
        f"wrk {wrk_version}, {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s per page "
        f"after {WARM_UP_SECONDS} s of warm-up; all on loopback; load average before the run "
        f"{LOAD_BEFORE}"
    )


def ms(microseconds: float) -> str:
    return f"{microseconds / 1000:,.1f}" if microseconds < 10_000 else f"{microseconds / 1000:,.0f}"


def table(setup: dict, results: dict, queries: dict, post: dict, memory: dict) -> list[str]:
    floor = results["floor"]["p50"]
    lines = [
        "| page | median ms | p90 ms | req/s | ÷ floor | admin median ms | ÷ admin "
        "| queries demo / scale |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in setup["pages"]:
        key, result = page["key"], results[page["key"]]
        admin = results.get(f"{key}:admin")
        ratio = f"{result['p50'] / admin['p50']:.2f}" if admin else "—"
        demo, scale = queries["demo"].get(f"{key}:app", "—"), queries["scale"][f"{key}:app"]
        lines.append(
            f"| {page['title']} | {ms(result['p50'])} | {ms(result['p90'])} "
            f"| {result['rate']:,.0f} | {result['p50'] / floor:,.1f} "
            f"| {ms(admin['p50']) if admin else '—'} | {ratio} | {demo} / {scale} |"
        )
    for page in setup["pages"]:
        admin = results.get(f"{page['key']}:admin")
        if (
            admin
            and page["admin"]
            not in [p["admin"] for p in setup["pages"]][: setup["pages"].index(page)]
        ):
            key = f"{page['key']}:admin"
            lines.append(
                f"| admin: `{page['admin']}` | {ms(admin['p50'])} | {ms(admin['p90'])} "
                f"| {admin['rate']:,.0f} | {admin['p50'] / floor:,.1f} | | "
                f"| {queries['demo'].get(key, '—')} / {queries['scale'].get(key, '—')} |"
            )
    lines.append(
        f"| public form POST | {ms(post['p50'])} | {ms(post['p90'])} | {post['rate']:,.0f} "
        f"| {post['p50'] / floor:,.1f} | | | |"
    )
    lines += [
        "",
        f"Public form POST: {post['requests']:,} sent, {post['redirects']:,} answered with the "
        f"thank-you redirect, **{post['stored']:,} applications stored = "
        f"{post['stored'] / post['seconds']:,.0f} accepted/s**.",
        f"Worker memory (RSS) after the run: {memory['now']:.0f} MB, peak {memory['peak']:.0f} MB "
        f"(largest of {memory['workers']} workers).",
    ]
    return lines


def targets(results: dict, queries: dict, post: dict, memory: dict, minutes: float) -> list[str]:
    """Issue 13's targets, each met or missed."""
    checks = []
    for key in LIST_PAGES:
        admin = results.get(f"{key}:admin")
        if key in results and admin:
            ratio = results[key]["p50"] / admin["p50"]
            checks.append((ratio <= LIST_RATIO, f"{key}: {ratio:.2f} × the admin (≤ {LIST_RATIO})"))
        elif key in results:
            checks.append((False, f"{key}: no admin changelist to compare with"))
    for key in FAST_PAGES:
        if key in results:
            median = results[key]["p50"] / 1000
            checks.append((median <= FAST_MS, f"{key}: median {median:.0f} ms (≤ {FAST_MS})"))
    differing = [key for key, count in queries["scale"].items()
                 if key.endswith(":app") and queries["demo"].get(key, count) != count]  # fmt: skip
    checks.append((not differing, "query counts equal at demo size and at scale"
                   + (f" (differ: {', '.join(differing)})" if differing else "")))  # fmt: skip
    rate = post["stored"] / post["seconds"]
    # wrk stops counting at the end of its time; the requests still under way are stored too
    all_stored = post["stored"] >= post["redirects"]
    text = (
        f"public POST: {rate:.0f} stored/s (≥ {POSTS_PER_SECOND}), every accepted post stored "
        f"({post['stored']} stored, {post['redirects']} accepted)"
    )
    checks.append((rate >= POSTS_PER_SECOND and all_stored, text))
    checks.append(
        (memory["peak"] < RSS_MB, f"worker RSS peak {memory['peak']:.0f} MB (< {RSS_MB})")
    )
    checks.append((minutes < 15, f"`make bench` took {minutes:.1f} min (< 15)"))
    return [f"- {'met' if ok else '**missed**'}: {text}" for ok, text in checks]


def write_doc(lines: list[str], *, start="<!-- bench:start -->", end="<!-- bench:end -->") -> None:
    """Replace the part of docs/performance.md between the markers (added at the end if new)."""
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if start not in text:
        text = text.rstrip("\n") + f"\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    DOC.write_text(before + start + "\n" + "\n".join(lines) + "\n" + end + after)


# --- the run ----------------------------------------------------------------------------------


LOAD_BEFORE = " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    began = time.monotonic()
    prepare_database(SCALE_DB, "1")
    prepare_database(SMALL_DB, SMALL_SCALE)
    manage(SCALE_DB, "collectstatic", "--noinput", "-v", "0")
    say("query counts")
    queries = {"demo": inside(SMALL_DB, "queries"), "scale": inside(SCALE_DB, "queries")}
    setup = inside(SCALE_DB, "setup")
    port = free_port()
    server = gunicorn_start(port)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        by_url = {}
        for page in setup["pages"]:
            for key, url, cookie in (
                (page["key"], page["url"], setup["cookies"]["app"]),
                (f"{page['key']}:admin", page["admin"], setup["cookies"]["admin"]),
            ):
                if url is None:
                    continue
                if url not in by_url:
                    size = page_check(base + url, cookie)
                    by_url[url] = measure(base + url, cookie)
                    say(f"{key}: median {by_url[url]['p50'] / 1000:.1f} ms ({size:,} bytes)")
                results[key] = by_url[url]
        run = str(int(time.time()))
        post_url = base + setup["post"]["url"]
        post = wrk(post_url, setup["post"]["cookie"], SECONDS,
                   BENCH_POST_BODY=setup["post"]["body"], BENCH_RUN=run)  # fmt: skip
        post.update(inside(SCALE_DB, "posted", run))
        say(f"public POST: {post['stored']} stored of {post['requests']} sent")
        memory = worker_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    minutes = (time.monotonic() - began) / 60
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `make bench` ({minutes:.1f} min) on: "
        f"{machine()}.",
        "",
        *table(setup, results, queries, post, memory),
        "",
        "Targets (issue 13):",
        "",
        *targets(results, queries, post, memory, minutes),
    ]
    print("\n".join(lines))
    write_doc(lines)
    say(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
