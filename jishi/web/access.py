"""The pages' door to a store: ``stores.selectors.access_store`` for the signed-in user of a request.

Outsiders (and visitors who are not signed in) get ``NotFound``, members whose role does not allow the
action ``PermissionDenied``; ``web.errors`` turns both into the 404 and 403 pages, so a view calls this
first and never catches either. It stays a function of the request, not of a user, so that every seller
page names its store and action the same short way.
"""

from __future__ import annotations

from jishi.stores.selectors import StoreAccess, access_store


def store_access(request, slug: str, action: str = "view_store") -> StoreAccess:
    return access_store(user=request.user, slug=slug, action=action)
