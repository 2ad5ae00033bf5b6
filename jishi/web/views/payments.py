"""Paying: the "Pay now" step of an order group, and the sandbox gateway's hosted payment page.

The hosted page stands in for a real gateway's: it is reached by its unguessable token (a gateway does
not know the marketplace's users), never stores the card number, and reports the result to the site
with a signed webhook, as a real gateway would. The shopper then comes back to the order group page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.orders.selectors import access_order_group
from jishi.payments import sandbox
from jishi.payments.models import PaymentStatus
from jishi.payments.rules import failure_message
from jishi.payments.services import start_payment
from jishi.web.forms.payments import SandboxCardForm


def payment_redirect(request, group):
    """Start paying ``group`` and send the shopper to the provider's page (back to the group on failure)."""
    try:
        payment = start_payment(group=group)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:order_group", group.pk)
    return redirect(payment.redirect_url)


@login_required
@require_POST
def pay_group(request, group_id: int):
    return payment_redirect(request, access_order_group(user=request.user, group_id=group_id))


def sandbox_page(request, token: str):
    payment = sandbox.get_open_payment(token)
    form = SandboxCardForm(request.POST or None)
    done = sandbox.outcome_of(payment)
    if request.method == "POST" and done is None and payment.status == PaymentStatus.CREATED:
        action = sandbox.CANCEL if "cancel" in request.POST else sandbox.APPROVE
        try:
            outcome = sandbox.submit(token=token, action=action,
                                     card_number=form.data.get("card_number", "") if action == sandbox.APPROVE else "")
        except DomainError as error:
            for name, texts in error.fields.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            if outcome.succeeded:
                messages.success(request, _("Payment approved. Thank you!"))
            else:
                messages.error(request, failure_message(outcome.failure_code))
            return redirect(sandbox.return_address(payment, outcome))
    status = 200 if request.method == "GET" or form.errors else 409
    return render(request, "web/payments/sandbox.html", {
        "payment": payment, "form": form, "done": done, "amount": Money(payment.amount, payment.currency),
        "open": done is None and payment.status == PaymentStatus.CREATED,
        "test_cards": [("4242 4242 4242 4242", _("succeeds")), ("4000 0000 0000 0002", _("is declined")),
                       ("4000 0000 0000 9995", _("fails: insufficient funds"))],
    }, status=status)


urlpatterns = [
    path("orders/groups/<int:group_id>/pay/", pay_group, name="order_group_pay"),
    path("pay/sandbox/<str:token>/", sandbox_page, name="sandbox_pay"),
]
