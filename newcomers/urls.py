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
        "koordination/vermittlungen/<int:pk>/vorschlagen/",
        views.tandem_propose_view,
        name="tandem_propose",
    ),
    path(
        "koordination/paten/<int:pk>/passende-vermittlungen/",
        views.mentor_suited_referrals,
        name="mentor_suited_referrals",
    ),
    path("koordination/tandems/", views.tandem_list, name="tandem_list"),
    path("koordination/tandems/<int:pk>/", views.tandem_detail, name="tandem_detail"),
    # mentors answer a proposal by a signed link, without an account
    path("tandem/antwort/<str:token>/", views.tandem_answer_view, name="tandem_answer"),
]
