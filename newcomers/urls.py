from django.urls import path

from newcomers import views

app_name = "newcomers"
urlpatterns = [
    # Welcome Center advisors: their own referrals only
    path("vermittlungen/", views.my_referrals, name="my_referrals"),
    path("vermittlungen/neu/", views.referral_create, name="referral_create"),
    path("vermittlungen/<int:pk>/", views.my_referral, name="my_referral"),
    path("vermittlungen/<int:pk>/bearbeiten/", views.referral_edit, name="referral_edit"),
    path("vermittlungen/<int:pk>/antworten/", views.referral_answer_view, name="referral_answer"),
    path(
        "vermittlungen/<int:pk>/zurueckziehen/",
        views.referral_withdraw_view,
        name="referral_withdraw",
    ),
    # coordinators
    path("koordination/vermittlungen/", views.referral_list, name="referral_list"),
    path("koordination/vermittlungen/export.csv", views.referral_export, name="referral_export"),
    path("koordination/vermittlungen/<int:pk>/", views.referral_detail, name="referral_detail"),
    path(
        "koordination/vermittlungen/<int:pk>/entscheiden/",
        views.referral_triage_view,
        name="referral_triage",
    ),
    path(
        "koordination/vermittlungen/<int:pk>/uebergeben/",
        views.referral_hand_over_view,
        name="referral_hand_over",
    ),
    path(
        "koordination/vermittlungen/<int:pk>/vorschlagen/",
        views.tandem_propose_view,
        name="tandem_propose",
    ),
    path(
        "koordination/paten/<int:pk>/passende-vermittlungen/",
        views.mentor_suited_referrals,
        name="mentor_suited_referrals",
    ),
    path(
        "koordination/paten/<int:pk>/passende-vermittlungen/<int:referral_pk>/vorschlagen/",
        views.mentor_propose_view,
        name="mentor_propose",
    ),
    path("koordination/tandems/", views.tandem_list, name="tandem_list"),
    path("koordination/tandems/export.csv", views.tandem_export, name="tandem_export"),
    path("koordination/tandems/<int:pk>/", views.tandem_detail, name="tandem_detail"),
    # records: corrections, notes, follow-ups (Wiedervorlagen)
    path(
        "koordination/vermittlungen/<int:pk>/bearbeiten/",
        views.referral_correct_view,
        name="referral_correct",
    ),
    path("koordination/vermittlungen/<int:pk>/notiz/", views.referral_note, name="referral_note"),
    path("koordination/tandems/<int:pk>/notiz/", views.tandem_note, name="tandem_note"),
    path(
        "koordination/tandems/<int:pk>/kontakte/<int:contact_pk>/bearbeiten/",
        views.support_contact_edit,
        name="support_contact_edit",
    ),
    path(
        "koordination/vermittlungen/<int:pk>/wiedervorlage/",
        views.follow_up_add_referral,
        name="follow_up_add_referral",
    ),
    path(
        "koordination/tandems/<int:pk>/wiedervorlage/",
        views.follow_up_add_tandem,
        name="follow_up_add_tandem",
    ),
    path(
        "koordination/paten/<int:pk>/wiedervorlage/",
        views.follow_up_add_mentor,
        name="follow_up_add_mentor",
    ),
    path("koordination/wiedervorlagen/", views.follow_up_list, name="follow_up_list"),
    path(
        "koordination/wiedervorlagen/<int:pk>/erledigt/",
        views.follow_up_done_view,
        name="follow_up_done",
    ),
    # mentors answer a proposal by a signed link, without an account
    path("tandem/antwort/<str:token>/", views.tandem_answer_view, name="tandem_answer"),
]

# Pages about an advisor's account that need the referrals: joined into the "accounts" namespace
# (below "koordination/konten/") by the project URLconf, ahead of willkommen.core.accounts' own
# patterns, so that deactivating an advisor with open referrals first asks who takes them on.
account_urlpatterns = [
    path(
        "<int:pk>/vermittlungen-uebergeben/",
        views.account_referrals_hand_over,
        name="referrals_hand_over",
    ),
    path("<int:pk>/deaktivieren/", views.account_deactivate_handing_over, name="deactivate"),
]
