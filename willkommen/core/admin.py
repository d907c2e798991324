from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from willkommen.core.admin_base import HistoryAdmin, ViewOnlyAdmin
from willkommen.core.models import (
    ConsentWithdrawal,
    Organisation,
    QueuedMail,
    RateLimit,
    SupportArea,
    User,
    UserEvent,
    UserRoleEvent,
)
from willkommen.core.services import user_end_sessions


class SecondFactorAdminSite(OTPAdminSite):
    """The admin, for IT: only for staff whose session passed the second factor (django-otp's
    check), and logged into through the site's own login (password, then code, with its lockout)
    rather than a second login form of its own."""

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied  # signed in, but without admin rights
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


# The default site keeps every registration; django-otp documents replacing its class so.
admin.site.__class__ = SecondFactorAdminSite


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active", "is_superuser"]
    list_filter = ["groups", "organisation", "is_active", "is_superuser"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (
            _("Role and rights"),
            {"fields": ["is_active", "groups", "organisation", "is_staff", "is_superuser"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_end_sessions(user=obj)  # a deactivated account is signed out everywhere


@admin.register(SupportArea)
class SupportAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def has_delete_permission(self, request, obj=None):
        return False  # mentors, referrals and the reports name it: switch it off instead


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Referring organisations; coordinators keep them on their own page (organisation_views)."""

    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]

    def has_delete_permission(self, request, obj=None):
        return False  # advisors and the reports name it: deactivate it instead


@admin.register(QueuedMail)
class QueuedMailAdmin(ViewOnlyAdmin):
    """The mail worker's queue (willkommen.core.mail), kept by the worker alone."""

    list_display = ["created_at", "to", "subject", "attempts", "sent_at", "given_up"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "attempts"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]

    @admin.display(description=_("given up"), boolean=True)
    def given_up(self, mail):
        return mail.given_up


@admin.register(RateLimit)
class RateLimitAdmin(ViewOnlyAdmin):
    """Counts of willkommen.core.clients.rate_limit_exceeded; the key is a keyed hash."""

    list_display = ["scope", "count", "expires_at"]
    list_filter = ["scope"]
    ordering = ["-expires_at", "-pk"]

    def has_delete_permission(self, request, obj=None):
        return True  # lifts a throttle early, as `axes_reset` lifts a lockout


@admin.register(ConsentWithdrawal)
class ConsentWithdrawalAdmin(ViewOnlyAdmin):
    list_display = ["withdrawn_at", "subject", "object_id", "via", "recorded_by"]
    list_filter = ["subject", "via"]
    search_fields = ["object_id__exact"]
    list_select_related = ["recorded_by"]
    date_hierarchy = "withdrawn_at"


admin.site.register(UserEvent, HistoryAdmin)
admin.site.register(UserRoleEvent, HistoryAdmin)
