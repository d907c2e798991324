import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext

# Session keys: when this session signed in, and when it last made a request (Unix seconds).
SIGNED_IN_AT = "willkommen_signed_in_at"
SEEN_AT = "willkommen_seen_at"
# Writing the session on every request would cost a database write each; a minute is precise
# enough for a timeout of half an hour.
SEEN_PRECISION_SECONDS = 60


def no_store_for_signed_in_users(get_response):
    """Pages seen while signed in show personal data: no browser or proxy may keep a copy."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


def stamp_session_at_login(sender, request, user, **kwargs):
    """Signing in starts both clocks, so that the next request need not write the session."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def session_timeouts(get_response):
    """Signs a person out after SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE
    after signing in however active: a computer left open in an office or a shared flat does not
    stay signed in. (Django's own expiry starts again with every change to the session.)"""

    def middleware(request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            seen_at = session.get(SEEN_AT)
            idle = seen_at is not None and now - seen_at > settings.SESSION_IDLE_MINUTES * 60
            if idle or now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                if idle:
                    minutes = settings.SESSION_IDLE_MINUTES
                    message = ngettext(
                        "You were logged out after %(minutes)s minute without activity.",
                        "You were logged out after %(minutes)s minutes without activity.",
                        minutes,
                    ) % {"minutes": minutes}
                else:
                    hours = settings.SESSION_COOKIE_AGE // 3600
                    message = ngettext(
                        "You were logged out after %(hours)s hour: please log in again.",
                        "You were logged out after %(hours)s hours: please log in again.",
                        hours,
                    ) % {"hours": hours}
                messages.info(request, message)
                return redirect_to_login(request.get_full_path())
            if seen_at is None or now - seen_at >= SEEN_PRECISION_SECONDS:
                session[SEEN_AT] = now
        return get_response(request)

    return middleware
