"""The seminars' tables in the Django admin (IT superusers; see willkommen.core.admin_base).

Events are created, dated and cancelled in the app (which checks the dates and tells everyone
registered); invitations, answers, the waiting list and attendance belong to the services that
count places. A calendar feed may be deleted here: that revokes its secret address.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from seminars.models import CalendarFeed, Event, EventEvent, Invitation
from willkommen.core.admin_base import HistoryAdmin, ViewOnlyAdmin


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "starts_at", "capacity", "registered", "waiting", "cancelled"]
    list_filter = ["type", ("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "place", "facilitator"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at", "-pk"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the app's form
    readonly_fields = [
        "type",
        "starts_at",
        "ends_at",
        "capacity",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_occupancy()

    @admin.display(description=_("registered"), ordering="registered")
    def registered(self, event):
        return event.registered

    @admin.display(description=_("on the waiting list"), ordering="waiting")
    def waiting(self, event):
        return event.waiting

    @admin.display(description=_("cancelled"), boolean=True)
    def cancelled(self, event):
        return event.cancelled_at is not None

    def has_add_permission(self, request):
        return False  # event_create checks the dates and makes series

    def has_delete_permission(self, request, obj=None):
        return False  # cancel in the app: it tells everyone registered or waiting


@admin.register(Invitation)
class InvitationAdmin(ViewOnlyAdmin):
    list_display = ["mentor", "event", "status", "attended", "answered_at"]
    list_filter = ["status", "attended", "event__type"]
    search_fields = ["mentor__last_name", "mentor__first_name", "event__title"]
    list_select_related = ["mentor", "event"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "created_at"]  # never the token: it is the feed's only key
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # calendar_feed_renew makes the secret token

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(EventEvent, HistoryAdmin)
