"""Settings are read from the environment; production is the default."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789",
    "ALLOWED_HOSTS": "willkommen.example.org",
}


def clean_environment(**environment):
    """This process's environment less what the test run itself sets (browser tests allow
    the ORM beside Playwright's event loop; a deployment must never)."""
    unwanted = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    env = {key: value for key, value in os.environ.items() if key not in unwanted}
    return {**env, **environment}


def run_python(code, **environment):
    env = clean_environment(DJANGO_SETTINGS_MODULE="willkommen.settings", **environment)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_missing_secret_key_fails_loudly_outside_development():
    result = run_python("from django.conf import settings; settings.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_and_cookies_secure_by_default():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = run_python(code, SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.stdout.split() == ["False", "True", "True", "True"], result.stderr


def test_only_postgresql_is_accepted():
    result = run_python(
        "from django.conf import settings; settings.DATABASES",
        DATABASE_URL="sqlite:///tmp/x.db",
        DEBUG="true",
    )
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
