from django.urls import path, re_path

from seminars import views

app_name = "seminars"
urlpatterns = [
    path("koordination/seminare/", views.seminar_list, name="list"),
    path("koordination/seminare/neu/", views.seminar_create, name="create"),
    path("koordination/seminare/<int:pk>/", views.seminar_detail, name="detail"),
    path("koordination/seminare/<int:pk>/bearbeiten/", views.seminar_edit, name="edit"),
    path("koordination/seminare/<int:pk>/termin.ics", views.seminar_ics, name="ics"),
    path(
        "koordination/seminare/<int:pk>/unterschriftenliste/",
        views.sign_in_sheet,
        name="sign_in_sheet",
    ),
    path(
        "koordination/seminare/ohne-reflexion/",
        views.reflection_missing,
        name="reflection_missing",
    ),
    path(
        "koordination/seminare/ohne-termin/",
        views.queue_mentors,
        name="queue_mentors",
    ),
    path("koordination/kalender/", views.calendar_feed, name="calendar_feed"),
    # a coordinator's calendar app fetches this with the secret token, without a session;
    # anything but a token's characters is no URL of ours (a NUL byte once reached the database)
    re_path(r"^kalender/(?P<token>[A-Za-z0-9_-]{1,100})\.ics$", views.feed_ics, name="feed"),
    # mentors answer invitations by a signed link, without an account
    path("seminare/antwort/<str:token>/", views.seminar_answer, name="answer"),
    path("seminare/antwort/<str:token>/termin.ics", views.seminar_answer_ics, name="answer_ics"),
]
