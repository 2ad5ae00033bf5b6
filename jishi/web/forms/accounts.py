from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jishi.accounts.forms import ThrottledSignInMixin
from jishi.core.countries import country_choices
from jishi.money.selectors import list_currency_codes


def _country_choices():
    locale = "zh_Hans" if translation.get_language() == "zh-hans" else "en"
    return [("", "—"), *country_choices(locale)]


def _currency_choices():
    return [("", "—"), *((code, code) for code in list_currency_codes())]


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class EmailLoginForm(ThrottledSignInMixin, AuthenticationForm):
    username = forms.EmailField(label=_("Email"), max_length=254,
                                widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]
        self.fields["currency"].choices = _currency_choices()
        self.fields["country"].choices = _country_choices()


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    line1 = forms.CharField(label=_("Address line 1"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.CharField(label=_("State / province / region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.ChoiceField(label=_("Country"))
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_in_days = forms.IntegerField(label=_("Expires after (days)"), min_value=1, max_value=3650, required=False,
                                         help_text=_("Leave empty for a token that does not expire."))
