"""The shopper's cart: lines grouped by store, quantities, saved for later, and the header's item count.

An anonymous shopper's cart is found by a token kept in the browser session; a signed-in shopper's
cart is theirs on every device. Signing in or up merges the first into the second.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.cart import services
from jishi.cart.models import Cart
from jishi.cart.selectors import count_items, get_cart, get_cart_view
from jishi.core.errors import DomainError
from jishi.web.redirects import safe_target

CART_SESSION_KEY = "cart_token"
LINE_ACTIONS = ("update", "remove", "save", "move")


def _language() -> str:
    return translation.get_language() or "en"


def current_cart(request, *, create: bool = False) -> Cart | None:
    """The cart of whoever makes the request; with ``create``, one is made (and remembered) when missing.

    The cart found is kept on the request, so the header count reuses it instead of looking again.
    """
    cart = getattr(request, "_jishi_cart", None)
    if cart is None:
        if request.user.is_authenticated:
            cart = services.get_or_create_user_cart(user=request.user) if create else get_cart(user=request.user)
        else:
            token = request.session.get(CART_SESSION_KEY)
            cart = get_cart(token=token) if token else None
            if cart is None and create:
                cart = services.create_anonymous_cart()
                request.session[CART_SESSION_KEY] = cart.token
        request._jishi_cart = cart
    return cart


def adopt_anonymous_cart(request, user, token: str | None) -> None:
    """After sign-in or sign-up: the lines of the browser's anonymous cart join the account's cart.

    ``token`` is read from the session before logging in, in case logging in starts a fresh session.
    """
    request.session.pop(CART_SESSION_KEY, None)
    request._jishi_cart = None
    source = get_cart(token=token) if token else None
    if source is not None:
        services.merge_carts(source=source, user=user)


def header_cart_count(request) -> int:
    """Units in the cart for the header link: one query, and none for an anonymous shopper without a cart."""
    cart = getattr(request, "_jishi_cart", None)
    if cart is not None:
        return count_items(cart=cart)
    if request.user.is_authenticated:
        return count_items(user=request.user)
    return count_items(token=request.session.get(CART_SESSION_KEY) if hasattr(request, "session") else None)


def _back(request, default: str) -> str:
    return safe_target(request, request.POST.get("next") or "", default)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def cart_page(request):
    cart = current_cart(request)
    view = get_cart_view(cart=cart, language=_language(), display_currency=request.display_currency)
    lines = [line for group in view.groups for line in group.lines] + view.unavailable
    count = sum(line.quantity for line in lines if not line.line.saved_for_later)
    problems = [line for group in view.groups for line in group.lines if line.problem]
    converted = any(group.subtotal.currency != view.display_currency for group in view.groups)
    return render(request, "web/cart/cart.html", {
        "view": view, "cart_count": count, "problem_lines": problems, "total_is_converted": converted})


@require_POST
def cart_add(request):
    """Put a variant in the cart; "Buy now" (``action=buy``) goes to checkout with it instead."""
    variant_id = request.POST.get("variant_id") or request.POST.get("variant", "")
    quantity = request.POST.get("quantity") or "1"
    if request.POST.get("action") == "buy":
        target = f"{reverse('web:checkout')}?{urlencode({'variant': variant_id, 'quantity': quantity})}"
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    cart = current_cart(request, create=True)
    try:
        line = services.add_line(cart=cart, variant_id=variant_id, quantity=quantity, language=_language())
    except DomainError as error:
        if _is_htmx(request):
            return render(request, "web/cart/added.html", {"error": error.message})
        messages.error(request, error.message)
        return HttpResponseRedirect(_back(request, reverse("web:cart")))
    if _is_htmx(request):
        return render(request, "web/cart/added.html", {"line": line, "cart_count": count_items(cart=cart)})
    messages.success(request, _("Added to your cart."))
    return redirect("web:cart")


@require_POST
def cart_line(request, line_id: int):
    """One line's buttons: update the quantity, remove, save for later, move back to the cart."""
    action = request.POST.get("action", "update")
    cart = current_cart(request)
    if action not in LINE_ACTIONS:
        messages.error(request, _("Choose what to do with this item."))
        return redirect("web:cart")
    if cart is None:
        messages.error(request, _("This item is not in your cart."))
        return redirect("web:cart")
    try:
        if action == "update":
            services.change_line(cart=cart, line_id=line_id, quantity=request.POST.get("quantity", ""))
            messages.success(request, _("Quantity updated."))
        elif action == "remove":
            services.remove_line(cart=cart, line_id=line_id)
            messages.success(request, _("Removed from your cart."))
        elif action == "save":
            services.change_line(cart=cart, line_id=line_id, saved_for_later=True)
            messages.success(request, _("Saved for later."))
        else:
            services.change_line(cart=cart, line_id=line_id, saved_for_later=False)
            messages.success(request, _("Moved to your cart."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("web:cart")


@require_POST
def cart_remove_unavailable(request):
    cart = current_cart(request)
    if cart is not None:
        view = get_cart_view(cart=cart, language=_language(), display_currency=request.display_currency)
        removed = services.remove_lines(cart=cart, line_ids=[line.id for line in view.unavailable])
        if removed:
            messages.success(request, _("Unavailable items removed."))
    return redirect("web:cart")


urlpatterns = [
    path("cart/", cart_page, name="cart"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", cart_line, name="cart_line"),
    path("cart/unavailable/remove/", cart_remove_unavailable, name="cart_remove_unavailable"),
]
