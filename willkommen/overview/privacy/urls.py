"""The coordinators' data protection pages (namespace "privacy"); joined into the project's
URLconf by willkommen/urls.py."""

from django.urls import path

from willkommen.overview.privacy import views

app_name = "privacy"
urlpatterns = [
    path("koordination/datenschutz/", views.index, name="index"),
    path("koordination/datenschutz/verzeichnis/", views.register, name="register"),
    path("koordination/datenschutz/zugriffe/", views.access_log, name="access_log"),
    path(
        "koordination/datenschutz/einwilligungstexte/<slug:kind>/<str:version>/",
        views.consent_text,
        name="consent_text",
    ),
    path("koordination/datenschutz/paten/<int:pk>/", views.mentor_page, name="mentor"),
    path(
        "koordination/datenschutz/paten/<int:pk>/auskunft.<str:fmt>",
        views.mentor_export,
        name="mentor_export",
    ),
    path(
        "koordination/datenschutz/paten/<int:pk>/loeschen/", views.mentor_erase, name="mentor_erase"
    ),
    path(
        "koordination/datenschutz/paten/<int:pk>/widerruf/",
        views.mentor_withdraw,
        name="mentor_withdraw",
    ),
    path("koordination/datenschutz/vermittlungen/<int:pk>/", views.referral_page, name="referral"),
    path(
        "koordination/datenschutz/vermittlungen/<int:pk>/auskunft.<str:fmt>",
        views.referral_export,
        name="referral_export",
    ),
    path(
        "koordination/datenschutz/vermittlungen/<int:pk>/loeschen/",
        views.referral_erase,
        name="referral_erase",
    ),
    path(
        "koordination/datenschutz/vermittlungen/<int:pk>/widerruf/",
        views.referral_withdraw,
        name="referral_withdraw",
    ),
]
