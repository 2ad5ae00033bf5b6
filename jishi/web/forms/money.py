"""Forms of the seller centre's money page: asking for a payout and saying where payouts go."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PayoutForm(forms.Form):
    # Checked by ``ledger.rules.clean_payout_amount`` (a positive amount in the currency's minor units).
    amount = forms.CharField(label=_("Amount"), max_length=40, required=False, strip=True,
                             help_text=_("Leave empty to pay out everything available."),
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    currency = forms.CharField(widget=forms.HiddenInput, max_length=3, required=False)


class PayoutAccountForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=120)
    number = forms.CharField(label=_("Account number or IBAN"), max_length=60,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
