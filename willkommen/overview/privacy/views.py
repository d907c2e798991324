"""The coordinators' data protection pages: finding a person, their consents, the Art. 15
export, the Art. 17 erasure, what retention will do next, the Art. 30 record, the access log."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentors.services import mentor_consent_withdraw
from newcomers.services import referral_consent_withdraw
from willkommen.core.forms import add_service_errors
from willkommen.core.roles import coordinator_required
from willkommen.overview.models import AccessLogEntry, ErasureRecord, RecordKind
from willkommen.overview.privacy.access_log import VIEW_ACCESS_LOG
from willkommen.overview.privacy.consents import (
    ConsentText,
    consent_text_files,
    consent_withdrawn,
    current_version,
    person_consents,
)
from willkommen.overview.privacy.erasure import (
    PERSON_MODELS,
    erasure_record,
    erasure_refusal,
    open_tandems,
    person_anonymise,
)
from willkommen.overview.privacy.export import export_json, person_export
from willkommen.overview.privacy.forms import (
    AccessLogFilterForm,
    ErasureForm,
    PersonSearchForm,
    WithdrawalForm,
)
from willkommen.overview.privacy.register import register_data
from willkommen.overview.privacy.retention import retention_due

SEARCH_RESULTS = 20
NUMBER = re.compile(r"[0-9]{1,18}")  # a record's number (ASCII digits, within bigint)
# The URL names of each kind's pages, and the file name of its export.
PAGES = {
    RecordKind.MENTOR: {
        "page": "privacy:mentor",
        "export": "privacy:mentor_export",
        "erase": "privacy:mentor_erase",
        "withdraw": "privacy:mentor_withdraw",
        "record": "mentors:detail",
        "file": "pate",
    },
    RecordKind.REFERRAL: {
        "page": "privacy:referral",
        "export": "privacy:referral_export",
        "erase": "privacy:referral_erase",
        "withdraw": "privacy:referral_withdraw",
        "record": "newcomers:referral_detail",
        "file": "neuzugewanderte",
    },
}


def _person(kind, pk):
    return get_object_or_404(PERSON_MODELS[kind]._default_manager, pk=pk)


def _links(kind, person) -> dict:
    names = PAGES[kind]
    links = {key: reverse(names[key], args=[person.pk]) for key in ("page", "erase", "withdraw")}
    links["html"] = reverse(names["export"], args=[person.pk, "html"])
    links["json"] = reverse(names["export"], args=[person.pk, "json"])
    # the mentor's own page shows confirmed mentors only
    confirmed = kind != RecordKind.MENTOR or person.email_confirmed_at is not None
    links["record"] = reverse(names["record"], args=[person.pk]) if confirmed else ""
    return links


def _search(queryset, text):
    if NUMBER.fullmatch(text):
        return queryset.filter(pk=int(text))
    condition = Q()
    for word in text.split():
        condition &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return queryset.filter(condition)


@coordinator_required
def index(request):
    form = PersonSearchForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        text = form.cleaned_data["q"].strip()
        found = [
            {
                "kind": kind,
                "label": RecordKind(kind).label,
                "person": person,
                "url": reverse(PAGES[kind]["page"], args=[person.pk]),
            }
            for kind, model in PERSON_MODELS.items()
            for person in _search(model.objects.order_by("pk"), text)[:SEARCH_RESULTS]
        ]
    return render(
        request,
        "overview/privacy/index.html",
        {
            "form": form,
            "found": found,
            "due": retention_due(),
            "erasures": ErasureRecord.objects.select_related("by")[:SEARCH_RESULTS],
            "can_read_access_log": request.user.has_perm(VIEW_ACCESS_LOG),
            "consent_texts": [
                {
                    "label": kind.label,
                    "version": current_version(kind),
                    "url": reverse(
                        "privacy:consent_text", args=[kind.value, current_version(kind)]
                    ),
                }
                for kind in ConsentText
            ],
        },
    )


def _person_page(request, kind, pk, *, withdrawal_form=None, status=200):
    person = _person(kind, pk)
    return render(
        request,
        "overview/privacy/person.html",
        {
            "kind": RecordKind(kind),
            "person": person,
            "record": erasure_record(kind, person.pk),
            "consents": person_consents(kind, person),
            "withdrawn": consent_withdrawn(kind, person),
            "refusal": erasure_refusal(kind, person),
            "open_tandems": open_tandems(kind, person),
            "links": _links(kind, person),
            "withdrawal_form": withdrawal_form or WithdrawalForm(),
        },
        status=status,
    )


def _export(request, kind, pk, fmt):
    if fmt not in ("html", "json"):
        raise Http404
    person = _person(kind, pk)
    export = person_export(kind, person)
    if fmt == "json":
        response = JsonResponse(
            export_json(export), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        name = f"auskunft-{PAGES[kind]['file']}-{person.pk}-{export['generated_at']:%Y-%m-%d}"
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return render(
        request,
        "overview/privacy/export.html",
        {"export": export, "kind": RecordKind(kind), "by": request.user},
    )


def _erase(request, kind, pk):
    person = _person(kind, pk)
    refusal = erasure_refusal(kind, person)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            person_anonymise(
                kind=kind, person=person, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The data have been anonymised. A record that they were erased is kept."),
            )
            return redirect(PAGES[kind]["page"], person.pk)
    return render(
        request,
        "overview/privacy/erase.html",
        {
            "kind": RecordKind(kind),
            "person": person,
            "refusal": refusal,
            "form": form,
            "links": _links(kind, person),
        },
    )


def _withdraw(request, kind, pk):
    person = _person(kind, pk)
    form = WithdrawalForm(request.POST)
    if not form.is_valid():
        return _person_page(request, kind, pk, withdrawal_form=form)
    if kind == RecordKind.MENTOR:
        mentor_consent_withdraw(mentor=person, by=request.user)
    else:
        referral_consent_withdraw(referral=person, by=request.user)
    messages.success(request, _("The withdrawal of the consent has been recorded."))
    return redirect(PAGES[kind]["page"], person.pk)


@coordinator_required
def mentor_page(request, pk):
    return _person_page(request, RecordKind.MENTOR, pk)


@coordinator_required
def referral_page(request, pk):
    return _person_page(request, RecordKind.REFERRAL, pk)


@coordinator_required
def mentor_export(request, pk, fmt):
    return _export(request, RecordKind.MENTOR, pk, fmt)


@coordinator_required
def referral_export(request, pk, fmt):
    return _export(request, RecordKind.REFERRAL, pk, fmt)


@coordinator_required
def mentor_erase(request, pk):
    return _erase(request, RecordKind.MENTOR, pk)


@coordinator_required
def referral_erase(request, pk):
    return _erase(request, RecordKind.REFERRAL, pk)


@require_POST
@coordinator_required
def mentor_withdraw(request, pk):
    return _withdraw(request, RecordKind.MENTOR, pk)


@require_POST
@coordinator_required
def referral_withdraw(request, pk):
    return _withdraw(request, RecordKind.REFERRAL, pk)


@coordinator_required
def register(request):
    return render(request, "overview/privacy/register.html", register_data())


@coordinator_required
def consent_text(request, kind, version):
    files = consent_text_files(kind, version)
    if not files:
        raise Http404
    texts = []
    for language, path in files.items():
        source = path.read_text()
        if path.suffix == ".html":  # the notice as shown, from the archived template
            context = {"contact_email": settings.CONTACT_EMAIL, "imprint_url": settings.IMPRINT_URL}
            body = Template(source).render(Context(context))
            # our own archived template, from the repository: as safe as the page it was
            texts.append({"language": language, "html": mark_safe(body)})  # noqa: S308
        else:
            texts.append({"language": language, "html": linebreaks(source, autoescape=True)})
    return render(
        request,
        "overview/privacy/consent_text.html",
        {"kind": ConsentText(kind), "version": version, "texts": texts},
    )


@login_required
def access_log(request):
    if not request.user.has_perm(VIEW_ACCESS_LOG):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET or None)
    entries = AccessLogEntry.objects.select_related("user")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["number"]:
            entries = entries.filter(object_id=data["number"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "overview/privacy/access_log.html",
        {"form": form, "page": page, "query_without_page": query.urlencode()},
    )
