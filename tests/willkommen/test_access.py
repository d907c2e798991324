"""Who gets what at every URL: a URL that nobody classified here fails the test."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mentors.services import confirmation_token, unsubscribe_token, withdrawal_token
from newcomers.services import tandem_answer_token
from seminars.services import answer_token
from tests.factories import (
    MentorFactory,
    ReferralFactory,
    UserFactory,
    an_invitation,
    proposed_tandem,
)
from willkommen.core.models import Organisation, SupportArea, User
from willkommen.core.roles import REFER

LOGIN = "login"  # redirected to the login page
# name: (expected for anonymous, for an advisor, for a coordinator)
EXPECTED = {
    "landing": (200, 200, 200),
    "privacy": (200, 200, 200),
    "healthz": (200, 200, 200),
    "home": (LOGIN, 302, 302),
    "login": (200, 302, 302),
    "logout": (302, 302, 302),
    "logout_everywhere": (LOGIN, 302, 302),
    "password_reset": (200, 200, 200),
    "password_reset_done": (200, 200, 200),
    "password_reset_confirm": (200, 200, 200),
    "password_reset_complete": (200, 200, 200),
    "password_change": (LOGIN, 200, 200),
    "password_change_done": (LOGIN, 200, 200),
    "second_factor_verify": (LOGIN, 302, 302),  # nothing to ask: verified, or no app
    "second_factor_enrol": (LOGIN, 200, 302),  # the coordinator's app is set up
    "recovery_codes": (LOGIN, 302, 302),  # shown once, right after they were made
    "recovery_codes_renew": (LOGIN, 302, 302),
    "account": (LOGIN, 200, 200),
    "accounts:list": (LOGIN, 403, 200),
    "accounts:invite": (LOGIN, 403, 200),
    "accounts:detail": (LOGIN, 403, 200),
    "accounts:deactivate": (LOGIN, 403, 200),
    "accounts:reactivate": (LOGIN, 403, 200),
    "accounts:second_factor_reset": (LOGIN, 403, 200),
    "support_areas:list": (LOGIN, 403, 200),
    "support_areas:create": (LOGIN, 403, 200),
    "support_areas:edit": (LOGIN, 403, 200),
    "support_areas:retire": (LOGIN, 403, 200),
    "support_areas:restore": (LOGIN, 403, 200),
    "organisations:list": (LOGIN, 403, 200),
    "organisations:create": (LOGIN, 403, 200),
    "organisations:edit": (LOGIN, 403, 200),
    "organisations:deactivate": (LOGIN, 403, 200),
    "organisations:reactivate": (LOGIN, 403, 200),
    "accounts:referrals_hand_over": (LOGIN, 403, 200),
    "newcomers:referral_hand_over": (LOGIN, 403, 200),
    "set_language": (302, 302, 302),
    "dashboard": (LOGIN, 403, 200),
    "reports": (LOGIN, 403, 200),
    "search": (LOGIN, 403, 200),
    "privacy:index": (LOGIN, 403, 200),
    "privacy:register": (LOGIN, 403, 200),
    "privacy:access_log": (LOGIN, 403, 403),  # its own permission, given per account
    "privacy:consent_text": (LOGIN, 403, 200),
    "privacy:mentor": (LOGIN, 403, 200),
    "privacy:mentor_export": (LOGIN, 403, 200),
    "privacy:mentor_erase": (LOGIN, 403, 200),
    "privacy:mentor_withdraw": (LOGIN, 403, 200),
    "privacy:referral": (LOGIN, 403, 200),
    "privacy:referral_export": (LOGIN, 403, 200),
    "privacy:referral_erase": (LOGIN, 403, 200),
    "privacy:referral_withdraw": (LOGIN, 403, 200),
    "mentors:withdraw_consent": (200, 200, 200),
    "mail_failed": (LOGIN, 403, 200),
    "report_export": (LOGIN, 403, 200),
    "report_workbook": (LOGIN, 403, 200),
    "mentors:interest": (200, 200, 200),
    "mentors:interest_thanks": (200, 200, 200),
    "mentors:confirm": (200, 200, 200),
    "mentors:list": (LOGIN, 403, 200),
    "mentors:export": (LOGIN, 403, 200),
    "mentors:detail": (LOGIN, 403, 200),
    "mentors:edit": (LOGIN, 403, 200),
    "mentors:history": (LOGIN, 403, 200),
    "mentors:status": (LOGIN, 403, 302),
    "mentors:checklist": (LOGIN, 403, 302),
    "mentors:checklist_withdraw": (LOGIN, 403, 302),
    "mentors:note": (LOGIN, 403, 302),
    "mentors:message": (LOGIN, 403, 200),
    "mentors:message_segment": (LOGIN, 403, 200),
    "mentors:bulk": (LOGIN, 403, 302),
    "mentors:bulk_invite": (LOGIN, 403, 200),
    "mentors:unsubscribe": (200, 200, 200),
    "newcomers:referral_list": (LOGIN, 403, 200),
    "newcomers:tandem_list": (LOGIN, 403, 200),
    "newcomers:tandem_export": (LOGIN, 403, 200),
    "newcomers:my_referrals": (LOGIN, 200, 403),
    "newcomers:referral_create": (LOGIN, 200, 403),
    "newcomers:my_referral": (LOGIN, 200, 403),
    "newcomers:referral_edit": (LOGIN, 200, 403),
    "newcomers:referral_answer": (LOGIN, 302, 403),
    "newcomers:referral_withdraw": (LOGIN, 302, 403),
    "newcomers:referral_export": (LOGIN, 403, 200),
    "newcomers:referral_detail": (LOGIN, 403, 200),
    "newcomers:referral_triage": (LOGIN, 403, 302),
    "newcomers:tandem_propose": (LOGIN, 403, 302),
    "newcomers:tandem_detail": (LOGIN, 403, 200),
    "newcomers:tandem_answer": (200, 200, 200),
    "newcomers:mentor_suited_referrals": (LOGIN, 403, 200),
    "newcomers:mentor_propose": (LOGIN, 403, 302),
    "newcomers:referral_correct": (LOGIN, 403, 200),
    "newcomers:referral_note": (LOGIN, 403, 302),
    "newcomers:tandem_note": (LOGIN, 403, 302),
    "newcomers:support_contact_edit": (LOGIN, 403, 200),
    "newcomers:follow_up_add_referral": (LOGIN, 403, 302),
    "newcomers:follow_up_add_tandem": (LOGIN, 403, 302),
    "newcomers:follow_up_add_mentor": (LOGIN, 403, 302),
    "newcomers:follow_up_list": (LOGIN, 403, 200),
    "newcomers:follow_up_done": (LOGIN, 403, 302),
    "seminars:list": (LOGIN, 403, 200),
    "seminars:create": (LOGIN, 403, 200),
    "seminars:detail": (LOGIN, 403, 200),
    "seminars:edit": (LOGIN, 403, 200),
    "seminars:ics": (LOGIN, 403, 200),
    "seminars:sign_in_sheet": (LOGIN, 403, 200),
    "seminars:reflection_missing": (LOGIN, 403, 200),
    "seminars:queue_mentors": (LOGIN, 403, 200),
    "seminars:answer": (200, 200, 200),
    "seminars:calendar_feed": (LOGIN, 403, 200),
    "seminars:feed": (404, 404, 404),  # a token nobody holds
    "seminars:answer_ics": (200, 200, 200),
    "engagement_hours": (200, 200, 200),
    "engagement_check_in": (200, 200, 200),
    "engagement_certificate_request": (200, 200, 200),
    "engagement_certificate_link": (200, 200, 200),
    "engagement_list": (LOGIN, 403, 200),
    "engagement_certificate": (LOGIN, 403, 200),
    "engagement_check_ins": (LOGIN, 403, 200),
    "engagement_check_in_done": (LOGIN, 403, 302),
}
POST_ONLY = {
    "privacy:mentor_withdraw",
    "privacy:referral_withdraw",
    "logout",
    "logout_everywhere",
    "set_language",
    "recovery_codes_renew",
    "mentors:status",
    "mentors:checklist",
    "mentors:checklist_withdraw",
    "mentors:note",
    "mentors:bulk",
    "newcomers:referral_answer",
    "newcomers:referral_withdraw",
    "newcomers:referral_triage",
    "newcomers:tandem_propose",
    "newcomers:mentor_propose",
    "newcomers:referral_note",
    "newcomers:tandem_note",
    "newcomers:follow_up_add_referral",
    "newcomers:follow_up_add_tandem",
    "newcomers:follow_up_add_mentor",
    "newcomers:follow_up_done",
    "engagement_check_in_done",
}


def a_mentor(user):
    return {"pk": MentorFactory().pk}


def a_referral(user):
    """A referral of the requesting advisor, if an advisor asks (others get someone else's)."""
    own = user is not None and user.has_perm(REFER) and not user.is_superuser
    return {"pk": (ReferralFactory(advisor=user) if own else ReferralFactory()).pk}


def a_support_area(user, *, active=True):
    area = SupportArea.objects.get(slug="leisure")
    SupportArea.objects.filter(pk=area.pk).update(active=active)
    return {"pk": area.pk}


def an_organisation(user, *, active=True):
    name = f"Beratungsstelle {Organisation.objects.count()}"
    return {"pk": Organisation.objects.create(slug=name.lower(), name=name, active=active).pk}


def an_account(user, **fields):
    return {"pk": UserFactory(**fields).pk}


def a_support_contact(user):
    from tests.factories import active_tandem

    tandem = active_tandem(started_days_ago=20, contacts_days_ago=[5])
    return {"pk": tandem.pk, "contact_pk": tandem.contacts.get().pk}


def a_follow_up(user):
    from django.utils import timezone

    from newcomers.models import FollowUp

    follow_up = FollowUp.objects.create(
        referral=ReferralFactory(), due_on=timezone.localdate(), text="Anrufen",
        created_by=UserFactory(),
    )  # fmt: skip
    return {"pk": follow_up.pk}


def an_engagement_link(kind):
    """A mentor's engagement link (willkommen/overview/engagement.py) of `kind`, or for
    "answered" the number of a check-in answered with "please call me"."""
    from django.utils import timezone

    from tests.factories import active_tandem
    from willkommen.overview import engagement
    from willkommen.overview.models import CheckIn, HoursReport

    mentor, today = MentorFactory(), timezone.localdate()
    if kind == "hours":
        report = HoursReport.objects.create(mentor=mentor, month=today.replace(day=1))
        return {"token": engagement.hours_token(report)}
    if kind == "request":
        return {"token": engagement.certificate_request_token(mentor)}
    if kind == "certificate":
        return {"token": engagement.certificate_token(mentor, today)}
    check_in = CheckIn.objects.create(
        tandem=active_tandem(started_days_ago=40), due_on=today, kind="regular"
    )
    if kind == "answered":
        engagement.check_in_answer(check_in=check_in, rating=4, call_me=True)
        return {"pk": check_in.pk}
    return {"token": engagement.check_in_token(check_in)}


# URL arguments, made fresh for each request (some need an object in the database).
SAMPLE_KWARGS = {
    "privacy:consent_text": lambda user: {"kind": "privacy-notice", "version": "2026-11"},
    "privacy:mentor": a_mentor,
    "privacy:mentor_erase": a_mentor,
    "privacy:mentor_withdraw": a_mentor,
    "privacy:mentor_export": lambda user: {**a_mentor(user), "fmt": "html"},
    "privacy:referral": a_referral,
    "privacy:referral_erase": a_referral,
    "privacy:referral_withdraw": a_referral,
    "privacy:referral_export": lambda user: {**a_referral(user), "fmt": "json"},
    "mentors:withdraw_consent": lambda user: {"token": withdrawal_token(MentorFactory())},
    "password_reset_confirm": lambda user: {"uidb64": "MQ", "token": "set-password"},
    "report_export": lambda user: {"key": "mentors", "fmt": "xlsx"},
    "accounts:detail": an_account,
    "accounts:deactivate": an_account,
    "accounts:reactivate": lambda user: an_account(user, is_active=False),
    "accounts:second_factor_reset": an_account,
    "support_areas:edit": a_support_area,
    "support_areas:retire": a_support_area,
    "support_areas:restore": lambda user: a_support_area(user, active=False),
    "organisations:edit": an_organisation,
    "organisations:deactivate": an_organisation,
    "organisations:reactivate": lambda user: an_organisation(user, active=False),
    "accounts:referrals_hand_over": an_account,
    "newcomers:referral_hand_over": a_referral,
    "mentors:confirm": lambda user: {
        "token": confirmation_token(MentorFactory(email_confirmed_at=None))
    },
    "mentors:detail": a_mentor,
    "mentors:edit": a_mentor,
    "mentors:history": a_mentor,
    "mentors:status": a_mentor,
    "mentors:checklist": a_mentor,
    "mentors:checklist_withdraw": lambda user: {**a_mentor(user), "item": "agreement"},
    "mentors:note": a_mentor,
    "mentors:message": a_mentor,
    "mentors:unsubscribe": lambda user: {"token": unsubscribe_token(MentorFactory())},
    "newcomers:my_referral": a_referral,
    "newcomers:referral_edit": a_referral,
    "newcomers:referral_answer": a_referral,
    "newcomers:referral_withdraw": a_referral,
    "newcomers:referral_detail": a_referral,
    "newcomers:referral_triage": a_referral,
    "newcomers:tandem_propose": a_referral,
    "newcomers:tandem_detail": lambda user: {"pk": proposed_tandem().pk},
    "newcomers:mentor_suited_referrals": a_mentor,
    "newcomers:mentor_propose": lambda user: {
        **a_mentor(user),
        "referral_pk": a_referral(user)["pk"],
    },
    "seminars:detail": lambda user: {"pk": an_invitation().event_id},
    "seminars:edit": lambda user: {"pk": an_invitation().event_id},
    "seminars:ics": lambda user: {"pk": an_invitation().event_id},
    "seminars:sign_in_sheet": lambda user: {"pk": an_invitation().event_id},
    "seminars:answer": lambda user: {"token": answer_token(an_invitation())},
    "seminars:answer_ics": lambda user: {"token": answer_token(an_invitation())},
    "seminars:feed": lambda user: {"token": "not-a-token"},
    "newcomers:tandem_answer": lambda user: {"token": tandem_answer_token(proposed_tandem())},
    "newcomers:referral_correct": a_referral,
    "newcomers:referral_note": a_referral,
    "newcomers:tandem_note": lambda user: {"pk": proposed_tandem().pk},
    "newcomers:support_contact_edit": a_support_contact,
    "newcomers:follow_up_add_referral": a_referral,
    "newcomers:follow_up_add_tandem": lambda user: {"pk": proposed_tandem().pk},
    "newcomers:follow_up_add_mentor": a_mentor,
    "newcomers:follow_up_done": a_follow_up,
    "engagement_hours": lambda user: an_engagement_link("hours"),
    "engagement_check_in": lambda user: an_engagement_link("check_in"),
    "engagement_certificate_request": lambda user: an_engagement_link("request"),
    "engagement_certificate_link": lambda user: an_engagement_link("certificate"),
    "engagement_certificate": a_mentor,
    "engagement_check_in_done": lambda user: {"pk": an_engagement_link("answered")["pk"]},
}
# The Django admin is for superusers (IT) only; nobody else may get past its login.
ADMIN_SAMPLE_KWARGS = {
    "app_label": "willkommen",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "user_id": "1",
    "pk": "1",
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def test_every_url_is_classified():
    names = {name for name, _ in url_names() if not name.startswith("admin:")}
    assert names - EXPECTED.keys() == set(), "classify these URLs in EXPECTED"
    assert EXPECTED.keys() - names == set(), "these classified URLs no longer exist"


def fetch(client, name):
    user = client.session.get("_auth_user_id") and User.objects.get(
        pk=client.session["_auth_user_id"]
    )
    kwargs = SAMPLE_KWARGS[name](user or None) if name in SAMPLE_KWARGS else None
    url = reverse(name, kwargs=kwargs)
    return client.post(url) if name in POST_ONLY else client.get(url)


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", EXPECTED)
def test_anonymous_access(client, db, name):
    check(fetch(client, name), EXPECTED[name][0])


@pytest.mark.parametrize("name", EXPECTED)
def test_advisor_access(advisor_client, name):
    check(fetch(advisor_client, name), EXPECTED[name][1])


@pytest.mark.parametrize("name", EXPECTED)
def test_coordinator_access(coordinator_client, name):
    check(fetch(coordinator_client, name), EXPECTED[name][2])


def admin_urls():
    for name, pattern in url_names():
        if name.startswith("admin:") and name != "admin:login":
            kwargs = {key: ADMIN_SAMPLE_KWARGS[key] for key in pattern.pattern.regex.groupindex}
            yield reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role_client", ["client", "advisor_client", "coordinator_client"])
def test_admin_is_closed_to_everyone_but_superusers(request, db, role_client):
    client = request.getfixturevalue(role_client)
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/"), url
            assert "login" in response["Location"] or response["Location"] == "/admin/", url


def test_superuser_reaches_the_admin(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/willkommen/user/").status_code == 200
