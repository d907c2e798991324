"""The engagement tables in the Django admin: view only, each page answers."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import MentorFactory, active_tandem
from willkommen.overview.engagement import check_in_answer
from willkommen.overview.models import CertificateRequest, CheckIn, HoursReport, RenewalReminder

pytestmark = pytest.mark.django_db

MODELS = [HoursReport, CheckIn, RenewalReminder, CertificateRequest]


def one_of_each():
    mentor = MentorFactory()
    HoursReport.objects.create(mentor=mentor, month=date(2026, 1, 1))
    check_in = CheckIn.objects.create(
        tandem=active_tandem(started_days_ago=40), due_on=timezone.localdate(), kind="regular"
    )
    check_in_answer(check_in=check_in, rating=2, note="Bitte anrufen", call_me=True)
    RenewalReminder.objects.create(mentor=mentor, valid_until=date(2027, 1, 1))
    CertificateRequest.objects.create(mentor=mentor)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_engagement_admin_page_answers_and_changes_nothing(admin_client, model):
    one_of_each()
    name = f"admin:overview_{model._meta.model_name}"
    obj = model.objects.get()
    for url in (reverse(f"{name}_changelist"), reverse(f"{name}_changelist") + "?q=a",
                reverse(f"{name}_change", args=[obj.pk])):  # fmt: skip
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse(f"{name}_add")).status_code == 403
