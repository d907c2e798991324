from django.urls import path

from mentors.views import consent, detail, interest, listing, messages

# Namespace "mentors": the project URLconf adds the mentor page, which lives in the overview.
urlpatterns = [
    # public: the interest form and its double opt-in
    path("mitmachen/", interest.interest_form, name="interest"),
    path("mitmachen/danke/", interest.interest_thanks, name="interest_thanks"),
    path("mitmachen/bestaetigen/<str:token>/", interest.confirm_email, name="confirm"),
    # coordinators
    path("koordination/paten/", listing.mentor_list, name="list"),
    path("koordination/paten/export.csv", listing.mentor_export, name="export"),
    path("koordination/paten/<int:pk>/bearbeiten/", detail.mentor_edit, name="edit"),
    path("koordination/paten/<int:pk>/verlauf/", detail.mentor_history, name="history"),
    path("koordination/paten/<int:pk>/status/", detail.mentor_status, name="status"),
    path("koordination/paten/<int:pk>/checkliste/", detail.mentor_checklist, name="checklist"),
    path(
        "koordination/paten/<int:pk>/checkliste/<str:item>/zuruecknehmen/",
        detail.mentor_checklist_withdraw,
        name="checklist_withdraw",
    ),
    path("koordination/paten/<int:pk>/notiz/", detail.mentor_note, name="note"),
    path("koordination/paten/<int:pk>/nachricht/", messages.mentor_message, name="message"),
    path("koordination/paten/nachricht/", messages.mentors_message_compose, name="message_segment"),
    # public: the link in every message
    path("nachrichten/abbestellen/<str:token>/", messages.unsubscribe, name="unsubscribe"),
    path("datenschutz/widerruf/<str:token>/", consent.withdraw_consent, name="withdraw_consent"),
]
