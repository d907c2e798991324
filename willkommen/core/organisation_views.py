"""The coordinators' pages of the organisations whose advisors refer newcomers: list, add,
rename, deactivate and reactivate. Joined into the "organisations" namespace by
willkommen/urls.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from willkommen.core.confirm import confirm_step
from willkommen.core.forms import OrganisationForm, add_service_errors
from willkommen.core.models import Organisation
from willkommen.core.roles import coordinator_required
from willkommen.core.services import (
    organisation_create,
    organisation_deactivate,
    organisation_reactivate,
    organisation_rename,
)

PAGE_SIZE = 50


def organisations_with_advisors():
    """Every organisation with how many of its advisors' accounts are active; active first."""
    return Organisation.objects.annotate(
        advisors=Count("members", filter=Q(members__is_active=True))
    ).order_by("-active", "name", "pk")


@coordinator_required
def organisation_list(request):
    page = Paginator(organisations_with_advisors(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "willkommen/organisation_list.html", {"page": page})


@coordinator_required
def organisation_add(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(name=form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” has been added; you can now invite its advisors.")
                % {"name": organisation.name},
            )
            return redirect("organisations:list")
    context = {"form": form, "organisation": None, "title": _("Add an organisation")}
    return render(request, "willkommen/organisation_form.html", context)


@coordinator_required
def organisation_edit(request, pk):
    organisation = get_object_or_404(organisations_with_advisors(), pk=pk)
    title = organisation.name  # as saved, also while the form shows a name that was refused
    form = OrganisationForm(request.POST or None, initial={"name": organisation.name})
    if request.method == "POST" and form.is_valid():
        try:
            organisation_rename(
                organisation=organisation, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": organisation})
            return redirect("organisations:list")
    context = {"form": form, "organisation": organisation, "title": title}
    return render(request, "willkommen/organisation_form.html", context)


def _confirm(request, organisation, **step):
    """The confirming page of a step on `organisation`; back to its edit page, on to the list."""
    back_url = reverse("organisations:edit", args=[organisation.pk])
    return confirm_step(
        request,
        back_url=back_url,
        back_label=_("Back to the organisation"),
        next_url=reverse("organisations:list"),
        **step,
    )


@coordinator_required
def organisation_deactivate_view(request, pk):
    organisation = get_object_or_404(organisations_with_advisors(), pk=pk)
    names = {"name": organisation.name}
    if not organisation.active:
        messages.info(request, _("“%(name)s” has been deactivated already.") % names)
        return redirect("organisations:edit", pk=organisation.pk)
    return _confirm(
        request,
        organisation,
        title=_("Deactivate “%(name)s”?") % names,
        explanation=_(
            "It is no longer offered when you invite an advisor. Its advisors keep it, and their "
            "accounts (active now: %(advisors)s) and referrals stay as they are: deactivate the "
            "accounts on “Accounts” if they should end. You can reactivate it later."
        )
        % {"advisors": organisation.advisors},
        button=_("Deactivate"),
        done=_("“%(name)s” has been deactivated.") % names,
        act=lambda: organisation_deactivate(organisation=organisation, by=request.user),
        button_style="btn-danger",
    )


@coordinator_required
def organisation_reactivate_view(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    names = {"name": organisation.name}
    if organisation.active:
        messages.info(request, _("“%(name)s” is active already.") % names)
        return redirect("organisations:edit", pk=organisation.pk)
    return _confirm(
        request,
        organisation,
        title=_("Reactivate “%(name)s”?") % names,
        explanation=_("It is offered again when you invite an advisor."),
        button=_("Reactivate"),
        done=_("“%(name)s” is active again.") % names,
        act=lambda: organisation_reactivate(organisation=organisation, by=request.user),
        button_style="btn-primary",
    )


organisation_urlpatterns = [
    path("", organisation_list, name="list"),
    path("neu/", organisation_add, name="create"),
    path("<int:pk>/", organisation_edit, name="edit"),
    path("<int:pk>/deaktivieren/", organisation_deactivate_view, name="deactivate"),
    path("<int:pk>/reaktivieren/", organisation_reactivate_view, name="reactivate"),
]
