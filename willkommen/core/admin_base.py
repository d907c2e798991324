"""What every app's Django admin (IT superusers only) shares.

Most of the programme's data change only through the services, which validate, keep counters
and places, write the timelines and queue mail. The admin shows such rows and lets IT correct
plain facts (a misspelt name, an address); statuses, counters, tokens and whatever a service
decides stay read-only, and nothing is deleted where that would break what the services keep.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from pghistory.admin import EventModelAdmin


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows that only services or workers write (timelines, answers, contacts): IT may look."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(EventModelAdmin):
    """A change-history table (django-pghistory): what changed, when, and who or which command
    did it. History is never edited; pghistory's own admin already makes it view-only."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "context"]
    list_select_related = ["pgh_context"]
    ordering = ["-pgh_created_at", "-pgh_id"]
    search_fields = ["pgh_obj__exact"]  # the number of the changed record
    # Django 6's default for links; a copy of a seminar has one
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("by"))
    def context(self, event):
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        return metadata.get("user") or metadata.get("command") or ""
