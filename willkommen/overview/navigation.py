"""The navigation of each role: one list per role, in the order people work through it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from willkommen.core.roles import is_advisor, is_coordinator

# (label, URL name, URL namespaces or names that count as "this section")
COORDINATOR_NAVIGATION = [
    (_("Overview"), "dashboard", {"dashboard"}),
    (_("Mentors"), "mentors:list", {"mentors"}),
    (_("Referrals"), "newcomers:referral_list", {"newcomers:referral_list"}),
    (_("Tandems"), "newcomers:tandem_list", {"newcomers:tandem_list"}),
    (_("Seminars"), "seminars:list", {"seminars"}),
    (_("Engagement"), "engagement_list", {"engagement_list", "engagement_certificate"}),
    (_("Reports"), "reports", {"reports"}),
    (_("Data protection"), "privacy:index", {"privacy"}),
    (_("Support areas"), "support_areas:list", {"support_areas"}),
    (_("Organisations"), "organisations:list", {"organisations"}),
    (_("Accounts"), "accounts:list", {"accounts"}),
]
ADVISOR_NAVIGATION = [
    (_("My referrals"), "newcomers:my_referrals", {"newcomers:my_referrals"}),
]


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)  # none on a request refused before authentication
    if user is None:
        return []
    if is_coordinator(user):
        entries = COORDINATOR_NAVIGATION
    elif is_advisor(user):
        entries = ADVISOR_NAVIGATION
    else:
        return []
    match = request.resolver_match
    here = {match.namespace, match.view_name} if match else set()
    return [
        {"label": label, "url": reverse(name), "current": bool(here & sections)}
        for label, name, sections in entries
    ]


def home_url_for(user) -> str:
    """Where a signed-in person starts: their role's overview."""
    if is_coordinator(user):
        return reverse("dashboard")
    if is_advisor(user):
        return reverse("newcomers:my_referrals")
    return reverse("landing")
