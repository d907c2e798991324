"""The Django side of `make bench` (tests/bench/run.py): which pages, signed-in sessions,
query counts. Run with the bench's settings in the environment, one task per call; prints JSON.

    python tests/bench/pages.py setup     the pages' URLs, session cookies, the public POST
    python tests/bench/pages.py queries   queries per page (Django's test client)
    python tests/bench/pages.py posted RUN    applications stored by the POST run RUN, removed
"""

import json
import math
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "willkommen.settings")
django.setup()

from django.contrib import admin  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Func  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from mentors.forms.interest import form_started_token  # noqa: E402
from mentors.models import Mentor  # noqa: E402
from newcomers.models import Referral, Tandem  # noqa: E402
from newcomers.queues import REFERRAL_QUEUES  # noqa: E402
from seminars.models import Event  # noqa: E402
from willkommen.core.models import QueuedMail, SupportArea, User  # noqa: E402
from willkommen.core.roles import Role  # noqa: E402
from willkommen.core.services import user_set_role  # noqa: E402

PAGE_SIZE = 25  # the app's lists
SEARCH = "mül"  # part of a common surname (Müller), as a coordinator would type it
POSTED_DOMAIN = "bench.example.org"  # applications sent by the bench's POST run


def _admin_url(model, query: str = "") -> str | None:
    if model not in admin.site._registry:
        return None  # not registered (yet): no comparison
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") + query


def _admin_last_page(model) -> str:
    per_page = admin.site._registry[model].list_per_page if model in admin.site._registry else 100
    return f"?p={max(1, math.ceil(model.objects.count() / per_page))}"


def pages() -> list[dict]:
    """Each page of issue 13's table, with the admin changelist over the same table."""
    today = timezone.localdate()
    listed = Mentor.objects.confirmed().count()
    # "waiting for a mentor", the longest waiting without children (suggestions at any size)
    waiting = REFERRAL_QUEUES[1].items().filter(children_ages=[]).first()
    event = (
        Event.objects.filter(starts_at__gt=timezone.now(), cancelled_at=None)
        .annotate(invited=Count("invitations"))
        .annotate(distance=Func(F("invited") - 42, function="ABS"))
        .order_by("distance", "starts_at", "pk")
        .first()
    )
    # The costliest mentor to match: ready, for families too, so no referral is ruled out.
    mentor = (
        Mentor.objects.matchable().for_children(today).order_by("pk").first()
        or Mentor.objects.matchable().order_by("pk").first()
    )
    year = today.year - 1 if today.month < 4 else today.year

    def page(key, title, url, admin_url=None, public=False):
        return {"key": key, "title": title, "url": url, "admin": admin_url, "public": public}

    mentor_list = reverse("mentors:list")
    rows = [
        page("floor", "floor: /healthz", reverse("healthz"), public=True),
        page("mentors", "mentor list", mentor_list, _admin_url(Mentor)),
        page(
            "mentors-search",
            "mentor list, searched",
            f"{mentor_list}?q={quote(SEARCH)}",
            _admin_url(Mentor, f"?q={quote(SEARCH)}"),
        ),
        page(
            "mentors-last",
            "mentor list, last page",
            f"{mentor_list}?page={max(1, math.ceil(listed / PAGE_SIZE))}",
            _admin_url(Mentor, _admin_last_page(Mentor)),
        ),
        page("intake", "intake queue", reverse("newcomers:referral_list"), _admin_url(Referral)),
        page("tandems", "tandem list", reverse("newcomers:tandem_list"), _admin_url(Tandem)),
        page(
            "overdue",
            "overdue list",
            reverse("newcomers:tandem_list") + "?ansicht=overdue",
            _admin_url(Tandem),
        ),
        page("dashboard", "dashboard", reverse("dashboard")),
        page("report", f"report ({year})", reverse("reports") + f"?year={year}"),
    ]
    if waiting is not None:
        url = reverse("newcomers:referral_detail", args=[waiting.pk])
        rows.append(page("suggestions", "suggestions for one referral", url))
    if event is not None:
        url = reverse("seminars:detail", args=[event.pk])
        rows.append(page("event", f"event page ({event.invited} invitations)", url))
    if mentor is not None:
        url = reverse("newcomers:mentor_suited_referrals", args=[mentor.pk])
        rows.append(page("suited", "a mentor's suited referrals", url))
    rows.append(page("form", "public form (GET)", reverse("mentors:interest"), public=True))
    return rows


def bench_user(email: str, *, superuser: bool) -> User:
    """A coordinator for the app's pages, a superuser for the admin; each with a second factor
    (django-otp) when the app asks for one."""
    user = User.objects.filter(email=email).first()
    if user is None:
        last_name = "Admin" if superuser else "Coordinator"
        user = User.objects.create_user(email, first_name="Bench", last_name=last_name)
    user.is_staff = user.is_superuser = superuser
    user.save()
    user_set_role(user=user, role=Role.COORDINATOR)
    return user


def signed_in_client(user: User) -> Client:
    """A client whose session passed the login, and the second step if there is one: the same
    session keys the login views set."""
    client = Client()
    client.force_login(user)
    from django.conf import settings

    if "django_otp" in settings.INSTALLED_APPS:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def post_body() -> dict:
    """One complete application of the public form; `__EMAIL__` is replaced per request."""
    areas = list(SupportArea.objects.filter(active=True).values_list("pk", flat=True)[:2])
    csrf = secrets.token_hex(16)  # 32 characters: the cookie's secret, sent unmasked
    fields = [
        ("csrfmiddlewaretoken", csrf), ("first_name", "Bench"), ("last_name", "Mark"),
        ("email", "__EMAIL__"), ("phone", ""), ("district", "west"), ("postal_code", ""),
        *[("support_areas", pk) for pk in areas],
        ("weekdays", "tue"), ("times_of_day", "evening"), ("hours_per_month", "4"),
        ("preferences_note", ""), ("motivation", "Ich möchte helfen."), ("heard_about", ""),
        ("consent", "on"), ("website", ""),
        ("started", form_started_token(time.time() - 60)),  # filled in for a minute
        ("languages-TOTAL_FORMS", "1"), ("languages-INITIAL_FORMS", "1"),
        ("languages-MIN_NUM_FORMS", "0"), ("languages-MAX_NUM_FORMS", "10"),
        ("languages-0-language", "de"), ("languages-0-level", "native"),
    ]  # fmt: skip
    return {"body": urlencode(fields), "cookie": f"csrftoken={csrf}"}


def setup() -> dict:
    coordinator = signed_in_client(bench_user("bench-coordinator@example.org", superuser=False))
    admin_client = signed_in_client(bench_user("bench-admin@example.org", superuser=True))
    return {
        "pages": pages(),
        "cookies": {
            "app": f"sessionid={coordinator.cookies['sessionid'].value}",
            "admin": f"sessionid={admin_client.cookies['sessionid'].value}",
        },
        "post": {"url": reverse("mentors:interest"), **post_body()},
    }


def queries() -> dict:
    """Queries per page, the second of two requests (the first may fill per-process caches)."""
    clients = {
        "app": signed_in_client(bench_user("bench-coordinator@example.org", superuser=False)),
        "admin": signed_in_client(bench_user("bench-admin@example.org", superuser=True)),
    }
    counts = {}
    for row in pages():
        for side, url in (("app", row["url"]), ("admin", row["admin"])):
            if url is None:
                continue
            client = Client() if row["public"] else clients[side]
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url).status_code
            counts[f"{row['key']}:{side}"] = len(captured) if status == 200 else f"HTTP {status}"
    return counts


def posted(run: str) -> dict:
    """How many applications the POST run stored; then they are removed again."""
    address = f".{run}@{POSTED_DOMAIN}"
    stored = Mentor.objects.filter(email__endswith=address)
    count = stored.count()
    stored.delete()
    QueuedMail.objects.filter(to__endswith=address).delete()  # nobody there to mail
    return {"stored": count}


if __name__ == "__main__":
    task = sys.argv[1]
    result = {"setup": setup, "queries": queries}.get(task)
    print(json.dumps(result() if result else posted(sys.argv[2])))
