"""Error pages in the site's layout, honest about what happens; errors logged as one line each."""

import json
import subprocess
import sys

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.willkommen.test_settings import PRODUCTION, ROOT, clean_environment
from willkommen.core.views import server_error

LAYOUT = "Landeshauptstadt Stuttgart, Abteilung Integrationspolitik"  # every page's footer


def test_not_found_page_has_the_layout_and_a_way_back(client, db):
    response = client.get("/gibt-es-nicht/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Seite nicht gefunden" in page
    assert LAYOUT in page
    assert f'href="{reverse("landing")}"' in page


def test_not_found_page_in_english(client, db):
    client.cookies["django_language"] = "en"
    assert "Page not found" in client.get("/gibt-es-nicht/").content.decode()


@pytest.mark.urls("tests.willkommen.security_urls")
def test_bad_request_page_has_the_layout_and_a_way_back(client, db):
    response = client.get("/test-unlesbar/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Anfrage nicht verstanden" in page
    assert LAYOUT in page
    assert f'href="{reverse("landing")}"' in page


def test_bad_request_for_a_foreign_host_name_is_a_400_page(client, db):
    # Refused before the session middleware ran: the page must not need request.user.
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Anfrage nicht verstanden" in response.content.decode()


def test_forbidden_page_leads_back_to_the_start_page(advisor_client):
    response = advisor_client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert f'href="{reverse("home")}"' in response.content.decode()


def test_locked_out_page_leads_back(client, coordinator):
    for _ in range(6):
        response = client.post(
            reverse("login"), {"username": coordinator.email, "password": "wrong-password"}
        )
    assert response.status_code == 429
    assert f'href="{reverse("landing")}"' in response.content.decode()


@pytest.mark.urls("tests.willkommen.security_urls")
def test_server_error_page_is_honest_and_in_the_layout(db):
    response = Client(raise_request_exception=False).get("/test-fehler/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in page
    assert "benachrichtigt" not in page  # nobody is, unless ADMINS is set
    assert "willkommenspaten@example.org" in page  # whom to write to
    assert LAYOUT in page
    assert 'href="/"' in page


@pytest.mark.urls("tests.willkommen.security_urls")
def test_server_error_page_in_english(db):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    assert "Something went wrong" in client.get("/test-fehler/").content.decode()


def test_server_error_page_renders_without_the_database():
    # No `db` fixture: any query would fail this test.
    with translation.override("de"):
        response = server_error(RequestFactory().get("/"))
        # Django's own handler would render it with no context at all.
        bare = render_to_string("500.html")
    assert response.status_code == 500
    assert LAYOUT in response.content.decode()
    assert "Etwas ist schiefgelaufen" in bare


LOG_AN_ERROR = """
import django, json, logging
django.setup()
from django.core import mail
from django.test import RequestFactory
request = RequestFactory().post("/anmelden/", {"first_name": "Maria"})
try:
    raise KeyError("missing")
except KeyError:
    logging.getLogger("django.request").error(
        "Internal Server Error: /anmelden/",
        exc_info=True, extra={"status_code": 500, "request": request},
    )
print("MAILS", len(getattr(mail, "outbox", [])))
for message in getattr(mail, "outbox", []):
    print("TO", message.to, "SUBJECT", message.subject)
    print("BODY", json.dumps(message.body))
"""


def log_an_error(**environment):
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="willkommen.settings", EMAIL_URL="memorymail://",
        **{**PRODUCTION, "ALLOWED_HOSTS": "testserver"}, **environment,
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", LOG_AN_ERROR],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_errors_are_logged_to_stdout_as_one_json_line_each():
    lines = log_an_error()
    record = json.loads(lines[0])
    assert record["level"] == "ERROR"
    assert record["logger"] == "django.request"
    assert record["status"] == 500
    assert (record["method"], record["path"]) == ("POST", "/anmelden/")
    assert "KeyError" in record["exception"]
    assert lines[1] == "MAILS 0"  # without ADMINS nobody is mailed


def test_errors_are_mailed_to_admins_without_personal_data():
    lines = log_an_error(ADMINS="IT Stuttgart <it@example.org>,Betrieb <ops@example.org>")
    assert lines[1] == "MAILS 1"
    assert "['it@example.org', 'ops@example.org']" in lines[2]
    body = json.loads(lines[3].removeprefix("BODY "))
    assert "KeyError" in body
    assert "Maria" not in body  # Django's own mail would list the form's data


def test_admins_must_be_addresses():
    lines_or_error = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.ADMINS"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=clean_environment(DJANGO_SETTINGS_MODULE="willkommen.settings", ADMINS="nobody",
                              **PRODUCTION),
    )  # fmt: skip
    assert "ADMINS" in lines_or_error.stderr
