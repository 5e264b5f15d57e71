"""Who is asking: the client's address, as far as the deployment lets us trust it.

`X-Forwarded-For` is written by whoever sends the request, so it is only read when
`SECURITY_TRUSTED_PROXY_COUNT` says how many proxies of our own stand in front of Django. Each
proxy appends the address it received the request from (nginx's `$proxy_add_x_forwarded_for`,
deploy/nginx.conf), so with N trusted proxies the client is the N-th entry from the right: with
nginx alone (production's default, 1) the last entry, the one nginx wrote itself. Anything to its
left was sent by the client and may be forged. Without trusted proxies (the default elsewhere)
the address is `REMOTE_ADDR`.

IPv6 clients are counted by their /64 network: one household or phone gets a whole /64 and could
otherwise step through addresses to escape every limit.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address (an IPv6 client's /64 network), from `REMOTE_ADDR` or a trusted proxy's header."""
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    hops = int(getattr(settings, "SECURITY_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = _parse(forwarded[-hops]) or address
    if address is None:
        return UNKNOWN
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
