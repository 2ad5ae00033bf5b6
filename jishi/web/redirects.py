"""Where a form may send the visitor next."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request, target: str, default: str = "/") -> str:
    """``target`` when it is a path or an address on this site, else ``default``.

    Never another host; and never a bare word ("abc", "web:home"), which Django would let through as
    relative but the browser resolves against the form's own address (a 404 after the preference was saved)."""
    if (target and (target.startswith("/") or urlsplit(target).scheme)
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return default
