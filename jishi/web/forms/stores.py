from django import forms
from django.utils.translation import gettext_lazy as _

from jishi.stores.models import ImportTerms, Role
from jishi.web.forms.accounts import _country_choices, _currency_choices


class OpenStoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=80)
    country = forms.ChoiceField(label=_("Country"))
    base_currency = forms.ChoiceField(label=_("Currency you price in"))
    slug = forms.CharField(label=_("Store address"), max_length=60, required=False,
                           help_text=_("Letters, digits and dashes; made from the name when empty."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        self.fields["base_currency"].choices = _currency_choices()


class OpenStoreWithAccountForm(OpenStoreForm):
    """Open a store without an account yet: the account is made from the same answers."""

    email = forms.CharField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password",
                                                                 "data-revealable": ""}),
                               help_text=_("At least 8 characters, not a common one."))

    field_order = ["email", "password", "name", "country", "base_currency", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The services check these (an empty one too), so every problem of the form shows at once.
        for name in ("email", "password", "name"):
            self.fields[name].required = False


class StoreSettingsForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=80)
    slug = forms.CharField(label=_("Store address"), max_length=60)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=4000, required=False)
    country = forms.ChoiceField(label=_("Country"))
    base_currency = forms.ChoiceField(label=_("Currency you price in"))
    # Checked by the stores service (a number from zero up, in the currency's minor units).
    shipping_rate = forms.CharField(label=_("Flat shipping rate"), max_length=40, required=False, strip=True,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    import_terms = forms.ChoiceField(
        label=_("Duties and import taxes abroad"), choices=ImportTerms.choices, widget=forms.RadioSelect,
        required=False,
        help_text=_("Where a buyer's country does not have the marketplace charge them at checkout. Prepaid: "
                    "the buyer pays them with the order and you settle them with your carrier, so nothing is "
                    "asked at the door. On delivery: the carrier asks the buyer for them."))
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("Square JPEG, PNG or WebP, up to 5 MB."))
    banner = forms.FileField(label=_("Banner"), required=False, help_text=_("Wide image, up to 5 MB."))

    def __init__(self, *args, currency_locked: bool = False, currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        self.fields["base_currency"].choices = _currency_choices()
        self.fields["shipping_rate"].help_text = _(
            "Charged once per order, to every country, in %(currency)s, until you make a shipping template. "
            "Enter 0 for free shipping. For prices by destination or weight, make a shipping template: from "
            "then on, templates alone decide what shipping costs.") % {
            "currency": currency or _("the store's currency")}
        if currency_locked:
            self.fields["base_currency"].disabled = True
            self.fields["base_currency"].help_text = _("Locked once the store has products.")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])
