"""Messages from the coordinators to mentors: the usual texts, who may receive one, and how a
message reads in each mentor's language.

The texts are the programme's own, written out in German and English (not translated strings):
a message goes in the language the mentor chose (`Mentor.language`), whoever writes it. A
message of one's own is sent as written, in the one language it was written in. Sending is
`mentors.services.mentors_message`; every message carries the link to unsubscribe.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor, MentorStage
from willkommen.core.mail import mail_language
from willkommen.core.models import ConsentWithdrawal

# The longest subject and text a coordinator may write (the subject fits the mail's column).
SUBJECT_LENGTH = 200
TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    title: str  # what the coordinators choose from
    # language code → text; `body` may name {contact_email}. Empty for a message of one's own.
    subject: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)

    @property
    def own_text(self) -> bool:
        """The coordinator writes subject and text (sent as written)."""
        return not self.body


OWN = "own"

MESSAGE_TEMPLATES = {
    template.key: template
    for template in [
        MessageTemplate(OWN, _("A message of your own")),
        MessageTemplate(
            "insurance",
            _("Insurance during the programme"),
            subject={
                "de": "WillkommensPaten: Ihr Versicherungsschutz",
                "en": "WillkommensPaten: your insurance cover",
            },
            body={
                "de": (
                    "während Ihres Engagements als WillkommensPatin oder WillkommensPate sind "
                    "Sie haftpflicht- und unfallversichert: über die Landeshauptstadt Stuttgart "
                    "und die Sammelversicherung des Landes Baden-Württemberg für ehrenamtlich "
                    "Engagierte, soweit keine eigene Versicherung greift.\n\n"
                    "Versichert sind die Begleitungen, die Sie mit Ihrer Koordination "
                    "abgesprochen haben, und die Wege dorthin.\n\n"
                    "Ist etwas passiert? Bitte melden Sie einen Schaden oder Unfall sofort bei "
                    "uns: {contact_email}"
                ),
                "en": (
                    "while you volunteer as a WillkommensPate, you are covered by liability and "
                    "accident insurance: through the City of Stuttgart and the State of "
                    "Baden-Württemberg's group insurance for volunteers, where no insurance of "
                    "your own applies.\n\n"
                    "The cover includes the accompaniment you have agreed with your coordinator "
                    "and the journeys to it.\n\n"
                    "Has something happened? Please report any damage or accident to us at "
                    "once: {contact_email}"
                ),
            },
        ),
        MessageTemplate(
            "contact",
            _("How to reach the coordination"),
            subject={
                "de": "WillkommensPaten: So erreichen Sie uns",
                "en": "WillkommensPaten: how to reach us",
            },
            body={
                "de": (
                    "Sie haben eine Frage zu Ihrer Patenschaft, möchten eine Pause einlegen oder "
                    "brauchen Rat? Die Koordination des Programms in der Abteilung "
                    "Integrationspolitik der Landeshauptstadt Stuttgart ist für Sie da.\n\n"
                    "E-Mail: {contact_email}\n\n"
                    "Schreiben Sie uns gern; wir rufen Sie auch zurück, wenn Sie Ihre "
                    "Telefonnummer nennen."
                ),
                "en": (
                    "Do you have a question about your tandem, would you like to take a break, "
                    "or do you need advice? The programme's coordinators in the Department of "
                    "Integration Policy of the City of Stuttgart are there for you.\n\n"
                    "Email: {contact_email}\n\n"
                    "Do write to us; we also call you back if you give us your phone number."
                ),
            },
        ),
    ]
}


def message_template(key: str) -> MessageTemplate | None:
    return MESSAGE_TEMPLATES.get(key)


def message_text(
    template: MessageTemplate, *, language: str, subject: str = "", text: str = ""
) -> tuple[str, str]:
    """The subject and text of a message as the mentor reads it: the template's words in the
    mentor's language, or a message of one's own as written."""
    if template.own_text:
        return subject.strip(), text.strip()
    language = mail_language(language)
    body = template.body[language].format(contact_email=settings.CONTACT_EMAIL)
    return template.subject[language], body


def message_recipients(mentors: QuerySet) -> QuerySet:
    """Of `mentors`, those a message goes to: not left the programme, not unsubscribed, and
    no withdrawal of consent on record."""
    withdrawn = ConsentWithdrawal.objects.filter(
        subject=ConsentWithdrawal.Subject.MENTOR, object_id=OuterRef("pk")
    )
    return (
        Mentor.objects.filter(pk__in=mentors.order_by().values("pk"))
        .confirmed()
        .exclude(stage=MentorStage.LEFT)
        .filter(unsubscribed_at=None)
        .exclude(Exists(withdrawn))
    )
