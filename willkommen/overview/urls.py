from django.urls import path

from willkommen.overview import mentor_page

# Joined into the "mentors" namespace by the project URLconf: the mentor's page shows what
# every app knows of the mentor, so it is composed here, above the apps.
mentor_urlpatterns = [
    path("koordination/paten/<int:pk>/", mentor_page.mentor_detail, name="detail"),
]
