"""Who is asking: the client's network address, and how often a client may ask.

Without configuration the client is the peer of the connection (REMOTE_ADDR). Behind the city's
reverse proxy every request comes from the proxy, so the client's address has to be read from the
X-Forwarded-For header that the proxy appends to. Only the entries our own proxies wrote can be
believed: everything to their left was sent by the client and can say anything.
"""

import ipaddress

from django.conf import settings
from django.db import connection, transaction
from django.utils.crypto import salted_hmac

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


_DIGEST_SALT = "willkommen.core.clients.rate_limit"
# The counters are willkommen.core.models.RateLimit. One statement: the row is created, counted
# on, or (its window over) started afresh. On a conflict the row lock makes concurrent counts for
# one key wait for each other's transactions.
_COUNT_SQL = """
    INSERT INTO willkommen_ratelimit AS counter (scope, digest, count, expires_at)
    VALUES (%(scope)s, %(digest)s, 1, statement_timestamp() + make_interval(secs => %(seconds)s))
    ON CONFLICT (scope, digest) DO UPDATE SET
        count = CASE WHEN counter.expires_at > statement_timestamp()
                     THEN counter.count + 1 ELSE 1 END,
        expires_at = CASE WHEN counter.expires_at > statement_timestamp()
                          THEN counter.expires_at ELSE excluded.expires_at END
    RETURNING count
"""
# Rows of keys that were not counted again since their window closed. SKIP LOCKED: a row that
# another request is counting on right now is left for the next cleanup, nobody waits.
_FORGET_SQL = """
    DELETE FROM willkommen_ratelimit WHERE id IN (
        SELECT id FROM willkommen_ratelimit WHERE expires_at < statement_timestamp()
        FOR UPDATE SKIP LOCKED
    )
"""


def rate_limit_exceeded(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one request for `key` (an address, a client) in `scope`; True once there were more
    than `limit` within `seconds` of the first one.

    The count lives in the database, so all processes on all hosts share it, and it belongs to
    the caller's transaction: inside `transaction.atomic` a rollback takes the count back, and
    until the commit every other request for the same key waits at this call. So "check, act,
    commit" in one transaction lets exactly `limit` requests act, however many arrive at once.
    Only a keyed hash of `key` is stored.
    """
    digest = salted_hmac(_DIGEST_SALT, f"{scope}\n{key}", algorithm="sha256").hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, {"scope": scope, "digest": digest, "seconds": seconds})
        (count,) = cursor.fetchone()
    # Only after the commit: rows deleted inside the transaction would stay locked until its end,
    # and a request holding our next row while waiting for one of them would deadlock with us.
    transaction.on_commit(_forget_expired, robust=True)
    return count > limit


def _forget_expired() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_FORGET_SQL)
