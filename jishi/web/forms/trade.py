"""Forms of the trade pages: the shipping address entered at checkout, and the buyer's and the store's
order actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishi.web.forms.accounts import AddressForm

NEW_ADDRESS = "new"


class ShippingAddressForm(AddressForm):
    """A new shipping address typed at checkout; kept in the address book when the shopper asks."""

    save_address = forms.BooleanField(label=_("Save to my address book"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "address")
        super().__init__(*args, **kwargs)
        del self.fields["is_default"]

    def address(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "save_address"}


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(forms.Form):
    """The carrier and tracking number; ``orders.rules.clean_tracking`` decides what is acceptable."""

    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False,
                              widget=forms.TextInput(attrs={"list": "carriers", "autocomplete": "off"}))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class CancelForm(forms.Form):
    """Why the store cancels; the buyer sees it. ``orders.rules.clean_reason`` requires it."""

    reason = forms.CharField(label=_("Reason (the buyer sees it)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
