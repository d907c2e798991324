from django.utils.cache import patch_cache_control


def no_store_for_signed_in_users(get_response):
    """Pages seen while signed in show personal data: no browser or proxy may keep a copy."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware
