"""Who is asking: the client's network address, and how often a client may ask.

Without configuration the client is the peer of the connection (REMOTE_ADDR). Behind the city's
reverse proxy every request comes from the proxy, so the client's address has to be read from the
X-Forwarded-For header that the proxy appends to. Only the entries our own proxies wrote can be
believed: everything to their left was sent by the client and can say anything.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request) -> str | None:
    """The address of the client that sent `request`; None when the connection has none.

    - TRUSTED_PROXIES (addresses or networks): while the hop we look at is a trusted proxy, step
      one entry to the left in X-Forwarded-For. The first untrusted hop is the client.
    - TRUSTED_PROXY_COUNT = n: the app is reachable only through n proxies in a row; the client is
      the n-th entry from the right (each proxy appends the address it was connected from).
    - neither: the peer of the connection; X-Forwarded-For is ignored.

    django-axes uses it (AXES_CLIENT_IP_CALLABLE) and so do the form throttles.
    """
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    hops = [_parse(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if settings.TRUSTED_PROXY_COUNT:
        # Fewer entries than proxies: the request did not come through all of them.
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            peer = hops[-settings.TRUSTED_PROXY_COUNT] or peer
        return str(peer) if peer else None
    trusted = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    client = peer
    for hop in reversed(hops):
        # An unreadable entry right of the client can only come from a misconfigured proxy of
        # ours: keep that proxy's address rather than guess.
        if client is None or hop is None or not any(client in net for net in trusted):
            break
        client = hop
    return str(client) if client else None


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    return getattr(address, "ipv4_mapped", None) or address


def rate_limit_exceeded(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one request for `key` (an address, a client); True once there were more than `limit`
    within `seconds` of the first one.

    Counters live in Django's cache: `add` and `incr` are atomic and keep the expiry in the
    local-memory cache (the default, one per process), Redis and Memcached. Several processes
    share a limit only through a shared cache (CACHES).
    """
    digest = hashlib.sha256(key.encode()).hexdigest()  # any text makes a valid cache key
    cache_key = f"rate-limit:{scope}:{digest}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: a new window starts now
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    return count > limit
