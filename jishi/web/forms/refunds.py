"""Forms of buyer protection: the buyer's refund request and its steps, the store's answers and refunds,
and the operator's decision. The services decide what is acceptable; these only carry the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishi.disputes.models import Decision, RefundReason


class RefundRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=[("", "—"), *RefundReason.choices], required=False)
    amount = forms.CharField(label=_("Amount to refund"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    goods_return = forms.BooleanField(label=_("I will send the goods back"), required=False)
    details = forms.CharField(label=_("Details for the store"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("Return tracking number"), max_length=100, required=False,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class EscalateForm(forms.Form):
    note = forms.CharField(label=_("What should the marketplace know?"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why do you reject it? (the buyer sees it)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmReturnForm(forms.Form):
    restock = forms.BooleanField(label=_("Put the returned units back on sale"), required=False)


class RefundForm(forms.Form):
    """A refund on the store's or the operator's own initiative."""

    amount = forms.CharField(label=_("Amount to refund"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    reason = forms.CharField(label=_("Reason (the buyer sees it)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    restock = forms.BooleanField(label=_("Put the order's units back on sale"), required=False)


REFUND_NOW, REFUND_ON_RETURN = "now", "on_return"


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    amount = forms.CharField(label=_("Amount to refund (when deciding for the buyer)"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    note = forms.CharField(label=_("Note to both sides (required when deciding for the store)"), max_length=1000,
                           required=False, widget=forms.Textarea(attrs={"rows": 3}))
    refund = forms.ChoiceField(
        label=_("When deciding for the buyer, who asked to send the goods back"), required=False,
        initial=REFUND_ON_RETURN, widget=forms.RadioSelect,
        choices=[(REFUND_ON_RETURN, _("Refund once the goods are back (the store confirms the return)")),
                 (REFUND_NOW, _("Refund now, without waiting for the return"))])

    def __init__(self, *args, goods_return: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not goods_return:
            del self.fields["refund"]  # nothing comes back: a refund for the buyer is paid at once
