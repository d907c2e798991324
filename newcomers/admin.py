"""The referrals' and tandems' tables in the Django admin (IT superusers; see
willkommen.core.admin_base).

Statuses, decisions and dates the services set stay read-only: a referral's status and reason,
a tandem's whole course from proposal to end (it holds a place of its mentor), the support
contacts behind the contact schedule. Referrals are erased through the data protection pages.
"""

from django.contrib import admin

from newcomers.models import (
    FollowUp,
    Referral,
    ReferralActivity,
    ReferralEvent,
    SupportContact,
    SupportContactEvent,
    Tandem,
    TandemEvent,
    TandemNote,
)
from willkommen.core.admin_base import HistoryAdmin, ViewOnlyAdmin


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "status",
        "urgency",
        "district",
        "advisor",
        "created_at",
    ]
    list_filter = [
        "status",
        "urgency",
        "district",
        "decline_reason",
        ("advisor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["last_name", "first_name", "advisor__email"]
    list_select_related = ["advisor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    readonly_fields = [
        "advisor",
        "status",
        "decline_reason",
        "consent_on",
        "consent_form_version",
        "consent_form_kept",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["support_areas"]

    def has_add_permission(self, request):
        return False  # advisors refer through the app, which checks the household and consent

    def has_delete_permission(self, request, obj=None):
        return False  # erasure is recorded by the data protection pages


@admin.register(ReferralActivity)
class ReferralActivityAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "referral", "kind", "to_status", "created_by"]
    list_filter = ["kind", "to_status"]
    search_fields = ["referral__last_name", "referral__first_name", "text"]
    list_select_related = ["referral", "created_by"]
    date_hierarchy = "created_at"


@admin.register(Tandem)
class TandemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "proposed_at", "started_on", "ended_on", "end_reason"]
    list_filter = ["status", "end_reason", "closing_conversation"]
    search_fields = [
        "mentor__last_name",
        "mentor__first_name",
        "referral__last_name",
        "referral__first_name",
    ]
    list_select_related = ["mentor", "referral"]
    date_hierarchy = "proposed_at"
    ordering = ["-proposed_at", "-pk"]
    # The agreement and the note on the end are texts; everything else is the services' course.
    readonly_fields = [
        "referral",
        "mentor",
        "status",
        "proposed_by",
        "proposed_at",
        "answered_at",
        "decline_reason",
        "first_meeting_at",
        "first_meeting_place",
        "first_meeting_attendees",
        "started_on",
        "ended_on",
        "end_reason",
        "closing_conversation",
        "updated_at",
    ]
    fields = [
        *readonly_fields,
        "agreement_areas",
        "agreement_contents",
        "expected_duration",
        "meeting_places",
        "frequency",
        "end_note",
    ]
    filter_horizontal = ["agreement_areas"]

    def has_add_permission(self, request):
        return False  # a proposal takes one of the mentor's places: tandem_propose

    def has_delete_permission(self, request, obj=None):
        return False  # would leave the mentor's places and the referral's status wrong


@admin.register(SupportContact)
class SupportContactAdmin(ViewOnlyAdmin):
    list_display = [
        "contacted_on",
        "tandem",
        "with_whom",
        "channel",
        "rating",
        "early_check",
        "concern",
    ]
    list_filter = ["early_check", "concern", "rating", "channel", "with_whom"]
    search_fields = ["tandem__mentor__last_name", "tandem__referral__last_name", "notes"]
    list_select_related = ["tandem__mentor", "tandem__referral"]
    date_hierarchy = "contacted_on"


admin.site.register(ReferralEvent, HistoryAdmin)
admin.site.register(TandemEvent, HistoryAdmin)


admin.site.register(SupportContactEvent, HistoryAdmin)


@admin.register(TandemNote)
class TandemNoteAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "tandem", "created_by"]
    list_select_related = ["tandem__mentor", "tandem__referral", "created_by"]
    search_fields = ["tandem__mentor__last_name", "tandem__referral__last_name", "text"]


@admin.register(FollowUp)
class FollowUpAdmin(ViewOnlyAdmin):
    list_display = ["due_on", "__str__", "created_by", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    list_select_related = [
        "mentor", "referral", "tandem__mentor", "tandem__referral", "created_by",
    ]  # fmt: skip
