"""Links that mails to a mentor carry, for the mail templates of every app."""

from django import template

from mentors.services import withdrawal_url

register = template.Library()


@register.filter
def consent_withdrawal_url(mentor) -> str:
    """`{{ mentor|consent_withdrawal_url }}`: the mentor's link to withdraw their consent."""
    return withdrawal_url(mentor)
