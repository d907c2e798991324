"""Data protection's own records in the Django admin (IT superusers): view only - the erasure
records are proof, and the access log refuses every change (a database trigger)."""

from django.contrib import admin

from willkommen.core.admin_base import ViewOnlyAdmin
from willkommen.overview.models import AccessLogEntry, ErasureRecord


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
