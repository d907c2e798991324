"""A mentor withdraws their consent by the link in every mail, without an account."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from mentors.forms.consent import ConsentWithdrawForm
from mentors.services import mentor_consent_withdraw, mentor_for_withdrawal
from willkommen.core.models import ConsentWithdrawal


@never_cache
def withdraw_consent(request, token):
    """GET asks, POST withdraws: mail scanners that open links must not withdraw anything.
    The page shows nothing about the person: whoever holds the link sees only the question."""
    try:
        mentor = mentor_for_withdrawal(token=token)
    except ValidationError as error:
        return render(
            request, "mentors/consent_withdraw.html", {"error": error.messages[0]}, status=404
        )
    withdrawn = ConsentWithdrawal.objects.filter(
        subject=ConsentWithdrawal.Subject.MENTOR, object_id=mentor.pk
    ).exists()
    form = ConsentWithdrawForm(request.POST or None)
    if not withdrawn and request.method == "POST" and form.is_valid():
        mentor_consent_withdraw(mentor=mentor)
        return redirect("mentors:withdraw_consent", token)
    return render(request, "mentors/consent_withdraw.html", {"form": form, "withdrawn": withdrawn})
