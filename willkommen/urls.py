from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from mentors.urls import urlpatterns as mentors_urlpatterns
from newcomers.urls import account_urlpatterns as newcomers_account_urlpatterns
from willkommen.core import accounts, organisation_views, support_area_views, views
from willkommen.overview import dashboard, mail_views
from willkommen.overview import views as overview
from willkommen.overview.urls import mentor_urlpatterns, overview_urlpatterns

urlpatterns = [
    path("", views.landing, name="landing"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("start/", overview.home, name="home"),
    path("koordination/", dashboard.dashboard, name="dashboard"),
    path("koordination/berichte/", overview.report_page, name="reports"),
    path("koordination/e-mails/", mail_views.mail_failed, name="mail_failed"),
    *overview_urlpatterns,
    # Before the tables' downloads: their pattern would take this name for a table's.
    path(
        "koordination/berichte/gesamtbericht.xlsx",
        overview.report_workbook,
        name="report_workbook",
    ),
    path(
        "koordination/berichte/<slug:key>.<str:fmt>",
        overview.report_export,
        name="report_export",
    ),
    path("konto/anmelden/", views.LoginView.as_view(), name="login"),
    path("konto/anmelden/code/", accounts.second_factor_step, name="second_factor_verify"),
    path("konto/", accounts.my_account, name="account"),
    path("konto/zwei-faktor/", accounts.second_factor_setup, name="second_factor_enrol"),
    path("konto/zwei-faktor/codes/", accounts.recovery_codes_show, name="recovery_codes"),
    path("konto/zwei-faktor/neue-codes/", accounts.recovery_codes_new, name="recovery_codes_renew"),
    # The referrals' pages about an account first: they take over deactivating an advisor.
    path(
        "koordination/konten/",
        include((newcomers_account_urlpatterns + accounts.account_urlpatterns, "accounts")),
    ),
    path(
        "koordination/unterstuetzungsbereiche/",
        include((support_area_views.support_area_urlpatterns, "support_areas")),
    ),
    path(
        "koordination/organisationen/",
        include((organisation_views.organisation_urlpatterns, "organisations")),
    ),
    path("konto/abmelden/", views.LogoutView.as_view(), name="logout"),
    path("konto/ueberall-abmelden/", views.logout_everywhere, name="logout_everywhere"),
    path("konto/passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "konto/passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/passwort-setzen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort-setzen/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "konto/passwort-aendern/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "konto/passwort-aendern/fertig/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("sprache/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include((mentors_urlpatterns + mentor_urlpatterns, "mentors"))),
    path("", include("newcomers.urls")),
    path("", include("seminars.urls")),
    path("", include("willkommen.overview.privacy.urls")),
]

handler500 = "willkommen.core.views.server_error"

admin.site.site_header = "Willkommen – Administration"
admin.site.site_title = "Willkommen"
