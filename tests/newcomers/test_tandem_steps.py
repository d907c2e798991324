"""The tandem page's steps: one primary button, the usual next step; a confirmation before
ending a tandem or recording a mentor's refusal; the agreement corrected after the start."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentors.models import Mentor
from newcomers.models import EndReason, ReferralStatus, Tandem, TandemEvent, TandemStatus
from newcomers.services import (
    referral_status_after_end,
    tandem_agreement_update,
    tandem_end,
    tandem_end_check,
)
from tests.factories import UserFactory, active_tandem, proposed_tandem
from willkommen.core.models import QueuedMail, SupportArea


def url(tandem):
    return reverse("newcomers:tandem_detail", args=[tandem.pk])


def step(client, tandem, name, **data):
    return client.post(url(tandem), {"step": name, **data})


def today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def accepted_tandem(*, meeting_in_days=None):
    tandem = proposed_tandem()
    meeting = None if meeting_in_days is None else timezone.now() + timedelta(days=meeting_in_days)
    Tandem.objects.filter(pk=tandem.pk).update(
        status=TandemStatus.ACCEPTED, first_meeting_at=meeting, first_meeting_place="Café"
    )
    tandem.referral.status = ReferralStatus.MATCHED
    tandem.referral.save()
    tandem.refresh_from_db()
    return tandem


def a_running_tandem(started_days_ago=10):
    """An active tandem whose mentor counts it, as tandem_start would have left them."""
    tandem = active_tandem(started_days_ago=started_days_ago)
    Mentor.objects.filter(pk=tandem.mentor_id).update(tandems_active=1)
    tandem.mentor.refresh_from_db()
    return tandem


def ended_tandem():
    tandem = a_running_tandem(started_days_ago=20)
    tandem_end(tandem=tandem, by=UserFactory(), ended_on=timezone.localdate(),
               reason="goals-reached", closing_conversation=True)  # fmt: skip
    return tandem


class HiddenInputs(HTMLParser):
    """The hidden fields of the page's POST form, as a browser sends them."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form = {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.in_form = True
        elif tag == "input" and self.in_form and attrs.get("type") == "hidden":
            self.data[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def hidden_inputs(response) -> dict:
    parser = HiddenInputs()
    parser.feed(response.content.decode())
    return parser.data


# --- One primary button: the usual next step ---------------------------------------------------

STATES = {
    "proposed": (proposed_tandem, "answer"),
    "accepted, no meeting yet": (accepted_tandem, "meeting"),
    "accepted, meeting ahead": (lambda: accepted_tandem(meeting_in_days=3), None),
    "accepted, met": (lambda: accepted_tandem(meeting_in_days=-1), "start"),
    "active": (lambda: a_running_tandem(), "contact"),
    "ended": (ended_tandem, None),
}


@pytest.mark.parametrize("state", STATES)
def test_the_only_primary_button_is_the_usual_next_step(coordinator_client, state):
    make, next_step = STATES[state]
    response = coordinator_client.get(url(make()))
    assert response.context["next_step"] == next_step
    page = response.content.decode()
    primaries = re.findall(r'class="btn btn-primary"', page)
    assert len(primaries) == (1 if next_step else 0)
    if next_step:  # the primary button belongs to the next step's form
        form = page[page.index(f'name="step" value="{next_step}"') :]
        assert form.index('class="btn btn-primary"') < form.index("</form>")


@pytest.mark.parametrize(
    "state, offered",
    [
        ("proposed", {"answer", "end"}),
        ("accepted, no meeting yet", {"meeting", "end"}),
        ("accepted, met", {"meeting", "start", "end"}),
        ("active", {"contact", "agreement", "end"}),
        ("ended", set()),
    ],
)
def test_only_the_steps_possible_now_are_shown(coordinator_client, state, offered):
    tandem = STATES[state][0]()
    response = coordinator_client.get(url(tandem))
    assert set(response.context["forms"]) == offered
    shown = set(re.findall(r'name="step" value="(\w+)"', response.content.decode()))
    assert shown == offered


def test_a_step_not_possible_now_is_refused_and_changes_nothing(coordinator_client, db):
    tandem = ended_tandem()
    response = step(coordinator_client, tandem, "contact", contacted_on=today(),
                    with_whom="mentor", channel="phone", rating="4")  # fmt: skip
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert not tandem.contacts.exists()


# --- Ending a tandem: no date given, then a confirmation -----------------------------------------


def test_the_end_form_has_no_date_filled_in(coordinator_client, db):
    response = coordinator_client.get(url(a_running_tandem()))
    assert response.context["forms"]["end"]["ended_on"].value() is None
    field = re.search(r'<input[^>]*name="ended_on"[^>]*>', response.content.decode()).group()
    assert "value=" not in field


def test_ending_asks_first_and_spells_out_what_happens(coordinator_client, db):
    tandem = a_running_tandem()
    mails = QueuedMail.objects.count()
    response = step(coordinator_client, tandem, "end", ended_on=today(), reason="goals-reached")
    assert response.status_code == 200
    assert response.templates[0].name == "newcomers/tandem_step_confirm.html"
    consequences = [str(line) for line in response.context["consequences"]]
    assert str(tandem.mentor) in consequences[0]  # the mentor's place becomes free
    assert str(tandem.referral) in consequences[1]
    assert str(tandem.referral.advisor) in consequences[2]  # told by e-mail
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.ACTIVE  # nothing has changed yet
    assert QueuedMail.objects.count() == mails
    page = response.content.decode()
    assert f'href="{url(tandem)}"' in page  # cancel: back to the tandem


@pytest.mark.parametrize("reason, goes_back", [("goals-reached", False), ("did-not-fit", True)])
def test_the_confirmation_says_where_the_referral_goes(coordinator_client, reason, goes_back):
    tandem = a_running_tandem()
    response = step(coordinator_client, tandem, "end", ended_on=today(), reason=reason)
    where = str(response.context["consequences"][1])
    waiting_words = ("Warteliste", "waiting list")
    assert any(word in where for word in waiting_words) == goes_back


def test_confirming_ends_the_tandem_with_what_was_entered(coordinator_client, db):
    tandem = a_running_tandem()
    asked = step(coordinator_client, tandem, "end", ended_on=today(-2), reason="moved",
                 closing_conversation="on", note="Umzug nach Ulm")  # fmt: skip
    data = hidden_inputs(asked)  # what the confirming button sends
    assert data["step"] == "end"
    response = coordinator_client.post(url(tandem), data)
    assert response.status_code == 302
    tandem.refresh_from_db()
    assert (tandem.status, tandem.ended_on, tandem.end_reason) == (
        TandemStatus.ENDED, timezone.localdate() - timedelta(days=2), "moved"
    )  # fmt: skip
    assert (tandem.closing_conversation, tandem.end_note) == (True, "Umzug nach Ulm")
    assert QueuedMail.objects.filter(to=tandem.referral.advisor.email).exists()


def test_an_end_the_service_would_refuse_is_shown_before_any_confirmation(coordinator_client, db):
    tandem = a_running_tandem()
    before_start = today(-11)
    response = step(coordinator_client, tandem, "end", ended_on=before_start, reason="moved")
    assert response.templates[0].name == "newcomers/tandem_detail.html"
    assert "ended_on" in response.context["forms"]["end"].errors
    # and sent with a confirmation anyway (a stale page), it is refused all the same
    response = step(coordinator_client, tandem, "end", ended_on=before_start, reason="moved",
                    confirmed="True")  # fmt: skip
    assert "ended_on" in response.context["forms"]["end"].errors
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.ACTIVE


# --- Recording a mentor's refusal: a confirmation; a yes goes straight through --------------------


def test_recording_a_refusal_asks_first(coordinator_client, db):
    tandem = proposed_tandem()
    response = step(coordinator_client, tandem, "answer", accept="no", reason="keine Zeit")
    assert response.templates[0].name == "newcomers/tandem_step_confirm.html"
    assert any(str(tandem.mentor) in str(line) for line in response.context["consequences"])
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.PROPOSED
    response = coordinator_client.post(url(tandem), hidden_inputs(response))
    assert response.status_code == 302
    tandem.refresh_from_db()
    tandem.mentor.refresh_from_db()
    assert (tandem.status, tandem.decline_reason) == (TandemStatus.DECLINED, "keine Zeit")
    assert tandem.mentor.places_taken == 0


def test_recording_a_yes_needs_no_confirmation(coordinator_client, db):
    tandem = proposed_tandem()
    response = step(coordinator_client, tandem, "answer", accept="yes")
    assert response.status_code == 302
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.ACCEPTED


# --- The rules the confirmation announces are the service's ---------------------------------------


def tandem_in(status):
    return {
        "proposed": proposed_tandem,
        "accepted": lambda: accepted_tandem(meeting_in_days=-1),
        "active": lambda: a_running_tandem(),
    }[status]()


@pytest.mark.parametrize("status", ["proposed", "accepted", "active"])
@pytest.mark.parametrize("reason", EndReason.values)
def test_the_announced_referral_status_is_the_one_tandem_end_sets(db, status, reason):
    tandem = tandem_in(status)
    announced = referral_status_after_end(tandem=tandem, reason=reason)
    tandem_end(tandem=tandem, by=UserFactory(), ended_on=timezone.localdate(), reason=reason,
               closing_conversation=False)  # fmt: skip
    tandem.referral.refresh_from_db()
    assert tandem.referral.status == announced


@pytest.mark.parametrize("status", ["proposed", "active"])
@pytest.mark.parametrize("days", [-30, -11, -10, -1, 0, 1])
@pytest.mark.parametrize("reason", ["", "moved", "nonsense"])
def test_the_end_check_refuses_what_tandem_end_refuses(db, status, days, reason):
    tandem = tandem_in(status)
    if status == "proposed":
        Tandem.objects.filter(pk=tandem.pk).update(proposed_at=timezone.now() - timedelta(days=10))
        tandem.refresh_from_db()
    ended_on = timezone.localdate() + timedelta(days=days)

    def outcome(check):
        try:
            check()
        except ValidationError as error:
            return error.messages
        return None

    checked = outcome(lambda: tandem_end_check(tandem=tandem, ended_on=ended_on, reason=reason))
    ended = outcome(lambda: tandem_end(tandem=tandem, by=UserFactory(), ended_on=ended_on,
                                       reason=reason, closing_conversation=False))  # fmt: skip
    assert checked == ended


# --- Correcting the agreement of an active tandem ----------------------------------------------


def areas(*slugs):
    return list(SupportArea.objects.filter(slug__in=slugs))


AGREEMENT = {
    "agreement_contents": "Ämter, Deutsch üben",
    "expected_duration": "ein Jahr",
    "meeting_places": "Stadtbibliothek",
    "frequency": "wöchentlich",
}


def test_the_agreement_is_corrected_and_its_history_kept(db):
    tandem = a_running_tandem()
    tandem_agreement_update(tandem=tandem, by=UserFactory(), agreement=AGREEMENT,
                            areas=areas("authorities"))  # fmt: skip
    tandem_agreement_update(
        tandem=tandem, by=UserFactory(), agreement={**AGREEMENT, "frequency": " alle zwei Wochen "},
        areas=areas("german", "jobs"),
    )  # fmt: skip
    tandem.refresh_from_db()
    assert tandem.frequency == "alle zwei Wochen"
    assert {area.slug for area in tandem.agreement_areas.all()} == {"german", "jobs"}
    assert tandem.status == TandemStatus.ACTIVE
    history = TandemEvent.objects.filter(pgh_obj_id=tandem.pk).order_by("pgh_id")
    assert [event.frequency for event in history][-2:] == ["wöchentlich", "alle zwei Wochen"]


@pytest.mark.parametrize("make", [proposed_tandem, ended_tandem], ids=["proposed", "ended"])
def test_only_an_active_tandems_agreement_can_be_corrected(db, make):
    tandem = make()
    with pytest.raises(ValidationError):
        tandem_agreement_update(tandem=tandem, by=UserFactory(), agreement=AGREEMENT, areas=[])
    tandem.refresh_from_db()
    assert tandem.agreement_contents == ""


@pytest.mark.parametrize(
    "change, field",
    [({"agreement_contents": "  "}, "agreement_contents"),
     ({"expected_duration": "x" * 101}, "expected_duration")],
)  # fmt: skip
def test_a_bad_agreement_is_refused_and_nothing_saved(db, change, field):
    tandem = a_running_tandem()
    with pytest.raises(ValidationError) as refused:
        tandem_agreement_update(tandem=tandem, by=UserFactory(),
                                agreement={**AGREEMENT, **change}, areas=areas("jobs"))  # fmt: skip
    assert field in refused.value.message_dict
    tandem.refresh_from_db()
    assert (tandem.agreement_contents, tandem.agreement_areas.count()) == ("", 0)


def test_the_agreement_step_on_the_tandem_page(coordinator_client, db):
    tandem = a_running_tandem()
    jobs = SupportArea.objects.get(slug="jobs")
    response = step(coordinator_client, tandem, "agreement", **AGREEMENT, agreement_areas=[jobs.pk])
    assert response.status_code == 302
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["success"]
    tandem.refresh_from_db()
    assert tandem.meeting_places == "Stadtbibliothek"
    assert list(tandem.agreement_areas.all()) == [jobs]


def test_a_refused_agreement_is_shown_and_the_saved_one_stays(coordinator_client, db):
    tandem = a_running_tandem()
    tandem_agreement_update(tandem=tandem, by=UserFactory(), agreement=AGREEMENT, areas=[])
    response = step(coordinator_client, tandem, "agreement", agreement_contents="",
                    frequency="täglich")  # fmt: skip
    assert response.status_code == 200
    assert "agreement_contents" in response.context["forms"]["agreement"].errors
    assert response.context["tandem"].frequency == "wöchentlich"  # the page shows what is saved
    tandem.refresh_from_db()
    assert tandem.frequency == "wöchentlich"
