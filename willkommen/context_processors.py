from django.conf import settings

from willkommen.navigation import navigation_for


def site(request):
    return {
        "contact_email": settings.CONTACT_EMAIL,
        "imprint_url": settings.IMPRINT_URL,
        "navigation": navigation_for(request),
    }
