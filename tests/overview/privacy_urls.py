"""The project's URLs with the data protection pages and the mentors' withdrawal link, as
willkommen/urls.py and mentors/urls.py will have them (for @pytest.mark.urls until then; once
both have them this adds nothing, and the marks can go)."""

from django.urls import URLResolver, include, path

from mentors.urls import urlpatterns as mentors_urlpatterns
from mentors.views import consent
from willkommen.overview.urls import mentor_urlpatterns
from willkommen.urls import handler500  # noqa: F401 - the project's error page
from willkommen.urls import urlpatterns as project_urlpatterns


def _namespace(pattern):
    return pattern.namespace if isinstance(pattern, URLResolver) else None


withdraw = path(
    "datenschutz/widerruf/<str:token>/", consent.withdraw_consent, name="withdraw_consent"
)
mentors = list(mentors_urlpatterns)
if not any(getattr(pattern, "name", None) == "withdraw_consent" for pattern in mentors):
    mentors.append(withdraw)
urlpatterns = [
    *[pattern for pattern in project_urlpatterns if _namespace(pattern) != "mentors"],
    path("", include((mentors + mentor_urlpatterns, "mentors"))),
]
if not any(_namespace(pattern) == "privacy" for pattern in project_urlpatterns):
    urlpatterns.append(path("", include("willkommen.overview.privacy.urls")))
