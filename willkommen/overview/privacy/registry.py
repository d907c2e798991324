"""The registry of personal data: for every model, which fields hold personal data, about whom,
why (purpose, legal basis), who sees them, how long they are kept and how each is anonymised.

Everything else reads it: the anonymisation of the retention run and of an erasure request
(the values it writes), the Art. 15 export (which rows and fields belong to a person), the
record of processing activities (`manage.py privacy_register`) and docs/datenschutz.md.
tests/overview/test_privacy_registry.py fails for any model field of a kind that can hold
personal data which is neither registered here nor marked as not personal, with a reason.

The change-history models of django-pghistory (MentorEvent, ReferralEvent …) are copies of the
tracked model's rows: their entries are derived from the tracked model's (see `entry_for`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils.translation import gettext_lazy as _
from pghistory.models import Event as HistoryEvent

# Written into names that are anonymised; German, as the data are.
PLACEHOLDER = "anonymisiert"
# A mentor's address stays unique (a constraint) and can never be mailed: .invalid is reserved.
ADDRESS_DOMAIN = "example.invalid"


class Subject(models.TextChoices):
    """Whose data."""

    MENTOR = "mentor", _("mentors and applicants")
    NEWCOMER = "newcomer", _("newcomers and their households")
    STAFF = "staff", _("coordinators, advisors and IT (accounts)")
    VISITOR = "visitor", _("visitors of the public pages")
    FACILITATOR = "facilitator", _("facilitators of seminars")


class Category(models.TextChoices):
    IDENTITY = "identity", _("name")
    CONTACT = "contact", _("contact data")
    LOCATION = "location", _("place of residence")
    ORIGIN = "origin", _("origin and arrival")
    HOUSEHOLD = "household", _("household")
    PROFILE = "profile", _("languages, offers, availability and wishes")
    FREE_TEXT = "free-text", _("free text")
    CONSENT = "consent", _("consent")
    PROGRAMME = "programme", _("course of the programme: status, dates, reasons")
    STAFF = "staff", _("accounts and who did what")
    TECHNICAL = "technical", _("technical data: network address, browser, keyed hashes")
    MAIL = "mail", _("emails")


class Treatment(models.TextChoices):
    """What anonymisation does to a field."""

    KEPT = "kept", _("kept")
    PLACEHOLDER = "placeholder", _("replaced by “anonymisiert”")
    ADDRESS_PLACEHOLDER = "address", _("replaced by an address that cannot receive mail")
    EMPTIED = "emptied", _("emptied")
    YEAR_ONLY = "year", _("reduced to the year")
    ROW_DELETED = "deleted", _("deleted with the whole entry")


@dataclass(frozen=True)
class Field:
    category: Category
    treatment: Treatment = Treatment.KEPT
    note: str = ""  # why it is kept, or what is special
    value: object = None  # the value anonymisation writes, where the treatment's is not right
    label: str = ""  # where the model field's own name does not say it


@dataclass(frozen=True)
class Entry:
    model: str  # app_label.ModelName
    subjects: tuple[Subject, ...]
    purpose: str
    legal_basis: str
    recipients: str
    # May name settings as %(NAME)s; `retention_text` fills in their values.
    retention: str
    fields: dict[str, Field]
    not_personal: dict[str, str] = field(default_factory=dict)  # field: why it is not
    # How to find a person's rows: a lookup from this model to the person's record (the
    # mentor or the referral), or a function of the person that returns a Q.
    paths: dict[Subject, str | Callable] = field(default_factory=dict)
    # Whose anonymisation empties this model's fields (None: nobody's, see `retention`).
    anonymised_with: Subject | None = None
    history_of: str = ""  # for a pghistory model: the tracked model
    title: str = ""  # what the table holds, where the model's own name does not say it

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def heading(self) -> str:
        return str(self.title or self.model_class._meta.verbose_name_plural)


def kept(category, note=""):
    return Field(category, Treatment.KEPT, note)


def emptied(category, note=""):
    return Field(category, Treatment.EMPTIED, note)


def deleted(category, note=""):
    return Field(category, Treatment.ROW_DELETED, note)


IDENTITY_PLACEHOLDER = Field(Category.IDENTITY, Treatment.PLACEHOLDER)
FOR_REPORTS = _("counted in the reports")
PROOF_OF_CONSENT = _("proof of the consent")
STAFF_LINK = kept(Category.STAFF, _("who did it (a staff account)"))
TECHNICAL_TIME = _("technical: when the entry was last saved")
SUMMARY = _("technical: a summary of other entries listed here, kept equal to them for fast lists")

CONSENT_AND_TASK = _(
    "consent (Art. 6(1)(a) GDPR) and the city's task of integration "
    "(Art. 6(1)(e), (3) GDPR with § 4 LDSG BW)"
)
NEWCOMER_CONSENT = _(
    "consent of the newcomer, given to the Welcome Center in writing (Art. 6(1)(a) GDPR; for "
    "the country of origin, which may reveal ethnic origin, Art. 9(2)(a) GDPR), and the city's "
    "task of integration (Art. 6(1)(e), (3) GDPR with § 4 LDSG BW)"
)
STAFF_BASIS = _(
    "processing of employees' data for their work (Art. 6(1)(e), Art. 88 GDPR with § 15 LDSG BW)"
)
SECURITY_BASIS = _(
    "security of processing (Art. 32 GDPR) and the city's task (Art. 6(1)(e) GDPR with § 4 LDSG BW)"
)
ACCOUNTABILITY_BASIS = _("accountability (Art. 5(2) GDPR) and security of processing (Art. 32)")

COORDINATORS = _("the programme's coordinators")
COORDINATORS_AND_ADVISOR = _(
    "the programme's coordinators; the Welcome Center advisor who referred the newcomer; the "
    "mentor proposed (first name, district, languages and needs only)"
)
IT_ONLY = _("IT (superusers) in the administration")


def _mails_to(person):
    return models.Q(to__iexact=person.email) if person.email else models.Q(pk__in=[])


def _records_of(subject_value):
    def q(person):
        return models.Q(subject=subject_value, object_id=person.pk)

    return q


def _mentor_address():
    return Concat(
        models.Value(f"{PLACEHOLDER}-"),
        Cast("id", output_field=models.CharField()),
        models.Value(f"@{ADDRESS_DOMAIN}"),
    )


def _postal_code_placeholder():
    # Outside Stuttgart a postal code is required (a constraint): a neutral one stays.
    return models.Case(
        models.When(postal_code="", then=models.Value("")), default=models.Value("00000")
    )


REGISTRY: list[Entry] = [
    # --- mentors ------------------------------------------------------------------------------
    Entry(
        "mentors.Mentor",
        (Subject.MENTOR,),
        purpose=_(
            "Recruiting, preparing and accompanying volunteer mentors; finding a suitable "
            "tandem; inviting them to seminars; messages from the coordinators"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=_(
            "the programme's coordinators; never the Welcome Center advisors; the newcomer "
            "learns the mentor's name and what they agree on"
        ),
        retention=_(
            "Unconfirmed applications: deleted after %(MENTOR_CONFIRMATION_DAYS)s days. "
            "Applicants who left without a tandem: anonymised %(RETENTION_APPLICANT_MONTHS)s "
            "months after leaving. Mentors who left: anonymised %(RETENTION_MENTOR_MONTHS)s "
            "months after leaving."
        ),
        fields={
            "first_name": IDENTITY_PLACEHOLDER,
            "last_name": IDENTITY_PLACEHOLDER,
            "email": Field(
                Category.CONTACT, Treatment.ADDRESS_PLACEHOLDER, value=_mentor_address()
            ),
            "phone": emptied(Category.CONTACT),
            "district": kept(Category.LOCATION, FOR_REPORTS),
            "postal_code": Field(
                Category.LOCATION,
                Treatment.EMPTIED,
                _("“00000” where a postal code is required (outside Stuttgart)"),
                value=_postal_code_placeholder(),
            ),
            "support_areas": kept(Category.PROFILE, FOR_REPORTS),
            "weekdays": kept(Category.PROFILE, _("not identifying")),
            "times_of_day": kept(Category.PROFILE, _("not identifying")),
            "hours_per_month": kept(Category.PROFILE, _("not identifying")),
            "preferences": kept(Category.PROFILE, _("not identifying")),
            "preferences_note": emptied(Category.FREE_TEXT),
            "motivation": emptied(Category.FREE_TEXT),
            "heard_about": kept(Category.PROFILE, _("how people find the programme")),
            "language": kept(Category.PROFILE, _("the language of the mails they get")),
            "unsubscribed_at": kept(
                Category.CONSENT, _("proof that they asked for no more messages")
            ),
            "consent_at": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "consent_version": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "email_confirmed_at": kept(Category.PROGRAMME, FOR_REPORTS),
            "pending_application": Field(
                Category.FREE_TEXT, Treatment.EMPTIED, label=_("later application, unconfirmed")
            ),
            "stage": kept(Category.PROGRAMME, FOR_REPORTS),
            "capacity": kept(Category.PROGRAMME),
            "places_taken": kept(Category.PROGRAMME),
            "tandems_active": kept(Category.PROGRAMME),
            "left_reason": kept(Category.PROGRAMME, FOR_REPORTS),
            "created_at": kept(Category.PROGRAMME, FOR_REPORTS),
        },
        not_personal={
            "updated_at": TECHNICAL_TIME,
            **dict.fromkeys(
                ["steps_done", "conversation_held", "certificate_valid_until"], SUMMARY
            ),
        },
        paths={Subject.MENTOR: "pk"},
        anonymised_with=Subject.MENTOR,
    ),
    Entry(
        "mentors.MentorLanguage",
        (Subject.MENTOR,),
        title=_("mentors' languages"),
        purpose=_("Matching mentors and newcomers by language"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record"),
        fields={
            "language": kept(Category.PROFILE, FOR_REPORTS),
            "level": kept(Category.PROFILE, FOR_REPORTS),
        },
        paths={Subject.MENTOR: "mentor"},
    ),
    Entry(
        "mentors.ChecklistEntry",
        (Subject.MENTOR,),
        title=_("screening steps"),
        purpose=_(
            "Screening before a first tandem: conversation, agreement, confidentiality pledge, "
            "extended police certificate (only the date it was seen and when it must be "
            "renewed), introductory seminar"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record"),
        fields={
            "item": kept(Category.PROGRAMME),
            "done_on": kept(Category.PROGRAMME),
            "valid_until": kept(Category.PROGRAMME),
            "recorded_by": STAFF_LINK,
            "recorded_at": kept(Category.PROGRAMME),
        },
        paths={Subject.MENTOR: "mentor"},
    ),
    Entry(
        "mentors.MentorActivity",
        (Subject.MENTOR,),
        title=_("mentors' timelines"),
        purpose=_(
            "The mentor's timeline: status changes, notes, contacts and messages of the "
            "coordinators"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record; the notes are emptied with it"),
        fields={
            "kind": kept(Category.PROGRAMME),
            "from_status": kept(Category.PROGRAMME),
            "to_status": kept(Category.PROGRAMME),
            "text": emptied(Category.FREE_TEXT),
            "created_by": STAFF_LINK,
            "created_at": kept(Category.PROGRAMME),
        },
        paths={Subject.MENTOR: "mentor"},
        anonymised_with=Subject.MENTOR,
    ),
    Entry(
        "mentors.RejectedSubmission",
        (),
        title=_("rejected submissions of the public form"),
        purpose=_("Counting spam on the public form"),
        legal_basis=SECURITY_BASIS,
        recipients=IT_ONLY,
        retention=_("counts only"),
        fields={},
        not_personal={
            "day": _("a count per day and reason, nothing of the submission"),
            "reason": _("a count per day and reason, nothing of the submission"),
        },
    ),
    # --- newcomers ----------------------------------------------------------------------------
    Entry(
        "newcomers.Referral",
        (Subject.NEWCOMER,),
        purpose=_(
            "Finding a mentor for a newcomer household referred by the Welcome Center and "
            "accompanying the tandem"
        ),
        legal_basis=NEWCOMER_CONSENT,
        recipients=COORDINATORS_AND_ADVISOR,
        retention=_(
            "Declined or withdrawn: anonymised %(RETENTION_REFERRAL_CLOSED_MONTHS)s months after "
            "that decision. Accompaniment ended: anonymised %(RETENTION_TANDEM_MONTHS)s months "
            "after the last tandem ended."
        ),
        fields={
            "advisor": STAFF_LINK,
            "first_name": IDENTITY_PLACEHOLDER,
            "last_name": IDENTITY_PLACEHOLDER,
            "phone": emptied(Category.CONTACT),
            "email": emptied(Category.CONTACT),
            "languages": kept(Category.PROFILE, FOR_REPORTS),
            "german_level": kept(Category.PROFILE, _("not identifying")),
            "country_of_origin": emptied(Category.ORIGIN),
            "arrived_on": Field(Category.ORIGIN, Treatment.YEAR_ONLY),
            "district": kept(Category.LOCATION, FOR_REPORTS),
            "postal_code": emptied(Category.LOCATION),
            "adults": kept(Category.HOUSEHOLD, _("not identifying")),
            "children_ages": emptied(Category.HOUSEHOLD),
            "to_accompany": emptied(Category.FREE_TEXT),
            "support_areas": kept(Category.PROFILE, FOR_REPORTS),
            "description": emptied(Category.FREE_TEXT),
            "urgency": kept(Category.PROGRAMME),
            "weekdays": kept(Category.PROFILE, _("not identifying")),
            "times_of_day": kept(Category.PROFILE, _("not identifying")),
            "interpreter_language": kept(Category.PROFILE, _("not identifying")),
            "preferences": kept(Category.PROFILE, _("not identifying")),
            "notes_for_mentor": emptied(Category.FREE_TEXT),
            "consent_on": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "consent_form_version": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "consent_form_kept": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "status": kept(Category.PROGRAMME, FOR_REPORTS),
            "decline_reason": kept(Category.PROGRAMME, FOR_REPORTS),
            "created_at": kept(Category.PROGRAMME, FOR_REPORTS),
        },
        not_personal={"updated_at": TECHNICAL_TIME},
        paths={Subject.NEWCOMER: "pk"},
        anonymised_with=Subject.NEWCOMER,
    ),
    Entry(
        "newcomers.ReferralActivity",
        (Subject.NEWCOMER,),
        title=_("referrals' timelines"),
        purpose=_("The referral's timeline: questions and answers, status changes"),
        legal_basis=NEWCOMER_CONSENT,
        recipients=_("the programme's coordinators and the advisor who referred the newcomer"),
        retention=_("as the referral; the texts are emptied with it"),
        fields={
            "kind": kept(Category.PROGRAMME, FOR_REPORTS),
            "from_status": kept(Category.PROGRAMME, FOR_REPORTS),
            "to_status": kept(Category.PROGRAMME, FOR_REPORTS),
            "text": emptied(Category.FREE_TEXT),
            "created_by": STAFF_LINK,
            "created_at": kept(Category.PROGRAMME, FOR_REPORTS),
        },
        paths={Subject.NEWCOMER: "referral"},
        anonymised_with=Subject.NEWCOMER,
    ),
    Entry(
        "newcomers.Tandem",
        (Subject.NEWCOMER, Subject.MENTOR),
        purpose=_("Proposing, starting, accompanying and closing a tandem"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_(
            "Texts emptied %(RETENTION_TANDEM_MONTHS)s months after the tandem ended (or the "
            "proposal was declined), or with the referral."
        ),
        fields={
            "status": kept(Category.PROGRAMME, FOR_REPORTS),
            "proposed_by": STAFF_LINK,
            "proposed_at": kept(Category.PROGRAMME),
            "answered_at": kept(Category.PROGRAMME),
            "decline_reason": emptied(Category.FREE_TEXT),
            "first_meeting_at": kept(Category.PROGRAMME, FOR_REPORTS),
            "first_meeting_place": emptied(Category.FREE_TEXT),
            "first_meeting_attendees": kept(Category.PROGRAMME),
            "started_on": kept(Category.PROGRAMME, FOR_REPORTS),
            "agreement_areas": kept(Category.PROFILE),
            "agreement_contents": emptied(Category.FREE_TEXT),
            "expected_duration": emptied(Category.FREE_TEXT),
            "meeting_places": emptied(Category.FREE_TEXT),
            "frequency": emptied(Category.FREE_TEXT),
            "ended_on": kept(Category.PROGRAMME, FOR_REPORTS),
            "end_reason": kept(Category.PROGRAMME, FOR_REPORTS),
            "closing_conversation": kept(Category.PROGRAMME),
            "end_note": emptied(Category.FREE_TEXT),
        },
        not_personal={
            "updated_at": TECHNICAL_TIME,
            **dict.fromkeys(["contact_count", "last_contact_on", "next_contact_due"], SUMMARY),
        },
        paths={Subject.NEWCOMER: "referral", Subject.MENTOR: "mentor"},
        anonymised_with=Subject.NEWCOMER,
    ),
    Entry(
        "newcomers.SupportContact",
        (Subject.NEWCOMER, Subject.MENTOR),
        title=_("support contacts"),
        purpose=_("The coordinators' follow-up contacts with a tandem"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the tandem"),
        fields={
            "contacted_on": kept(Category.PROGRAMME),
            "with_whom": kept(Category.PROGRAMME),
            "channel": kept(Category.PROGRAMME),
            "rating": kept(Category.PROGRAMME),
            "early_check": kept(Category.PROGRAMME),
            "concern": kept(Category.PROGRAMME),
            "notes": emptied(Category.FREE_TEXT),
            "recorded_by": STAFF_LINK,
            "created_at": kept(Category.PROGRAMME),
        },
        paths={Subject.NEWCOMER: "tandem__referral", Subject.MENTOR: "tandem__mentor"},
        anonymised_with=Subject.NEWCOMER,
    ),
    Entry(
        "newcomers.TandemNote",
        (Subject.NEWCOMER, Subject.MENTOR),
        purpose=_("The coordinators' notes on a tandem"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the tandem; the texts are emptied with it"),
        fields={
            "text": emptied(Category.FREE_TEXT),
            "created_by": STAFF_LINK,
            "created_at": kept(Category.PROGRAMME),
        },
        paths={Subject.NEWCOMER: "tandem__referral", Subject.MENTOR: "tandem__mentor"},
        anonymised_with=Subject.NEWCOMER,
    ),
    Entry(
        "newcomers.FollowUp",
        (Subject.NEWCOMER, Subject.MENTOR),
        purpose=_(
            "The coordinators' follow-ups (Wiedervorlagen): when to look at a mentor, a "
            "referral or a tandem again, and why"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_(
            "as the record it is about; the texts are emptied with the referral, the tandem or "
            "the mentor's record"
        ),
        fields={
            "due_on": kept(Category.PROGRAMME),
            "text": emptied(Category.FREE_TEXT),
            "created_by": STAFF_LINK,
            "created_at": kept(Category.PROGRAMME),
            "done_at": kept(Category.PROGRAMME),
            "done_by": STAFF_LINK,
        },
        paths={
            Subject.NEWCOMER: lambda referral: (
                models.Q(referral=referral.pk) | models.Q(tandem__referral=referral.pk)
            ),
            Subject.MENTOR: lambda mentor: (
                models.Q(mentor=mentor.pk) | models.Q(tandem__mentor=mentor.pk)
            ),
        },
        anonymised_with=Subject.NEWCOMER,
    ),
    # --- seminars -----------------------------------------------------------------------------
    Entry(
        "seminars.Invitation",
        (Subject.MENTOR,),
        title=_("invitations to seminars"),
        purpose=_("Inviting mentors to seminars and reflection meetings; attendance"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record (nothing in it identifies the mentor by itself)"),
        fields={
            "status": kept(Category.PROGRAMME, FOR_REPORTS),
            "language": kept(Category.PROFILE),
            "answered_at": kept(Category.PROGRAMME),
            "waiting_since": kept(Category.PROGRAMME),
            "reminded_at": kept(Category.PROGRAMME),
            "attended": kept(Category.PROGRAMME, FOR_REPORTS),
            "created_at": kept(Category.PROGRAMME),
        },
        paths={Subject.MENTOR: "mentor"},
    ),
    Entry(
        "seminars.Event",
        (Subject.FACILITATOR,),
        purpose=_("Organising seminars; the facilitator is named in the invitation"),
        legal_basis=_(
            "the city's task of organising the programme's seminars (Art. 6(1)(e) GDPR with "
            "§ 4 LDSG BW)"
        ),
        recipients=_("the coordinators and the mentors invited"),
        retention=_("as long as the event is kept"),
        fields={"facilitator": kept(Category.IDENTITY, _("named in the invitation"))},
        not_personal={
            "title": _("describes the event"),
            "type": _("describes the event"),
            "starts_at": _("describes the event"),
            "ends_at": _("describes the event"),
            "place": _("describes the event"),
            "online_link": _("describes the event"),
            "description": _("describes the event"),
            "audience": _("describes the event"),
            "cancelled_at": _("describes the event"),
            "created_at": TECHNICAL_TIME,
            "updated_at": TECHNICAL_TIME,
        },
    ),
    Entry(
        "seminars.CalendarFeed",
        (Subject.STAFF,),
        title=_("calendar subscriptions"),
        purpose=_("A coordinator's private calendar subscription"),
        legal_basis=STAFF_BASIS,
        recipients=_("the coordinator alone"),
        retention=_("until the coordinator revokes it"),
        fields={
            "user": STAFF_LINK,
            "token": deleted(Category.TECHNICAL, _("the secret address of the feed")),
            "created_at": deleted(Category.TECHNICAL),
        },
    ),
    # --- kernel -------------------------------------------------------------------------------
    Entry(
        "willkommen.User",
        (Subject.STAFF,),
        purpose=_("Accounts of coordinators, advisors and IT: signing in, roles, who did what"),
        legal_basis=STAFF_BASIS,
        recipients=IT_ONLY,
        retention=_(
            "Accounts are deactivated, not deleted, when someone leaves: the history names who "
            "did what."
        ),
        fields={
            "first_name": kept(Category.IDENTITY),
            "last_name": kept(Category.IDENTITY),
            "email": kept(Category.CONTACT),
            "password": kept(Category.TECHNICAL, _("a salted hash only")),
            "last_login": kept(Category.TECHNICAL),
            "date_joined": kept(Category.STAFF),
            "organisation": kept(Category.STAFF, _("advisors: the organisation they refer for")),
            "language": kept(Category.STAFF, _("the language of the mails they get")),
        },
    ),
    Entry(
        "willkommen.User_groups",
        (Subject.STAFF,),
        title=_("roles of the accounts"),
        purpose=_("Who holds which role"),
        legal_basis=STAFF_BASIS,
        recipients=IT_ONLY,
        retention=_("as the account"),
        fields={"user": STAFF_LINK, "group": kept(Category.STAFF)},
    ),
    Entry(
        "willkommen.User_user_permissions",
        (Subject.STAFF,),
        title=_("further permissions of the accounts"),
        purpose=_("Permissions given to one account beyond its role (e.g. reading the access log)"),
        legal_basis=STAFF_BASIS,
        recipients=IT_ONLY,
        retention=_("as the account"),
        fields={"user": STAFF_LINK, "permission": kept(Category.STAFF)},
    ),
    *[
        Entry(
            f"otp_{name}",
            (Subject.STAFF,),
            title=title,
            purpose=_("Second factor when signing in (authenticator app, one-time codes)"),
            legal_basis=SECURITY_BASIS,
            recipients=_("nobody; IT can remove a device"),
            retention=_("until the person or IT removes the device; deleted with the account"),
            fields={
                "user": STAFF_LINK,
                "name": kept(Category.TECHNICAL),
                "throttling_failure_timestamp": kept(Category.TECHNICAL),
                "created_at": kept(Category.TECHNICAL),
                "last_used_at": kept(Category.TECHNICAL),
                **extra,
            },
        )
        for name, title, extra in (
            (
                "totp.TOTPDevice",
                _("authenticator apps"),
                {"key": kept(Category.TECHNICAL, _("the secret of the app"))},
            ),
            ("static.StaticDevice", _("sets of one-time codes"), {}),
        )
    ],
    Entry(
        "otp_static.StaticToken",
        (Subject.STAFF,),
        title=_("one-time codes"),
        purpose=_("Second factor when signing in (authenticator app, one-time codes)"),
        legal_basis=SECURITY_BASIS,
        recipients=_("nobody; IT can remove a device"),
        retention=_("deleted when used"),
        fields={"token": deleted(Category.TECHNICAL, _("a one-time code"))},
    ),
    Entry(
        "willkommen.QueuedMail",
        (Subject.MENTOR, Subject.STAFF),
        title=_("emails (outbox)"),
        purpose=_("Delivering the programme's emails (the outbox)"),
        legal_basis=CONSENT_AND_TASK,
        recipients=_("the recipient; the coordinators see mails that could not be delivered"),
        retention=_(
            "Sent or given-up mails are deleted %(RETENTION_MAIL_DAYS)s days after they were "
            "queued; mails to a person whose data are anonymised, at once."
        ),
        fields={
            "to": deleted(Category.CONTACT),
            "subject": deleted(Category.MAIL),
            "body": deleted(Category.MAIL),
            "attachment_name": deleted(Category.MAIL),
            "attachment": deleted(Category.MAIL),
            "unsubscribe_url": deleted(Category.MAIL),
            "created_at": deleted(Category.MAIL),
            "sent_at": deleted(Category.MAIL),
            "last_error": deleted(Category.MAIL, _("the mail server's answer")),
        },
        not_personal={"next_attempt_at": _("technical: when the worker tries again")},
        paths={Subject.MENTOR: _mails_to},
    ),
    Entry(
        "willkommen.RateLimit",
        (Subject.VISITOR,),
        title=_("counts of the form protection"),
        purpose=_("Limiting how often a form is sent from one client or for one address"),
        legal_basis=SECURITY_BASIS,
        recipients=_("nobody"),
        retention=_("deleted when its window closes (an hour at most)"),
        fields={
            "digest": deleted(Category.TECHNICAL, _("a keyed hash, never the address itself")),
            "expires_at": deleted(Category.TECHNICAL),
        },
        not_personal={"scope": _("the name of the limit")},
    ),
    Entry(
        "willkommen.ConsentWithdrawal",
        (Subject.MENTOR, Subject.NEWCOMER),
        title=_("withdrawals of consent"),
        purpose=_("Proof that and when a person withdrew their consent"),
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=COORDINATORS,
        retention=_("kept; it holds only the number of the person's record"),
        fields={
            "withdrawn_at": kept(Category.CONSENT, PROOF_OF_CONSENT),
            "via": kept(Category.CONSENT),
            "recorded_by": STAFF_LINK,
        },
        not_personal={"subject": _("the kind of record")},
        paths={
            Subject.MENTOR: _records_of("mentor"),
            Subject.NEWCOMER: _records_of("referral"),
        },
    ),
    Entry(
        "willkommen.SupportArea",
        (),
        purpose=_("The list of support areas"),
        legal_basis=_("none needed: no personal data"),
        recipients=_("everyone"),
        retention=_("no personal data"),
        fields={},
        not_personal={
            "slug": _("a vocabulary"),
            "name": _("a vocabulary"),
            "name_en": _("a vocabulary"),
        },
    ),
    Entry(
        "willkommen.Organisation",
        (),
        purpose=_("The organisations whose advisors refer newcomers"),
        legal_basis=_("none needed: no personal data"),
        recipients=_("the programme's coordinators"),
        retention=_("no personal data"),
        fields={},
        not_personal={
            "slug": _("the name of an organisation"),
            "name": _("the name of an organisation"),
        },
    ),
    # --- data protection itself ---------------------------------------------------------------
    Entry(
        "overview.ErasureRecord",
        (Subject.STAFF,),
        title=_("erasure records"),
        purpose=_("Proof that a record was anonymised: when, by whom, why"),
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=COORDINATORS,
        retention=_("kept; it holds only the number of the anonymised record"),
        fields={
            "by": STAFF_LINK,
            "anonymised_at": kept(Category.PROGRAMME),
            "history_removed_at": kept(Category.PROGRAMME),
        },
        not_personal={"kind": _("the kind of record"), "reason": _("a category")},
    ),
    Entry(
        "overview.AccessLogEntry",
        (Subject.STAFF, Subject.MENTOR, Subject.NEWCOMER),
        title=_("access log"),
        purpose=_("Who opened or exported whose data (access log)"),
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=_("people with the permission to read the access log"),
        retention=_("deleted after %(RETENTION_ACCESS_LOG_MONTHS)s months"),
        fields={
            "user": STAFF_LINK,
            "at": deleted(Category.STAFF),
            "path": deleted(Category.STAFF, _("the page's address: a record's number")),
        },
        not_personal={"action": _("a category"), "kind": _("the kind of record")},
    ),
    # --- mentors' engagement (willkommen/overview/engagement.py) -------------------------------
    Entry(
        "overview.HoursReport",
        (Subject.MENTOR,),
        title=_("mentors' hours"),
        purpose=_(
            "The hours mentors report month by month, for their certificate of volunteering, "
            "for recognition (Ehrenamtskarte) and for the programme's figures"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record; the notes are emptied with it"),
        fields={
            "month": kept(Category.PROGRAMME, FOR_REPORTS),
            "hours": kept(Category.PROGRAMME, FOR_REPORTS),
            "areas": kept(Category.PROFILE, FOR_REPORTS),
            "note": emptied(Category.FREE_TEXT),
            "sent_at": kept(Category.PROGRAMME),
            "answered_at": kept(Category.PROGRAMME),
        },
        paths={Subject.MENTOR: "mentor"},
    ),
    Entry(
        "overview.CheckIn",
        (Subject.MENTOR, Subject.NEWCOMER),
        title=_("check-ins on tandems"),
        purpose=_(
            "Asking mentors by e-mail link how their tandem is going, so that the coordination "
            "knows whom to call"
        ),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the tandem; the notes are emptied with it"),
        fields={
            "due_on": kept(Category.PROGRAMME),
            "kind": kept(Category.PROGRAMME),
            "sent_at": kept(Category.PROGRAMME),
            "answered_at": kept(Category.PROGRAMME),
            "rating": kept(Category.PROGRAMME),
            "note": emptied(Category.FREE_TEXT),
            "call_me": kept(Category.PROGRAMME),
            "contact": kept(Category.PROGRAMME, _("the support contact recorded from the answer")),
            "handled_at": kept(Category.PROGRAMME),
            "handled_by": STAFF_LINK,
        },
        paths={Subject.NEWCOMER: "tandem__referral", Subject.MENTOR: "tandem__mentor"},
    ),
    Entry(
        "overview.RenewalReminder",
        (Subject.MENTOR,),
        title=_("reminders to renew the police certificate"),
        purpose=_("Reminding mentors once per certificate to renew their police certificate"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record"),
        fields={
            "valid_until": kept(Category.PROGRAMME),
            "sent_at": kept(Category.PROGRAMME),
        },
        paths={Subject.MENTOR: "mentor"},
    ),
    Entry(
        "overview.CertificateRequest",
        (Subject.MENTOR,),
        title=_("requests for a certificate of volunteering"),
        purpose=_("A mentor asked by link for a certificate of volunteering"),
        legal_basis=CONSENT_AND_TASK,
        recipients=COORDINATORS,
        retention=_("as the mentor's record"),
        fields={"requested_at": kept(Category.PROGRAMME)},
        paths={Subject.MENTOR: "mentor"},
    ),
    # --- libraries ----------------------------------------------------------------------------
    Entry(
        "admin.LogEntry",
        (Subject.STAFF, Subject.MENTOR, Subject.NEWCOMER),
        title=_("log of the administration"),
        purpose=_("What IT changed in the administration"),
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=IT_ONLY,
        retention=_("kept; the name of an anonymised record is replaced in it"),
        fields={
            "action_time": kept(Category.STAFF),
            "user": STAFF_LINK,
            "object_id": kept(Category.STAFF),
            "object_repr": Field(Category.IDENTITY, Treatment.PLACEHOLDER),
            "change_message": emptied(Category.STAFF),
        },
    ),
    Entry(
        "sessions.Session",
        (Subject.STAFF,),
        title=_("sessions"),
        purpose=_("Keeping a person signed in"),
        legal_basis=SECURITY_BASIS,
        recipients=_("nobody"),
        retention=_("deleted when it expires (at most ten hours)"),
        fields={
            "session_key": deleted(Category.TECHNICAL),
            "session_data": deleted(Category.TECHNICAL),
            "expire_date": deleted(Category.TECHNICAL),
        },
    ),
    *[
        Entry(
            f"axes.{name}",
            (Subject.STAFF, Subject.VISITOR),
            title=title,
            purpose=_("Protecting the sign-in against guessing passwords"),
            legal_basis=SECURITY_BASIS,
            recipients=IT_ONLY,
            retention=_("deleted after %(RETENTION_LOGIN_LOG_DAYS)s days"),
            fields={
                **{
                    name: deleted(Category.TECHNICAL)
                    for name in (
                        "user_agent",
                        "ip_address",
                        "username",
                        "http_accept",
                        "path_info",
                        "attempt_time",
                    )
                },
                **extra,
            },
        )
        for name, title, extra in (
            (
                "AccessLog",
                _("sign-ins"),
                {
                    "logout_time": deleted(Category.TECHNICAL),
                    "session_hash": deleted(Category.TECHNICAL),
                },
            ),
            ("AccessFailureLog", _("failed sign-ins"), {}),
            (
                "AccessAttempt",
                _("sign-in attempts"),
                {"get_data": deleted(Category.TECHNICAL), "post_data": deleted(Category.TECHNICAL)},
            ),
        )
    ],
    Entry(
        "axes.AccessAttemptExpiration",
        (Subject.STAFF,),
        title=_("sign-in attempts: expiry"),
        purpose=_("Protecting the sign-in against guessing passwords"),
        legal_basis=SECURITY_BASIS,
        recipients=IT_ONLY,
        retention=_("deleted with its attempt"),
        fields={"expires_at": deleted(Category.TECHNICAL)},
    ),
    Entry(
        "pghistory.Context",
        (Subject.STAFF,),
        title=_("change history: who and where"),
        purpose=_("The change history: who changed something, on which page or by which command"),
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=IT_ONLY,
        retention=_("kept with the history"),
        fields={
            "metadata": kept(Category.STAFF, _("the account's number and the page's address")),
            "created_at": kept(Category.STAFF),
            "updated_at": kept(Category.STAFF),
        },
    ),
]
# Models that cannot hold personal data at all, with the reason (the test reads it).
NOT_PERSONAL_MODELS = {
    "auth.Group": _("the names of roles"),
    "auth.Permission": _("the names of permissions"),
    "auth.Group_permissions": _("which role has which permission"),
    "contenttypes.ContentType": _("the names of models"),
    "pghistory.Events": _("a database view over the history tables registered here"),
    "pghistory.MiddlewareEvents": _("a database view over the history tables registered here"),
}

_BY_MODEL = {entry.model: entry for entry in REGISTRY}

# Settings whose values the retention texts name.
RETENTION_SETTINGS = [
    "MENTOR_CONFIRMATION_DAYS",
    "RETENTION_APPLICANT_MONTHS",
    "RETENTION_MENTOR_MONTHS",
    "RETENTION_REFERRAL_CLOSED_MONTHS",
    "RETENTION_TANDEM_MONTHS",
    "RETENTION_MAIL_DAYS",
    "RETENTION_HISTORY_MONTHS",
    "RETENTION_ACCESS_LOG_MONTHS",
    "RETENTION_LOGIN_LOG_DAYS",
]


def retention_text(entry: Entry) -> str:
    return str(entry.retention) % {name: getattr(settings, name) for name in RETENTION_SETTINGS}


def is_history_model(model) -> bool:
    return issubclass(model, HistoryEvent) and not model._meta.abstract


def _history_path(path):
    """A history row copies its tracked row's fields; the tracked row itself is `pgh_obj`."""
    return "pgh_obj" if path == "pk" else path


def entry_for(model) -> Entry | None:
    """The registry's entry for `model`, derived from the tracked model for a history model."""
    if not is_history_model(model):
        return _BY_MODEL.get(model._meta.label)
    tracked = _BY_MODEL.get(model.pgh_tracked_model._meta.label)
    if tracked is None:
        return None
    present = {f.name for f in model._meta.get_fields()}
    return replace(
        tracked,
        model=model._meta.label,
        purpose=_("Change history (who changed what, when): %(purpose)s")
        % {"purpose": tracked.purpose},
        legal_basis=ACCOUNTABILITY_BASIS,
        recipients=_("the programme's coordinators (the history of changes)"),
        retention=_(
            "as the record; once it is anonymised, its history is anonymised too and "
            "deleted %(RETENTION_HISTORY_MONTHS)s months later"
        ),
        fields={name: spec for name, spec in tracked.fields.items() if name in present},
        not_personal={
            **{name: why for name, why in tracked.not_personal.items() if name in present},
            **{
                f.name: _("the history's own bookkeeping")
                for f in model._meta.concrete_fields
                if f.name.startswith("pgh_")
            },
        },
        paths={
            subject: path if callable(path) else _history_path(path)
            for subject, path in tracked.paths.items()
        },
        history_of=tracked.model,
        title=_("change history: %(title)s") % {"title": tracked.heading},
    )


def all_entries() -> list[Entry]:
    """The registry with the derived entries of every history model, in a stable order."""
    history = [
        entry_for(model)
        for model in apps.get_models()
        if is_history_model(model) and entry_for(model) is not None
    ]
    return REGISTRY + sorted(history, key=lambda entry: entry.model)


def _emptied(model_field):
    if model_field.null:
        return None
    if isinstance(model_field, ArrayField):
        return models.Value([], output_field=model_field)
    return ""


def anonymised_values(entry: Entry) -> dict:
    """{field: value or expression} that anonymisation writes into `entry`'s model."""
    model = entry.model_class
    values = {}
    for name, spec in entry.fields.items():
        if spec.value is not None:
            values[name] = spec.value
        elif spec.treatment == Treatment.PLACEHOLDER:
            values[name] = PLACEHOLDER
        elif spec.treatment == Treatment.EMPTIED:
            values[name] = _emptied(model._meta.get_field(name))
        elif spec.treatment == Treatment.YEAR_ONLY:
            values[name] = TruncYear(name, output_field=models.DateField())
    return values


def anonymisation(subject: Subject) -> dict[type[models.Model], dict]:
    """What anonymising one person of `subject` writes, model by model: the values the app
    services (mentors.services.mentor_anonymise, newcomers.services.referral_anonymise …)
    apply to that person's rows."""
    return {
        entry.model_class: anonymised_values(entry)
        for entry in all_entries()
        if entry.anonymised_with == subject and anonymised_values(entry)
    }


def person_rows(entry: Entry, subject: Subject, person):
    """The rows of `entry`'s model that belong to `person` (a Mentor or a Referral)."""
    path = entry.paths[subject]
    condition = path(person) if callable(path) else models.Q(**{path: person.pk})
    return entry.model_class._default_manager.filter(condition)
