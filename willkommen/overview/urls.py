from django.urls import path

from willkommen.overview import engagement_views as engagement
from willkommen.overview import mentor_page, messages_views, views

# Joined into the "mentors" namespace by the project URLconf: the mentor's page shows what
# every app knows of the mentor, so it is composed here, above the apps.
mentor_urlpatterns = [
    path("koordination/paten/<int:pk>/", mentor_page.mentor_detail, name="detail"),
    # actions on the mentors ticked in the list; inviting them reaches into the seminars
    path("koordination/paten/auswahl/", messages_views.mentor_bulk, name="bulk"),
    path("koordination/paten/einladen/", messages_views.mentor_bulk_invite, name="bulk_invite"),
]

# The overview's own pages, without a namespace like the dashboard and the reports: joined into
# the project URLconf as they are (`*overview_urlpatterns`).
overview_urlpatterns = [
    path("koordination/suche/", views.search, name="search"),
    # Mentors' engagement: the mentors' links (no account), then the coordinators' pages.
    path("engagement/stunden/<str:token>/", engagement.hours_page, name="engagement_hours"),
    path("engagement/check-in/<str:token>/", engagement.check_in_page, name="engagement_check_in"),
    path(
        "engagement/nachweis-anfordern/<str:token>/",
        engagement.certificate_request_page,
        name="engagement_certificate_request",
    ),
    path(
        "engagement/nachweis/<str:token>/",
        engagement.certificate_link_page,
        name="engagement_certificate_link",
    ),
    path("koordination/engagement/", engagement.hours_list, name="engagement_list"),
    path(
        "koordination/paten/<int:pk>/engagementnachweis/",
        engagement.certificate_page,
        name="engagement_certificate",
    ),
    path("koordination/check-ins/", engagement.check_in_list, name="engagement_check_ins"),
    path(
        "koordination/check-ins/<int:pk>/erledigt/",
        engagement.check_in_done_view,
        name="engagement_check_in_done",
    ),
]
