"""Everyone's language: each mail goes in its recipient's language (Mentor.language,
User.language), whatever the language of the person whose action sends it."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mentors.models import Mentor
from mentors.services import confirmation_token, mentor_apply, mentor_confirm_email
from newcomers.services import referral_triage, referrals_hand_over, tandem_propose
from seminars.services import event_update, invitation_answer, invitations_send
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event
from tests.mentors.test_detail import edit_data
from willkommen.core.models import QueuedMail, SupportArea, User
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

OTHER = {"de": "en", "en": "de"}


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def greets(mail, mentor) -> str:
    """The language of the mail's greeting."""
    for language, hello in (("de", "Hallo"), ("en", "Hello")):
        if mail.body.startswith(f"{hello} {mentor.first_name},"):
            return language
    raise AssertionError(mail.body[:80])


def mail_to(person, **filters):
    return QueuedMail.objects.filter(to=person.email, **filters).latest("pk")


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_proposal_reaches_the_mentor_in_their_language(coordinator, language):
    mentor = MentorFactory(status="ready", language=language)
    referral = ReferralFactory(status="waiting", children_ages=[])
    with translation.override(OTHER[language]):  # the coordinator works in the other one
        tandem_propose(referral=referral, mentor=mentor, by=coordinator)

    mail = mail_to(mentor)
    subject = "WillkommensPaten: would you like to accompany a newcomer?"
    assert in_language("de", subject) != in_language("en", subject)
    assert mail.subject == in_language(language, subject)
    assert greets(mail, mentor) == language


def test_one_batch_of_invitations_goes_in_each_mentors_language(coordinator):
    german, english = MentorFactory(language="de"), MentorFactory(language="en")
    event = an_event(capacity=5)
    with translation.override("en"):
        assert invitations_send(event=event, mentors=[german, english]) == 2

    assert greets(mail_to(german), german) == "de"
    assert greets(mail_to(english), english) == "en"
    assert mail_to(german).subject == in_language("de", "Invitation: %(title)s") % {
        "title": event.title
    }


def test_later_mails_of_an_invitation_follow_a_changed_language(coordinator):
    mentor = MentorFactory(language="de")
    event = an_event(capacity=5)
    invitations_send(event=event, mentors=[mentor])
    invitation_answer(invitation=event.invitations.get(), accept=True)
    Mentor.objects.filter(pk=mentor.pk).update(language="en")  # the coordinator changed it

    with translation.override("de"):
        event_update(event=event, by=coordinator, data={"place": "Rathaus, Raum 2"})
    assert greets(mail_to(mentor), mentor) == "en"


def test_the_thank_you_follows_the_application_not_the_browser_that_confirms(db):
    with translation.override("de"):
        mentor = mentor_apply(
            data={"first_name": "Lena", "last_name": "Maier", "email": "lena@example.org",
                  "district": "west", "hours_per_month": 4, "motivation": "Helfen."},
            languages=[("de", "native")],
            support_areas=SupportArea.objects.none(),
            language="en-GB",
        )  # fmt: skip
    assert mentor.language == "en"
    with translation.override("de"):  # the link opened on a German phone
        mentor_confirm_email(token=confirmation_token(mentor))
    subject = "WillkommensPaten: thank you for your application"
    assert mail_to(mentor).subject == in_language("en", subject)


def test_the_note_on_applying_again_is_in_the_mentors_language(db):
    mentor = MentorFactory(language="en")
    mentor_apply(
        data={"first_name": "Max", "last_name": "Muster", "email": mentor.email,
              "district": "west", "hours_per_month": 4, "motivation": "Noch einmal."},
        languages=[("de", "native")],
        support_areas=SupportArea.objects.none(),
        language="de",
    )  # fmt: skip
    subject = "WillkommensPaten: we have received your message"
    assert mail_to(mentor).subject == in_language("en", subject)


def test_the_advisor_taking_on_referrals_reads_in_their_language(coordinator):
    old, new = UserFactory(language="de"), UserFactory(language="en")
    for advisor in (old, new):
        user_set_role(user=advisor, role=Role.ADVISOR)
    referral = ReferralFactory(advisor=old)
    with translation.override("de"):
        referrals_hand_over(referrals=[referral], to_advisor=new, by=coordinator)
    subject = "WillkommensPaten: referrals have been handed on to you"
    assert in_language("de", subject) != subject
    assert mail_to(new).subject == subject


def test_a_coordinator_changes_the_mentors_language_on_the_edit_form(coordinator_client):
    mentor = MentorFactory(language="de")
    response = coordinator_client.post(
        reverse("mentors:edit", args=[mentor.pk]), edit_data(mentor, language="en")
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.language == "en"


def test_the_edit_form_refuses_a_language_we_do_not_write(coordinator_client):
    mentor = MentorFactory(language="de")
    response = coordinator_client.post(
        reverse("mentors:edit", args=[mentor.pk]), edit_data(mentor, language="fr")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    mentor.refresh_from_db()
    assert mentor.language == "de"


def test_people_choose_the_language_of_their_mails_on_my_account(advisor_client, advisor):
    page = advisor_client.get(reverse("account"))
    assert page.context["language_form"]["language"].value() == "de"

    response = advisor_client.post(reverse("account"), {"language": "en"})
    assert response.status_code == 302
    assert User.objects.get(pk=advisor.pk).language == "en"

    refused = advisor_client.post(reverse("account"), {"language": "xx"})
    assert refused.status_code == 200
    assert refused.context["language_form"].errors["language"]
    assert User.objects.get(pk=advisor.pk).language == "en"


def test_mails_to_an_advisor_follow_my_account(advisor_client, advisor, coordinator):
    advisor_client.post(reverse("account"), {"language": "en"})
    referral = ReferralFactory(advisor=advisor, children_ages=[])
    with translation.override("de"):
        referral_triage(referral=referral, by=coordinator, to_status="waiting")
    mail = mail_to(advisor)
    assert mail.subject == "WillkommensPaten: a referral of yours has a new status"
    assert "waiting for a mentor" in mail.body
