"""Forms of the shopper's trade pages: the shipping address entered at checkout, and order actions."""

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
