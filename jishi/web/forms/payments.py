"""The sandbox gateway's card form (the numbers it accepts are in ``payments.rules.TEST_CARDS``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SandboxCardForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                                      "placeholder": "4242 4242 4242 4242"}))
    expiry = forms.CharField(label=_("Expiry (any future date)"), max_length=7, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "12/34", "autocomplete": "off"}))
    cvc = forms.CharField(label=_("CVC (any 3 digits)"), max_length=4, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                        "placeholder": "123"}))
