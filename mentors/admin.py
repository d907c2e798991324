"""The mentors' tables in the Django admin (IT superusers; see willkommen.core.admin_base).

Coordinators work in the app; here IT can look everything up and correct plain facts. What
the services decide - the stage, places and active tandems, the checklist, the timeline - is
read-only, and mentors are erased through the data protection pages, not deleted here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mentors.models import (
    ChecklistEntry,
    ChecklistEntryEvent,
    Mentor,
    MentorActivity,
    MentorEvent,
    MentorLanguage,
    MentorStatus,
    RejectedSubmission,
)
from willkommen.core.admin_base import HistoryAdmin, ViewOnlyAdmin


class StatusFilter(admin.SimpleListFilter):
    """The derived status (see mentors.models.derive_status), as every list of the app has it."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MentorStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class LanguageInline(admin.TabularInline):
    model = MentorLanguage
    extra = 0


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "status_shown",
        "district",
        "places_taken",
        "tandems_active",
        "email_confirmed_at",
        "created_at",
    ]
    list_filter = [
        StatusFilter,
        "stage",
        "district",
        "left_reason",
        "heard_about",
        ("email_confirmed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["last_name", "first_name", "email"]
    date_hierarchy = "created_at"
    ordering = ["last_name", "first_name", "pk"]
    inlines = [LanguageInline]
    # Decided or kept by the services (status, places, consent, confirmation), or the wish
    # that decides whether the police certificate is needed.
    readonly_fields = [
        "status_shown",
        "stage",
        "left_reason",
        "capacity",
        "places_taken",
        "tandems_active",
        "preferences",
        "consent_at",
        "consent_version",
        "email_confirmed_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "district",
        "postal_code",
        "support_areas",
        "weekdays",
        "times_of_day",
        "hours_per_month",
        "preferences_note",
        "motivation",
        "heard_about",
        *readonly_fields,
    ]
    filter_horizontal = ["support_areas"]

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, mentor):
        return MentorStatus(mentor.status).label

    def has_add_permission(self, request):
        return False  # people apply through the public form, which confirms their address

    def has_delete_permission(self, request, obj=None):
        return False  # erasure is recorded by the data protection pages


@admin.register(MentorLanguage)
class MentorLanguageAdmin(admin.ModelAdmin):
    list_display = ["mentor", "language", "level"]
    list_filter = ["language", "level"]
    search_fields = ["mentor__last_name", "mentor__first_name", "mentor__email"]
    list_select_related = ["mentor"]
    raw_id_fields = ["mentor"]


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(ViewOnlyAdmin):
    list_display = ["mentor", "item", "done_on", "valid_until", "recorded_by"]
    list_filter = ["item", "done_on", "valid_until"]
    search_fields = ["mentor__last_name", "mentor__first_name", "mentor__email"]
    list_select_related = ["mentor", "recorded_by"]


@admin.register(MentorActivity)
class MentorActivityAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "mentor", "kind", "to_status", "created_by"]
    list_filter = ["kind", "to_status"]
    search_fields = ["mentor__last_name", "mentor__first_name", "text"]
    list_select_related = ["mentor", "created_by"]
    date_hierarchy = "created_at"


@admin.register(RejectedSubmission)
class RejectedSubmissionAdmin(ViewOnlyAdmin):
    list_display = ["day", "reason", "count"]
    list_filter = ["reason"]
    date_hierarchy = "day"
    ordering = ["-day", "reason"]


admin.site.register(MentorEvent, HistoryAdmin)
admin.site.register(ChecklistEntryEvent, HistoryAdmin)
