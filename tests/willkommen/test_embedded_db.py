"""The embedded PostgreSQL server survives what a killed process or server leaves behind.

Each test runs on a throwaway server in its own data directory and stops only that one; the
shared server in .pgdata/ that every test run uses is never touched.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from willkommen.embedded_db import stop

ROOT = Path(__file__).resolve().parents[2]
SAYS_HELLO = "from django.db import connection; connection.ensure_connection(); print('answers')"


def manage(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.willkommen.embedded_settings",
        "DEBUG": "true",
        "WILLKOMMEN_TEST_PGDATA": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def database_answers(data_dir: Path) -> bool:
    result = manage(data_dir, "shell", "-c", SAYS_HELLO)
    assert result.returncode == 0, result.stderr
    return "answers" in result.stdout.splitlines()


def server_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])


def kill_server(data_dir: Path) -> None:
    """Kill the server as a crash or the out-of-memory killer would, and wait until it is gone."""
    server = psutil.Process(server_pid(data_dir))
    children = server.children()
    server.send_signal(signal.SIGKILL)
    psutil.wait_procs([server, *children], timeout=10)  # its workers follow it


@pytest.fixture(scope="module")
def data_dir():
    # Not under pytest's temporary folder: concurrent test runs clean that up under our feet.
    folder = Path(tempfile.mkdtemp(prefix="willkommen-embedded-db-"))
    data_dir = folder / "pgdata"
    try:
        assert database_answers(data_dir)  # a new server, started once for these tests
        yield data_dir
    finally:
        stop(data_dir)  # this throwaway server only
        shutil.rmtree(folder, ignore_errors=True)


def test_embedded_db_survives_an_empty_or_corrupt_handle_file(data_dir):
    for content in ["", "[12"]:
        (data_dir / ".handle_pids.json").write_text(content)
        assert database_answers(data_dir)


def test_embedded_db_survives_a_killed_server(data_dir):
    """Killed, and after a restart of the machine its process number taken by another process
    (PostgreSQL would refuse to start while that process lives)."""
    killed = server_pid(data_dir)
    kill_server(data_dir)
    pid_file = data_dir / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")

    assert database_answers(data_dir)
    assert server_pid(data_dir) not in (killed, os.getpid())
