"""The access log: who opened or exported whose data.

A middleware writes one AccessLogEntry for each successful GET of a page named in
LOGGED_PAGES, by URL name, so that the pages themselves need not know about it. Entries are
never changed (a database trigger refuses it) and are deleted by the retention run after
RETENTION_ACCESS_LOG_MONTHS. Reading them needs the permission VIEW_ACCESS_LOG.
"""

from willkommen.overview.models import AccessAction, AccessLogEntry, RecordKind

VIEW_ACCESS_LOG = "overview.view_accesslogentry"

# URL name: (kind of record whose number is the URL's `pk`, what was done)
LOGGED_PAGES = {
    "mentors:detail": (RecordKind.MENTOR, AccessAction.VIEW),
    "mentors:edit": (RecordKind.MENTOR, AccessAction.VIEW),
    "mentors:history": (RecordKind.MENTOR, AccessAction.VIEW),
    "newcomers:referral_detail": (RecordKind.REFERRAL, AccessAction.VIEW),
    "newcomers:my_referral": (RecordKind.REFERRAL, AccessAction.VIEW),
    "newcomers:referral_edit": (RecordKind.REFERRAL, AccessAction.VIEW),
    "newcomers:tandem_detail": (RecordKind.TANDEM, AccessAction.VIEW),
    "privacy:mentor": (RecordKind.MENTOR, AccessAction.VIEW),
    "privacy:referral": (RecordKind.REFERRAL, AccessAction.VIEW),
    "privacy:mentor_export": (RecordKind.MENTOR, AccessAction.EXPORT),
    "privacy:referral_export": (RecordKind.REFERRAL, AccessAction.EXPORT),
    # whole lists, with everyone in them
    "mentors:export": (RecordKind.MENTOR, AccessAction.LIST_EXPORT),
    "newcomers:referral_export": (RecordKind.REFERRAL, AccessAction.LIST_EXPORT),
}
PATH_LENGTH = AccessLogEntry._meta.get_field("path").max_length


def access_log(get_response):
    """Middleware: log the pages of LOGGED_PAGES that were shown (status 200) to someone
    signed in. The query string is left out: a search may hold a name."""

    def middleware(request):
        response = get_response(request)
        match = request.resolver_match
        logged = LOGGED_PAGES.get(match.view_name) if match else None
        user = getattr(request, "user", None)
        if (
            logged
            and request.method == "GET"
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
        ):
            kind, action = logged
            AccessLogEntry.objects.create(
                user=user,
                action=action,
                kind=kind,
                object_id=match.kwargs.get("pk"),
                path=request.path[:PATH_LENGTH],
            )
        return response

    return middleware
