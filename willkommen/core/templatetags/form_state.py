"""What the page frame (base.html) needs to know about the forms of the page it wraps."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


@register.simple_tag(takes_context=True)
def page_has_form_errors(context) -> bool:
    """`{% page_has_form_errors as failed %}`: whether a form or formset of the page came back
    with errors, whatever the view named it (`form`, `languages`, `forms.answer` …), so that
    the title can say so before anything else (WCAG 3.3.1).

    Only the types are looked at: `isinstance` would evaluate lazy values such as the CSRF
    token, which sets a cookie."""
    for value in context.flatten().values():
        candidates = value.values() if type(value) is dict else (value,)
        if any(_failed(candidate) for candidate in candidates):
            return True
    return False


def _failed(value) -> bool:
    kind = type(value)
    if issubclass(kind, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    if issubclass(kind, BaseForm):
        return value.is_bound and bool(value.errors)
    return False
