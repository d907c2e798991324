from django.conf import settings

from willkommen.overview.navigation import navigation_for


def site(request):
    return {
        "contact_email": settings.CONTACT_EMAIL,
        "imprint_url": settings.IMPRINT_URL,
        "navigation": navigation_for(request),
    }
