"""The public interest form, its spam checks and the double opt-in, through HTTP."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentors.forms.interest import form_started_token
from mentors.models import ActivityKind, Mentor, RejectedSubmission
from mentors.services import (
    CONFIRMATION_SALT,
    InterestThrottled,
    address_check,
    mentor_apply_throttled,
    mentor_for_confirmation,
    submission_reject,
)
from tests.factories import MentorFactory
from tests.newcomers.test_tandems import race
from willkommen.core.models import QueuedMail, RateLimit, SupportArea

URL = reverse("mentors:interest")
THANKS = reverse("mentors:interest_thanks")


@pytest.fixture(autouse=True)
def no_minimum_fill_time(settings):
    settings.MENTOR_MIN_FILL_SECONDS = 0


def submission(**changes):
    """What the page posts when filled in well; a change of None leaves that field out."""
    data = {
        "started": form_started_token(time.time() - 60),
        "first_name": "Lena",
        "last_name": "Maier",
        "email": "lena@example.org",
        "phone": "0711 123456",
        "district": "west",
        "postal_code": "",
        # as rendered: German pre-filled in the first of four rows
        "languages-TOTAL_FORMS": "4",
        "languages-INITIAL_FORMS": "1",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "10",
        "languages-0-language": "de",
        "languages-0-level": "native",
        "languages-1-language": "ar",
        "languages-1-level": "B1",
        "languages-2-language": "",
        "languages-2-level": "",
        "languages-3-language": "",
        "languages-3-level": "",
        "support_areas": [SupportArea.objects.get(slug="german").pk],
        "weekdays": ["mon", "wed"],
        "times_of_day": ["evening"],
        "hours_per_month": "8",
        "preferences": ["families"],
        "preferences_note": "",
        "motivation": "Ich war selbst einmal neu hier.",
        "heard_about": "friends",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def link_in(mail: QueuedMail) -> str:
    return re.search(r"https?://\S+", mail.body).group(0).removeprefix("http://127.0.0.1:8000")


def nothing_saved():
    return not Mentor.objects.exists() and not QueuedMail.objects.exists()


# --- The page ------------------------------------------------------------------------------


def test_form_page_offers_german_first_and_hides_the_honeypot(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["languages"].forms[0]["language"].value() == "de"
    assert len(response.context["languages"].forms) == 4
    html = response.content.decode()
    assert re.search(r'<div class="hp-field" aria-hidden="true">', html)
    assert re.search(r'name="website"[^>]*tabindex="-1"|tabindex="-1"[^>]*name="website"', html)
    assert f'href="{reverse("privacy")}"' in html
    assert 'autocomplete="given-name"' in html and 'autocomplete="postal-code"' in html


def test_form_page_is_served_in_english_after_the_language_switch(client, db):
    client.post(reverse("set_language"), {"language": "en"})
    response = client.get(URL)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


# --- A valid application -------------------------------------------------------------------


def test_valid_application_is_stored_unconfirmed_with_one_mail(client, db):
    response = client.post(URL, submission())
    assert response.status_code == 302
    assert response["Location"] == THANKS
    mentor = Mentor.objects.get()
    assert mentor.email_confirmed_at is None
    assert mentor.consent_version == "2026-11"
    assert timezone.now() - mentor.consent_at < timedelta(minutes=1)
    assert list(mentor.languages.values_list("language", "level")) == [
        ("de", "native"),
        ("ar", "B1"),
    ]
    assert [area.slug for area in mentor.support_areas.all()] == ["german"]
    assert mentor.hours_per_month == 8
    assert mentor.weekdays == ["mon", "wed"]
    mail = QueuedMail.objects.get()
    assert mail.to == "lena@example.org"
    token = link_in(mail).rstrip("/").rsplit("/", 1)[1]
    assert mentor_for_confirmation(token=token) == mentor  # signed: its time stamp varies
    assert client.get(link_in(mail)).status_code == 200


def test_thanks_page_is_shown(client, db):
    assert client.get(THANKS).status_code == 200


def test_application_in_english_gets_its_mail_in_english(client, db):
    client.post(reverse("set_language"), {"language": "en"})
    client.post(URL, submission())
    with translation.override("en"):
        subject = render_to_string("mentors/emails/confirm_subject.txt").strip()
    assert QueuedMail.objects.get().subject == subject


def test_living_outside_stuttgart_with_a_postal_code_is_accepted(client, db):
    client.post(URL, submission(district="umgebung", postal_code="73728"))
    assert Mentor.objects.get().postal_code == "73728"


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": " "}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"email": "lena@"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"district": ""}, "district"),
        ({"district": "umgebung"}, "postal_code"),
        ({"district": "umgebung", "postal_code": "7372"}, "postal_code"),
        ({"district": "umgebung", "postal_code": "7372a"}, "postal_code"),
        ({"support_areas": None}, "support_areas"),
        ({"hours_per_month": ""}, "hours_per_month"),
        ({"hours_per_month": "1000"}, "hours_per_month"),
        ({"motivation": ""}, "motivation"),
        ({"motivation": "x" * 2001}, "motivation"),
        ({"consent": None}, "consent"),
    ],
)
def test_bad_input_is_shown_at_its_field_and_nothing_is_saved(client, db, changes, field):
    response = client.post(URL, submission(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form["last_name"].value() == changes.get("last_name", "Maier")  # kept as typed
    assert nothing_saved()
    # the summary at the top links to a field that exists on the page
    html = response.content.decode()
    target = re.search(r'id="fehler".*?<a href="#([^"]+)"', html, re.S).group(1)
    assert f'id="{target}"' in html


def test_no_language_is_refused(client, db):
    response = client.post(
        URL, submission(**{"languages-0-language": "", "languages-0-level": "",
                           "languages-1-language": "", "languages-1-level": ""}),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["languages"].non_form_errors()
    assert 'id="fehler"' in response.content.decode()
    assert nothing_saved()


def test_the_same_language_twice_is_refused(client, db):
    response = client.post(URL, submission(**{"languages-1-language": "de"}))
    assert response.status_code == 200
    assert "language" in response.context["languages"].errors[1]
    assert nothing_saved()


def test_a_language_without_its_level_is_refused(client, db):
    response = client.post(URL, submission(**{"languages-1-level": ""}))
    assert response.status_code == 200
    assert "level" in response.context["languages"].errors[1]
    assert nothing_saved()


# --- Spam and abuse ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"website": "http://spam.example"}, "honeypot"),
        ({"started": "forged"}, "tampered"),
        ({"started": None}, "tampered"),
        ({"started": signing.dumps(1, salt="another-purpose")}, "tampered"),
    ],
)
def test_bots_see_the_thank_you_page_and_are_only_counted(client, db, changes, reason):
    response = client.post(URL, submission(**changes))
    assert response["Location"] == THANKS
    assert nothing_saved()
    assert RejectedSubmission.objects.get(reason=reason).count == 1


def test_too_fast_submission_is_only_counted(client, db, settings):
    settings.MENTOR_MIN_FILL_SECONDS = 5
    response = client.post(URL, submission(started=form_started_token(time.time() - 2)))
    assert response["Location"] == THANKS
    assert nothing_saved()
    assert RejectedSubmission.objects.get(reason="too-fast").count == 1


def test_submission_after_the_minimum_fill_time_is_taken(client, db, settings):
    settings.MENTOR_MIN_FILL_SECONDS = 5
    client.post(URL, submission(started=form_started_token(time.time() - 6)))
    assert Mentor.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"first_name": ""},
        {"website": "http://spam.example", "consent": None},
        {"started": "forged", "email": "lena@"},
    ],
)
def test_a_form_with_mistakes_sent_at_once_comes_back_with_them(client, db, settings, changes):
    settings.MENTOR_MIN_FILL_SECONDS = 5
    response = client.post(URL, submission(**{"started": form_started_token(), **changes}))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert nothing_saved() and not RejectedSubmission.objects.exists()


def test_an_empty_form_sent_with_enter_at_once_shows_what_is_missing(client, db, settings):
    settings.MENTOR_MIN_FILL_SECONDS = 5
    page = client.get(URL)
    empty = {name: "" for name in submission() if not name.startswith("languages-")}
    empty |= {"started": page.context["form"]["started"].value()}
    empty |= {"languages-TOTAL_FORMS": "4", "languages-INITIAL_FORMS": "1"}
    response = client.post(URL, empty)
    assert response.status_code == 200
    assert 'id="fehler"' in response.content.decode()
    assert "first_name" in response.context["form"].errors
    assert nothing_saved()


def test_a_page_older_than_the_longest_fill_time_is_given_back_to_be_sent_again(
    client, db, settings
):
    settings.MENTOR_MIN_FILL_SECONDS = 5
    old = time.time() - settings.MENTOR_MAX_FILL_SECONDS - 60
    response = client.post(URL, submission(started=form_started_token(old)))
    assert response.status_code == 200
    assert response.context["expired"]
    assert nothing_saved()
    assert RejectedSubmission.objects.get(reason="expired").count == 1
    # Sent again at once from the page it got back, it is taken: it was filled in already.
    fresh = response.context["form"]["started"].value()
    assert f'value="{fresh}"' in response.content.decode()
    assert client.post(URL, submission(started=fresh))["Location"] == THANKS
    assert Mentor.objects.count() == 1


def test_a_page_filled_in_within_the_longest_fill_time_is_taken(client, db, settings):
    started = time.time() - settings.MENTOR_MAX_FILL_SECONDS + 60
    client.post(URL, submission(started=form_started_token(started)))
    assert Mentor.objects.count() == 1


def test_sixth_application_from_one_address_within_the_hour_stores_nothing(client, db):
    for number in range(5):
        client.post(URL, submission(email=f"person{number}@example.org"))
    response = client.post(URL, submission(email="sixth@example.org"))
    assert response.status_code == 429
    assert response.context["throttled"]
    assert response.context["form"]["email"].value() == "sixth@example.org"
    assert Mentor.objects.count() == 5
    assert not Mentor.objects.filter(email="sixth@example.org").exists()
    assert RejectedSubmission.objects.get(reason="throttled").count == 1


def test_applications_for_one_address_are_throttled_from_any_client(client, db):
    for number in range(5):
        client.post(URL, submission(), REMOTE_ADDR=f"198.51.100.{number}")
    response = client.post(URL, submission(email=" LENA@example.org"), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert RejectedSubmission.objects.get(reason="throttled").count == 1


def test_clients_behind_our_proxy_are_throttled_each_on_its_own(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]
    for number in range(6):
        response = client.post(
            URL,
            submission(email=f"person{number}@example.org"),
            REMOTE_ADDR="10.20.0.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
        assert response["Location"] == THANKS
    assert Mentor.objects.count() == 6


def test_forwarded_addresses_from_an_unknown_peer_do_not_escape_the_throttle(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]
    answers = [
        client.post(
            URL,
            submission(email=f"person{number}@example.org"),
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        ).status_code
        for number in range(6)
    ]
    assert answers == [302] * 5 + [429]


def test_a_throttled_person_gets_through_once_the_first_window_is_over(client, db, settings):
    settings.MENTOR_THROTTLE_ATTEMPTS = 1
    settings.MENTOR_THROTTLE_SECONDS = 2
    client.post(URL, submission(email="first@example.org"))
    time.sleep(1)
    assert client.post(URL, submission(email="second@example.org")).status_code == 429
    time.sleep(1.2)  # the first window is over; the refused try did not open a new one
    assert client.post(URL, submission(email="third@example.org"))["Location"] == THANKS
    assert Mentor.objects.filter(email="third@example.org").exists()


def application(**changes):
    data = {"first_name": "Lena", "last_name": "Maier", "email": "lena@example.org",
            "phone": "", "district": "west", "postal_code": "", "weekdays": [],
            "times_of_day": [], "hours_per_month": 8, "preferences": [], "preferences_note": "",
            "motivation": "Ich war selbst einmal neu hier.", "heard_about": ""}  # fmt: skip
    return {
        "client": "203.0.113.9",
        "data": {**data, **changes},
        "languages": [("de", "native")],
        "support_areas": SupportArea.objects.filter(slug="german"),
        "language": "de",
    }


def test_an_application_the_service_refuses_is_not_counted(db, settings):
    settings.MENTOR_THROTTLE_ATTEMPTS = 1
    for _ in range(3):
        with pytest.raises(ValidationError):
            mentor_apply_throttled(**application(district="nowhere"))
    mentor_apply_throttled(**application())
    with pytest.raises(InterestThrottled):
        mentor_apply_throttled(**application(email="other@example.org"))
    assert list(Mentor.objects.values_list("email", flat=True)) == ["lena@example.org"]


@pytest.mark.django_db(transaction=True)
def test_valid_applications_arriving_at_once_from_one_client_store_only_the_limit(settings):
    settings.MENTOR_THROTTLE_ATTEMPTS = 5
    answers = race(
        lambda number: Client().post(URL, submission(email=f"person{number}@example.org")),
        range(20),
    )
    assert sorted(answer.status_code for answer in answers) == [302] * 5 + [429] * 15
    assert Mentor.objects.count() == 5
    assert QueuedMail.objects.count() == 5
    assert RejectedSubmission.objects.get(reason="throttled").count == 15
    assert RateLimit.objects.get(scope="interest-client").count == 5  # refusals left no count


# --- The same address again ----------------------------------------------------------------


def test_known_unconfirmed_address_keeps_one_person_and_the_new_data_waits(client, db):
    client.post(URL, submission())
    response = client.post(URL, submission(email="LENA@example.org", district="ost"))
    assert response["Location"] == THANKS
    mentor = Mentor.objects.get()
    assert (mentor.district, mentor.pending_application["data"]["district"]) == ("west", "ost")
    assert QueuedMail.objects.count() == 2  # a fresh link each time


def test_known_confirmed_address_is_flagged_and_answered_like_a_new_one(client, db):
    new = client.post(URL, submission(email="someone.new@example.org"))
    mentor = MentorFactory(email="lena@example.org", district="nord")
    again = client.post(URL, submission(email="LENA@example.org"))
    assert (again.status_code, again["Location"]) == (new.status_code, new["Location"])
    assert Mentor.objects.filter(email__iexact="lena@example.org").count() == 1
    mentor.refresh_from_db()
    assert mentor.district == "nord"  # the coordinators decide what to take over
    assert mentor.activities.filter(kind=ActivityKind.APPLIED_AGAIN).count() == 1


# --- Confirmation --------------------------------------------------------------------------


@pytest.fixture
def confirmation_link(client, db):
    client.post(URL, submission())
    return link_in(QueuedMail.objects.get())


def test_opening_the_link_shows_a_button_and_confirms_nothing(client, confirmation_link):
    response = client.get(confirmation_link)
    assert response.status_code == 200
    assert "mentors/confirm_email.html" in [t.name for t in response.templates]
    assert '<form method="post">' in response.content.decode()
    assert Mentor.objects.get().email_confirmed_at is None


def test_pressing_the_button_confirms_once_and_says_thank_you(
    client, confirmation_link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(confirmation_link)
    mentor = Mentor.objects.get()
    confirmed_at = mentor.email_confirmed_at
    assert first.status_code == 200
    assert confirmed_at is not None
    assert mentor.activities.filter(kind=ActivityKind.CONFIRMED).count() == 1
    assert QueuedMail.objects.filter(to="lena@example.org").count() == 2  # link, thank-you

    second = client.post(confirmation_link)
    assert second.status_code == 200
    assert Mentor.objects.get().email_confirmed_at == confirmed_at
    assert QueuedMail.objects.count() == 2
    assert client.get(confirmation_link).status_code == 200  # "already confirmed"


class SignedDaysAgo(signing.TimestampSigner):
    """Signs as if it were `days` days ago: a link that was mailed back then."""

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.days * 24 * 60 * 60)


def old_token(mentor, days):
    signer = SignedDaysAgo(salt=CONFIRMATION_SALT, days=days)
    return signer.sign_object({"mentor": mentor.pk, "address": address_check(mentor.email)})


def test_an_expired_link_says_so_and_confirms_nothing(client, db, settings):
    mentor = MentorFactory(email_confirmed_at=None)
    url = reverse(
        "mentors:confirm", args=[old_token(mentor, settings.MENTOR_CONFIRMATION_DAYS + 1)]
    )
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 410
        assert f'href="{URL}"' in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.email_confirmed_at is None


def test_a_link_still_within_its_days_works(client, db, settings):
    mentor = MentorFactory(email_confirmed_at=None)
    url = reverse(
        "mentors:confirm", args=[old_token(mentor, settings.MENTOR_CONFIRMATION_DAYS - 1)]
    )
    assert client.post(url).status_code == 200
    mentor.refresh_from_db()
    assert mentor.email_confirmed_at is not None


@pytest.mark.parametrize("change", [lambda t: t[:-3] + "abc", lambda t: "nonsense"])
def test_a_tampered_link_is_a_404_and_confirms_nothing(client, confirmation_link, change):
    token = confirmation_link.rstrip("/").rsplit("/", 1)[1]
    url = reverse("mentors:confirm", args=[change(token)])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Mentor.objects.get().email_confirmed_at is None


def test_a_link_to_a_deleted_application_is_a_404(client, confirmation_link):
    Mentor.objects.all().delete()
    assert client.get(confirmation_link).status_code == 404
    assert client.post(confirmation_link).status_code == 404


# --- Counting rejections ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rejections_arriving_at_once_are_all_counted_in_one_row():
    race(lambda _: submission_reject(reason="honeypot"), range(20))
    assert list(RejectedSubmission.objects.values_list("reason", "count")) == [("honeypot", 20)]


# --- Purging -------------------------------------------------------------------------------


def test_purge_deletes_only_expired_unconfirmed_applications(db, settings, capsys):
    long_ago = timezone.now() - timedelta(days=settings.MENTOR_CONFIRMATION_DAYS + 1)
    expired = MentorFactory(email_confirmed_at=None)
    fresh = MentorFactory(email_confirmed_at=None)
    confirmed = MentorFactory()
    Mentor.objects.filter(pk__in=[expired.pk, confirmed.pk]).update(created_at=long_ago)

    call_command("purge_unconfirmed_applications")

    assert set(Mentor.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}
    assert capsys.readouterr().out.startswith("1 ")


def test_purge_leaves_no_copy_of_the_application_in_the_history(db, settings):
    from mentors.models import MentorEvent

    expired = MentorFactory(email_confirmed_at=None)
    Mentor.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MENTOR_CONFIRMATION_DAYS + 1)
    )
    call_command("purge_unconfirmed_applications")
    assert not MentorEvent.objects.filter(pgh_obj_id=expired.pk).exists()
