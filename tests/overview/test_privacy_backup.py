"""The backup round trip: `db_backup` from one database, `db_restore` into another, and the
second holds exactly what the first did, triggers included.

Runs on the machine's PostgreSQL (127.0.0.1:5432) in throwaway databases, through manage.py as
an administrator would; never on the development database.
"""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings

SERVER = os.environ.get("BACKUP_TEST_SERVER", "postgres://postgres@127.0.0.1:5432")
MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def _server_answers() -> bool:
    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def throwaway_databases():
    if not _server_answers():
        if os.environ.get("CI") == "true":
            pytest.fail(f"No PostgreSQL answers at {SERVER} for the backup round trip")
        pytest.skip(f"!!! No PostgreSQL answers at {SERVER}: backup round trip not tested")
    names = [f"willkommen_backup_test_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"{SERVER}/{name}" for name in names]
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url, *arguments):
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the project's settings, as in production
    result = subprocess.run(
        [*MANAGE, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def contents(database_url) -> dict:
    """Every table's rows (as one checksum each) and every trigger of the database."""
    with psycopg.connect(database_url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        result = {}
        for table in tables:
            count, digest = connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"  # noqa: S608
                f' FROM "{table}" t'
            ).fetchone()
            result[table] = (count, digest)
        result["triggers"] = sorted(
            row[0]
            for row in connection.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        )
    return result


def test_backup_and_restore_round_trip_the_whole_database(throwaway_databases, tmp_path):
    source, target = throwaway_databases
    manage(source, "migrate", "--noinput", "-v", "0")
    manage(source, "seed_demo", "--mentors", "4", "--referrals", "3")
    backup = tmp_path / "willkommen.dump"

    assert "Backup written" in manage(source, "db_backup", str(backup))
    assert backup.stat().st_size > 0 and not (tmp_path / "willkommen.dump.partial").exists()
    manage(target, "db_restore", str(backup), "--yes")

    original, restored = contents(source), contents(target)
    assert original["mentors_mentor"][0] == 4 and original["triggers"]
    assert restored == original
    manage(target, "migrate", "--check")  # the restored database is at the code's state


def test_restore_refuses_without_yes(tmp_path):
    # it refuses before it connects: no database is needed, none is touched
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/not_a_database",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [*MANAGE, "db_restore", str(tmp_path / "none.dump")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "Add --yes" in result.stderr
