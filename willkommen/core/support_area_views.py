"""The coordinators' pages of the support areas: list, add, rename and reorder, retire and offer
again. Joined into the "support_areas" namespace by willkommen/urls.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from willkommen.core.confirm import confirm_step
from willkommen.core.forms import SupportAreaForm, add_service_errors
from willkommen.core.models import SupportArea
from willkommen.core.roles import coordinator_required
from willkommen.core.services import (
    support_area_create,
    support_area_restore,
    support_area_retire,
    support_area_update,
)

PAGE_SIZE = 50


def _records_with(relation: str) -> Coalesce:
    """How many records of the model behind `relation` have the area, as a subquery (no join
    that multiplies rows). The relation is named, not imported: the kernel imports no app above
    it, yet coordinators deciding to retire an area want to know who has it."""
    through = SupportArea._meta.get_field(relation).through
    counts = (
        through.objects.filter(supportarea=OuterRef("pk"))
        .order_by()
        .values("supportarea")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def support_areas_with_use():
    """Every area with how many mentors and referrals have it (past ones too); offered first."""
    return SupportArea.objects.annotate(
        mentors=_records_with("mentor"), referrals=_records_with("referral")
    ).order_by("-active", "position", "name", "pk")


@coordinator_required
def area_list(request):
    page = Paginator(support_areas_with_use(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "willkommen/support_area_list.html", {"page": page})


@coordinator_required
def area_create(request):
    form = SupportAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = support_area_create(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” has been added and is offered from now on.") % {"name": area.name},
            )
            return redirect("support_areas:list")
    if not form.is_bound:
        last = SupportArea.objects.order_by("-position").values_list("position", flat=True)
        form.initial["position"] = (last.first() or 0) + 1
    context = {"form": form, "area": None, "title": _("Add a support area")}
    return render(request, "willkommen/support_area_form.html", context)


@coordinator_required
def area_edit(request, pk):
    area = get_object_or_404(support_areas_with_use(), pk=pk)
    initial = {"name": area.name, "name_en": area.name_en, "position": area.position}
    title = area.name  # as saved, also while the form shows a name that was refused
    form = SupportAreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            support_area_update(area=area, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": area.name})
            return redirect("support_areas:list")
    context = {"form": form, "area": area, "title": title}
    return render(request, "willkommen/support_area_form.html", context)


def _confirm(request, area, **step):
    """The confirming page of a step on `area`; back to its edit page, on to the list."""
    back_url = reverse("support_areas:edit", args=[area.pk])
    return confirm_step(
        request,
        back_url=back_url,
        back_label=_("Back to the support area"),
        next_url=reverse("support_areas:list"),
        **step,
    )


@coordinator_required
def area_retire(request, pk):
    area = get_object_or_404(support_areas_with_use(), pk=pk)
    if not area.active:
        messages.info(request, _("“%(name)s” is not offered any more.") % {"name": area.name})
        return redirect("support_areas:edit", pk=area.pk)
    names = {"name": area.name}
    return _confirm(
        request,
        area,
        title=_("Stop offering “%(name)s”?") % names,
        explanation=_(
            "Nobody can choose it any more: not in the public form, not in new referrals, not for "
            "mentors or tandem agreements. Records that have it keep it and still show it "
            "(mentors: %(mentors)s, referrals: %(referrals)s). You can offer it again later."
        )
        % {"mentors": area.mentors, "referrals": area.referrals},
        button=_("Stop offering"),
        done=_("“%(name)s” is not offered any more.") % names,
        act=lambda: support_area_retire(area=area, by=request.user),
        button_style="btn-danger",
    )


@coordinator_required
def area_restore(request, pk):
    area = get_object_or_404(SupportArea, pk=pk)
    if area.active:
        messages.info(request, _("“%(name)s” is offered already.") % {"name": area.name})
        return redirect("support_areas:edit", pk=area.pk)
    names = {"name": area.name}
    return _confirm(
        request,
        area,
        title=_("Offer “%(name)s” again?") % names,
        explanation=_(
            "It can be chosen again in the public form, in referrals, for mentors and in tandem "
            "agreements."
        ),
        button=_("Offer again"),
        done=_("“%(name)s” is offered again.") % names,
        act=lambda: support_area_restore(area=area, by=request.user),
        button_style="btn-primary",
    )


support_area_urlpatterns = [
    path("", area_list, name="list"),
    path("neu/", area_create, name="create"),
    path("<int:pk>/", area_edit, name="edit"),
    path("<int:pk>/nicht-mehr-anbieten/", area_retire, name="retire"),
    path("<int:pk>/wieder-anbieten/", area_restore, name="restore"),
]
