"""Messages to mentors: to one, to a segment of the list, or to the ones ticked; each in the
mentor's language, recorded in the timeline, with a link to unsubscribe that is honoured."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentors.messages import MESSAGE_TEMPLATES
from mentors.models import ActivityKind, Mentor, MentorActivity, MentorStatus
from mentors.services import (
    mentor_consent_withdraw,
    mentor_unsubscribe,
    mentors_message,
    unsubscribe_token,
    unsubscribe_url,
)
from newcomers.services import tandem_propose
from seminars.models import Invitation
from seminars.services import invitations_send
from tests.factories import MentorFactory, ReferralFactory, an_event
from willkommen.core.models import QueuedMail

LIST = reverse("mentors:list")
SEGMENT = reverse("mentors:message_segment")
BULK = reverse("mentors:bulk")


def messages_to(mentor):
    return QueuedMail.objects.filter(to=mentor.email)


def timeline(mentor, kind=ActivityKind.MESSAGE):
    return list(
        MentorActivity.objects.filter(mentor=mentor, kind=kind).values_list("text", flat=True)
    )


def selection(*mentors) -> str:
    return urlencode({"mentor": [mentor.pk for mentor in mentors]}, doseq=True)


# --- The service -------------------------------------------------------------------------------


def test_a_template_goes_to_each_mentor_in_their_language(coordinator):
    german, english = MentorFactory(language="de"), MentorFactory(language="en")
    template = MESSAGE_TEMPLATES["contact"]

    with translation.override("en"):
        sent = mentors_message(
            mentors=Mentor.objects.filter(pk__in=[german.pk, english.pk]),
            template="contact",
            by=coordinator,
        )

    assert (sent.sent, sent.left_out) == (2, 0)
    to_german, to_english = messages_to(german).get(), messages_to(english).get()
    assert to_german.subject == template.subject["de"]
    assert to_english.subject == template.subject["en"]
    assert to_german.body.startswith(f"Hallo {german.first_name},")
    assert "Die Koordination des Programms" in to_german.body
    assert to_english.body.startswith(f"Hello {english.first_name},")
    assert settings.CONTACT_EMAIL in to_english.body
    assert unsubscribe_url(german) in to_german.body
    assert timeline(german) == [template.subject["de"]]
    assert timeline(english) == [template.subject["en"]]
    assert MentorActivity.objects.get(mentor=german, kind=ActivityKind.MESSAGE).created_by == (
        coordinator
    )


def test_every_usual_message_has_a_german_and_an_english_text():
    for template in MESSAGE_TEMPLATES.values():
        if not template.own_text:
            assert set(template.subject) == set(template.body) == {"de", "en"}
            assert template.body["de"] != template.body["en"]


def test_a_message_of_ones_own_is_sent_as_written_to_every_language(coordinator):
    german, english = MentorFactory(language="de"), MentorFactory(language="en")
    mentors_message(
        mentors=Mentor.objects.filter(pk__in=[german.pk, english.pk]),
        template="own",
        subject="Sommerfest am 12. Juli",
        text="Liebe Patinnen und Paten,\n\nwir feiern im Rathaus.",
        by=coordinator,
    )
    for mentor in (german, english):
        mail = messages_to(mentor).get()
        assert mail.subject == "Sommerfest am 12. Juli"
        assert mail.body.startswith("Liebe Patinnen und Paten,\n\nwir feiern im Rathaus.")
        assert unsubscribe_url(mentor) in mail.body
        assert timeline(mentor) == ["Sommerfest am 12. Juli"]


def test_who_left_unsubscribed_or_withdrew_consent_gets_no_message(coordinator):
    reached = MentorFactory(status="ready")
    left = MentorFactory(status="left")
    unsubscribed = MentorFactory()
    mentor_unsubscribe(mentor=unsubscribed)
    withdrawn = MentorFactory(status="active")  # stays until the tandem ends, but hears nothing
    mentor_consent_withdraw(mentor=withdrawn, by=coordinator)
    everyone = Mentor.objects.filter(
        pk__in=[m.pk for m in (reached, left, unsubscribed, withdrawn)]
    )

    sent = mentors_message(mentors=everyone, template="insurance", by=coordinator)

    assert (sent.sent, sent.left_out) == (1, 3)
    assert (
        QueuedMail.objects.filter(subject=MESSAGE_TEMPLATES["insurance"].subject["de"]).count() == 1
    )
    assert messages_to(reached).exists()
    assert timeline(left) == timeline(unsubscribed) == timeline(withdrawn) == []


@pytest.mark.parametrize(
    "message, field",
    [
        ({"template": "newsletter"}, "template"),
        ({"template": "own", "subject": " ", "text": "Hallo"}, "subject"),
        ({"template": "own", "subject": "Hallo", "text": ""}, "text"),
        ({"template": "own", "subject": "x" * 201, "text": "Hallo"}, "subject"),
        ({"template": "contact", "text": "Mein eigener Text"}, "template"),
    ],
)
def test_a_message_that_makes_no_sense_sends_nothing(coordinator, message, field):
    mentor = MentorFactory()
    with pytest.raises(ValidationError) as refused:
        mentors_message(mentors=Mentor.objects.filter(pk=mentor.pk), by=coordinator, **message)
    assert field in refused.value.message_dict
    assert not QueuedMail.objects.exists() and not timeline(mentor)


def test_a_message_nobody_may_receive_is_refused(coordinator):
    mentor = MentorFactory(status="left")
    with pytest.raises(ValidationError):
        mentors_message(
            mentors=Mentor.objects.filter(pk=mentor.pk), template="contact", by=coordinator
        )
    assert not QueuedMail.objects.exists()


# --- Unsubscribing -----------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_first_and_shows_only_the_first_name(client, db):
    mentor = MentorFactory(first_name="Ilse", last_name="Brandhuber", phone="0711 987654")
    url = reverse("mentors:unsubscribe", args=[unsubscribe_token(mentor)])

    page = client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Ilse" in text
    assert "Brandhuber" not in text and mentor.email not in text and "987654" not in text
    assert '<form method="post"' in text
    mentor.refresh_from_db()
    assert mentor.unsubscribed_at is None  # a mail scanner opening the link changes nothing


def test_a_message_carries_the_one_click_unsubscribe_header(coordinator):
    from django.core import mail

    from willkommen.core.mail import mails_send_due

    mentor = MentorFactory()
    mentors_message(mentors=Mentor.objects.filter(pk=mentor.pk), template="contact", by=coordinator)
    mails_send_due()  # the worker's delivery, through Django's mail backend
    sent = next(message for message in mail.outbox if message.to == [mentor.email])
    assert sent.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(mentor)}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    invitations_send(event=an_event(), mentors=[mentor])  # programme mail: nothing to stop
    mails_send_due()
    invitation = next(m for m in reversed(mail.outbox) if m.to == [mentor.email])
    assert "List-Unsubscribe" not in invitation.extra_headers


def test_pressing_the_button_unsubscribes_once(db):
    mentor = MentorFactory()
    url = reverse("mentors:unsubscribe", args=[unsubscribe_token(mentor)])
    client = Client(enforce_csrf_checks=True)  # a mail program's one-click POST has no cookie

    assert client.post(url).status_code == 302
    mentor.refresh_from_db()
    first = mentor.unsubscribed_at
    assert first is not None
    assert client.post(url).status_code == 302
    mentor.refresh_from_db()
    assert mentor.unsubscribed_at == first
    assert len(timeline(mentor, ActivityKind.UNSUBSCRIBED)) == 1
    assert translation.gettext("You have unsubscribed") in client.get(url).content.decode()


@pytest.mark.parametrize("token", ["1", "abc:def", "1:" + "x" * 40, "%00"])
def test_a_wrong_unsubscribe_link_is_a_404_and_changes_nothing(client, db, token):
    mentor = MentorFactory()
    assert client.post(f"/nachrichten/abbestellen/{token}/").status_code == 404
    assert client.get(f"/nachrichten/abbestellen/{token}/").status_code == 404
    mentor.refresh_from_db()
    assert mentor.unsubscribed_at is None


def test_another_mentors_token_does_not_pass_as_a_consent_withdrawal(client, db):
    """The two links are signed for their own purpose: one cannot stand in for the other."""
    mentor = MentorFactory()
    token = unsubscribe_token(mentor)
    assert client.get(reverse("mentors:withdraw_consent", args=[token])).status_code == 404


def test_the_mail_the_programme_needs_still_reaches_an_unsubscribed_mentor(coordinator):
    mentor = MentorFactory(status="ready")
    mentor_unsubscribe(mentor=mentor)
    tandem_propose(
        referral=ReferralFactory(status="waiting", children_ages=[]), mentor=mentor, by=coordinator
    )
    assert messages_to(mentor).count() == 1  # the proposal


# --- The pages ----------------------------------------------------------------------------------


def test_the_mentor_page_links_to_writing_a_message(coordinator_client):
    mentor = MentorFactory()
    page = coordinator_client.get(mentor.get_absolute_url()).content.decode()
    assert reverse("mentors:message", args=[mentor.pk]) in page


def test_writing_to_one_mentor_previews_then_sends(coordinator_client, coordinator):
    mentor = MentorFactory(language="en")
    url = reverse("mentors:message", args=[mentor.pk])
    assert coordinator_client.get(url).status_code == 200

    preview = coordinator_client.post(url, {"template": "insurance", "action": "preview"})

    assert preview.status_code == 200
    (shown,) = preview.context["previews"]
    assert shown["subject"] == MESSAGE_TEMPLATES["insurance"].subject["en"]
    assert f"Hello {mentor.first_name}," in shown["body"]
    assert not QueuedMail.objects.exists()  # nothing went out yet

    sent = coordinator_client.post(
        url, {"template": "insurance", "action": "send", "expected": "1"}
    )
    assert sent.status_code == 302 and sent["Location"] == mentor.get_absolute_url()
    assert messages_to(mentor).get().subject == MESSAGE_TEMPLATES["insurance"].subject["en"]
    assert timeline(mentor) == [MESSAGE_TEMPLATES["insurance"].subject["en"]]


def test_the_preview_shows_each_language_once(coordinator_client):
    MentorFactory(language="de", district="ost")
    MentorFactory(language="de", district="ost")
    MentorFactory(language="en", district="ost")
    response = coordinator_client.post(
        f"{SEGMENT}?district=ost", {"template": "contact", "action": "preview"}
    )
    assert [(p["count"], p["subject"]) for p in response.context["previews"]] == [
        (2, MESSAGE_TEMPLATES["contact"].subject["de"]),
        (1, MESSAGE_TEMPLATES["contact"].subject["en"]),
    ]


def test_a_message_to_a_changed_selection_is_shown_again_not_sent(coordinator_client):
    mentor = MentorFactory()
    url = reverse("mentors:message", args=[mentor.pk])
    mentor_unsubscribe(mentor=MentorFactory())  # someone else: no matter
    response = coordinator_client.post(
        url, {"template": "contact", "action": "send", "expected": "2"}
    )
    assert response.status_code == 200
    assert response.context["previews"]
    assert not QueuedMail.objects.exists()


def test_a_wrong_message_comes_back_with_the_reason_and_sends_nothing(coordinator_client):
    mentor = MentorFactory()
    response = coordinator_client.post(
        reverse("mentors:message", args=[mentor.pk]),
        {"template": "own", "subject": "", "text": "Hallo", "action": "send", "expected": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["subject"] == [
        translation.gettext("Please write a subject.")
    ]
    assert not QueuedMail.objects.exists() and not timeline(mentor)


def test_an_unsubscribed_mentors_page_says_no_message_can_go(coordinator_client):
    mentor = MentorFactory()
    mentor_unsubscribe(mentor=mentor)
    response = coordinator_client.get(reverse("mentors:message", args=[mentor.pk]))
    assert response.context["reach"] == 0
    assert 'name="action"' not in response.content.decode()


def test_the_list_offers_to_write_to_the_mentors_its_filters_find(coordinator_client):
    MentorFactory(district="ost")
    MentorFactory(district="ost", status="left")
    MentorFactory(district="west")

    page = coordinator_client.get(f"{LIST}?district=ost").content.decode()
    assert f'href="{SEGMENT}?district=ost"' in page
    assert (
        translation.ngettext(
            "Write to this %(count)s mentor", "Write to these %(count)s mentors", 2
        )
        % {"count": 2}
        in page
    )

    compose = coordinator_client.get(f"{SEGMENT}?district=ost")
    assert (compose.context["chosen"], compose.context["reach"]) == (2, 1)
    sent = coordinator_client.post(
        f"{SEGMENT}?district=ost",
        {"template": "own", "subject": "Treffen", "text": "Hallo!", "action": "send",
         "expected": "1"},
    )  # fmt: skip
    assert sent.status_code == 302 and sent["Location"] == f"{LIST}?district=ost"
    assert QueuedMail.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_the_compose_page_needs_the_same_queries_for_few_and_many(
    coordinator_client, django_assert_max_num_queries, rows
):
    for row in range(rows):
        MentorFactory(language="en" if row % 2 else "de")
    # two of them per language of the recipients (one in German, one in English at most)
    with django_assert_max_num_queries(14):
        coordinator_client.post(SEGMENT, {"template": "contact", "action": "preview"})


# --- Actions on the mentors ticked in the list --------------------------------------------------


def test_the_list_rows_can_be_ticked_for_an_action(coordinator_client):
    mentor = MentorFactory()
    page = coordinator_client.get(LIST).content.decode()
    assert f'name="mentor" value="{mentor.pk}" form="bulk"' in page
    assert f'action="{BULK}"' in page


def test_ticked_new_mentors_are_marked_contacted(coordinator_client, coordinator):
    new, ready = MentorFactory(status="new"), MentorFactory(status="ready")
    response = coordinator_client.post(
        f"{BULK}?district=west", {"mentor": [new.pk, ready.pk], "action": "contacted"}
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?district=west"
    assert Mentor.objects.get(pk=new.pk).status == MentorStatus.CONTACTED
    assert Mentor.objects.get(pk=ready.pk).status == MentorStatus.READY
    assert MentorActivity.objects.filter(mentor=new, kind=ActivityKind.STATUS).count() == 1


def test_writing_to_the_ticked_mentors_goes_to_them_alone(coordinator_client):
    first, second, _other = MentorFactory(), MentorFactory(), MentorFactory()
    response = coordinator_client.post(BULK, {"mentor": [first.pk, second.pk], "action": "message"})
    assert response["Location"] == f"{SEGMENT}?{selection(first, second)}"
    compose = coordinator_client.get(response["Location"])
    assert (compose.context["chosen"], compose.context["reach"]) == (2, 2)


def test_inviting_the_ticked_mentors_uses_the_seminars_invitations(coordinator_client):
    german, english = MentorFactory(language="de"), MentorFactory(language="en")
    left = MentorFactory(status="left")
    event = an_event(capacity=5)
    response = coordinator_client.post(
        BULK, {"mentor": [german.pk, english.pk, left.pk], "action": "invite"}
    )
    url = response["Location"]
    assert url == f"{reverse('mentors:bulk_invite')}?{selection(german, english, left)}"
    page = coordinator_client.get(url)
    assert page.context["left"] == 1

    invited = coordinator_client.post(url, {"event": event.pk})

    assert invited.status_code == 302 and invited["Location"] == event.get_absolute_url()
    assert set(Invitation.objects.values_list("mentor_id", flat=True)) == {german.pk, english.pk}
    assert messages_to(german).get().body.startswith("Hallo")
    assert messages_to(english).get().body.startswith("Hello")


def test_an_event_that_has_begun_cannot_be_chosen(coordinator_client):
    mentor = MentorFactory()
    past = an_event(starts_at=timezone.now() - timedelta(hours=1))
    url = f"{reverse('mentors:bulk_invite')}?{selection(mentor)}"
    response = coordinator_client.post(url, {"event": past.pk})
    assert response.status_code == 200 and response.context["form"].errors["event"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "contacted"},  # nobody ticked
        {"mentor": ["abc"], "action": "contacted"},
        {"mentor": ["999999"], "action": "message"},
        {"mentor": ["1"], "action": "delete"},
    ],
)
def test_a_wrong_action_changes_nothing_and_says_why(coordinator_client, data):
    mentor = MentorFactory(status="new")
    data = {**data, "mentor": [str(mentor.pk) if v == "1" else v for v in data.get("mentor", [])]}
    response = coordinator_client.post(BULK, data, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.NEW


def test_a_stale_selection_is_a_404(coordinator_client):
    assert coordinator_client.get(f"{SEGMENT}?mentor=999999").status_code == 404
    assert coordinator_client.get(f"{reverse('mentors:bulk_invite')}?mentor=x").status_code == 404
