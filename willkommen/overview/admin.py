"""Data protection's own records in the Django admin (IT superusers): view only - the erasure
records are proof, and the access log refuses every change (a database trigger)."""

from django.contrib import admin

from willkommen.core.admin_base import ViewOnlyAdmin
from willkommen.overview.models import (
    AccessLogEntry,
    CertificateRequest,
    CheckIn,
    ErasureRecord,
    HoursReport,
    RenewalReminder,
)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ViewOnlyAdmin):
    list_display = ["anonymised_at", "kind", "object_id", "reason", "by", "history_removed_at"]
    list_filter = ["kind", "reason"]
    search_fields = ["object_id__exact"]
    list_select_related = ["by"]
    date_hierarchy = "anonymised_at"


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ViewOnlyAdmin):
    list_display = ["at", "user", "action", "kind", "object_id", "path"]
    list_filter = ["action", "kind"]
    search_fields = ["user__email", "object_id__exact"]
    list_select_related = ["user"]
    date_hierarchy = "at"


# --- Mentors' engagement (willkommen/overview/engagement.py): written by the links and the
# timer only; IT may look.


@admin.register(HoursReport)
class HoursReportAdmin(ViewOnlyAdmin):
    list_display = ["month", "mentor", "hours", "sent_at", "answered_at"]
    list_select_related = ["mentor"]
    search_fields = ["mentor__last_name", "mentor__email"]
    date_hierarchy = "month"


@admin.register(CheckIn)
class CheckInAdmin(ViewOnlyAdmin):
    list_display = ["due_on", "kind", "tandem", "rating", "call_me", "answered_at", "handled_at"]
    list_filter = ["kind", "call_me"]
    list_select_related = ["tandem__mentor", "tandem__referral"]
    search_fields = ["tandem__mentor__last_name", "tandem__pk__exact"]
    date_hierarchy = "due_on"


@admin.register(RenewalReminder)
class RenewalReminderAdmin(ViewOnlyAdmin):
    list_display = ["sent_at", "mentor", "valid_until"]
    list_select_related = ["mentor"]
    search_fields = ["mentor__last_name", "mentor__email"]


@admin.register(CertificateRequest)
class CertificateRequestAdmin(ViewOnlyAdmin):
    list_display = ["requested_at", "mentor"]
    list_select_related = ["mentor"]
    search_fields = ["mentor__last_name", "mentor__email"]
