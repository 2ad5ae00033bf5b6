"""Account pages: sign-up, login, password, profile, address book and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.accounts import selectors, services, throttle
from jishi.accounts.middleware import CURRENCY_COOKIE
from jishi.core.errors import DomainError
from jishi.web.forms.accounts import AddressForm, EmailLoginForm, ProfileForm, SignUpForm, TokenForm
from jishi.web.forms.errors import add_domain_errors
from jishi.web.redirects import safe_target
from jishi.web.views.cart import CART_SESSION_KEY, adopt_anonymous_cart

YEAR = 365 * 24 * 3600


def _safe_next(request, default: str = "/") -> str:
    return safe_target(request, request.POST.get("next") or request.GET.get("next") or "", default)


def _remember_preferences(response, user) -> None:
    if user.preferred_language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, max_age=YEAR, samesite="Lax")
    if user.preferred_currency:
        response.set_cookie(CURRENCY_COOKIE, user.preferred_currency, max_age=YEAR, samesite="Lax")


def refused(response, error: DomainError):
    """A page re-rendered with a throttle's message inline answers 429 with Retry-After, like the API."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response


def sign_up_and_sign_in(request, form, make):
    """A sign-up from a page: counted against the client address's limit, made by ``make()`` (which
    returns the new user and whatever else it made), then signed in, keeping the visitor's cart.

    Returns ``(made, None)``, or ``(None, refusal)`` with the refusal's messages on ``form``."""
    address = throttle.client_address(request)
    try:
        throttle.count_sign_up(address=address)
        user, made = make()
    except DomainError as error:
        add_domain_errors(form, error)
        return None, error
    throttle.record_success(email=user.email, address=address)
    cart_token = request.session.get(CART_SESSION_KEY)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    adopt_anonymous_cart(request, user, cart_token)
    return made, None


def signup(request):
    form = SignUpForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        def make():
            user = services.sign_up(email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                                    name=form.cleaned_data["name"], language=get_language() or "",
                                    currency=getattr(request, "display_currency", ""))
            return user, user

        user, refusal = sign_up_and_sign_in(request, form, make)
        if user:
            messages.success(request, _("Welcome to Jishi! Your account is ready."))
            return HttpResponseRedirect(_safe_next(request))
    response = render(request, "web/accounts/signup.html", {"form": form, "next": _safe_next(request, "")})
    return refused(response, refusal) if refusal else response


class SiteNamed:
    """Django's auth views name the site after the request's host name; pages and mail say SITE_NAME, and
    the reset link names SITE_URL, never the request's Host header (a forged Host must not receive it)."""

    @property
    def extra_email_context(self):  # the password-reset mail
        site = urlsplit(settings.SITE_URL)
        return {"site_name": settings.SITE_NAME, "protocol": site.scheme, "domain": site.netloc}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site_name"] = settings.SITE_NAME
        return context


def _site_named(view):
    return type(view.__name__, (SiteNamed, view), {})


class LoginView(SiteNamed, auth_views.LoginView):
    template_name = "web/accounts/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        cart_token = self.request.session.get(CART_SESSION_KEY)
        response = super().form_valid(form)
        adopt_anonymous_cart(self.request, form.get_user(), cart_token)
        _remember_preferences(response, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        return refused(response, form.throttled) if form.throttled else response


class PasswordResetView(SiteNamed, auth_views.PasswordResetView):
    """Mails a reset link, within the hourly limits per email address and per client address. A refusal
    re-renders the form with the wait inline (429 with Retry-After), whether or not an account has the
    address, so the page tells nobody which addresses have one."""

    def form_valid(self, form):
        try:
            throttle.count_password_reset(email=form.cleaned_data["email"],
                                          address=throttle.client_address(self.request))
        except throttle.Throttled as error:
            add_domain_errors(form, error)
            return refused(self.form_invalid(form), error)
        return super().form_valid(form)


@login_required
def profile(request):
    user = request.user
    initial = {"name": user.name, "language": user.preferred_language, "currency": user.preferred_currency,
               "country": user.country}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_preferences(user=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("web:profile")
            _remember_preferences(response, user)
            return response
    return render(request, "web/accounts/profile.html", {"form": form})


@login_required
def addresses(request):
    return render(request, "web/accounts/addresses.html",
                  {"addresses": selectors.list_addresses(user=request.user)})


@login_required
def address_form(request, address_id: int | None = None):
    address = selectors.access_address(user=request.user, address_id=address_id) if address_id else None
    initial = {f: getattr(address, f) for f in AddressForm.base_fields if hasattr(address, f)} if address else {
        "country": request.user.country, "name": request.user.name}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_default"}
        try:
            if address is None:
                services.create_address(user=request.user, data=data, make_default=form.cleaned_data["is_default"])
            else:
                services.update_address(address=address, data=data)
                if form.cleaned_data["is_default"]:
                    services.set_default_address(address=address)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Address saved."))
            return redirect("web:addresses")
    return render(request, "web/accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete(request, address_id: int):
    services.delete_address(address=selectors.access_address(user=request.user, address_id=address_id))
    messages.success(request, _("Address removed."))
    return redirect("web:addresses")


@login_required
@require_POST
def address_default(request, address_id: int):
    services.set_default_address(address=selectors.access_address(user=request.user, address_id=address_id))
    return redirect("web:addresses")


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            throttle.count_token_creation(user_id=request.user.pk)
            _row, new_token = services.issue_token(user=request.user, name=form.cleaned_data["name"],
                                                   expires_in_days=form.cleaned_data["expires_in_days"])
        except DomainError as error:
            add_domain_errors(form, error)
            refusal = error
        else:
            form = TokenForm()
    response = render(request, "web/accounts/tokens.html",
                      {"form": form, "tokens": selectors.list_tokens(user=request.user), "new_token": new_token})
    return refused(response, refusal) if refusal else response


@login_required
@require_POST
def token_revoke(request, token_id: int):
    services.revoke_token(user=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("web:tokens")


_reset = {"email_template_name": "web/accounts/password_reset_email.txt",
          "subject_template_name": "web/accounts/password_reset_subject.txt",
          "template_name": "web/accounts/password_reset.html",
          "success_url": reverse_lazy("web:password_reset_done")}

urlpatterns = [
    path("accounts/signup/", signup, name="signup"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", _site_named(auth_views.LogoutView).as_view(), name="logout"),
    path("accounts/password/", _site_named(auth_views.PasswordChangeView).as_view(
        template_name="web/accounts/password_change.html", success_url=reverse_lazy("web:password_change_done")),
        name="password_change"),
    path("accounts/password/done/", _site_named(auth_views.PasswordChangeDoneView).as_view(
        template_name="web/accounts/message.html",
        extra_context={"heading": gettext_lazy("Password changed"), "body": gettext_lazy("Your new password is in use.")}),
        name="password_change_done"),
    path("accounts/reset/", PasswordResetView.as_view(**_reset), name="password_reset"),
    path("accounts/reset/sent/", _site_named(auth_views.PasswordResetDoneView).as_view(
        template_name="web/accounts/message.html",
        extra_context={"heading": gettext_lazy("Check your email"),
                       "body": gettext_lazy("If an account uses that address, we sent it a link to choose a new password.")}),
        name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", _site_named(auth_views.PasswordResetConfirmView).as_view(
        template_name="web/accounts/password_reset_confirm.html",
        success_url=reverse_lazy("web:password_reset_complete")), name="password_reset_confirm"),
    path("accounts/reset/complete/", _site_named(auth_views.PasswordResetCompleteView).as_view(
        template_name="web/accounts/message.html",
        extra_context={"heading": gettext_lazy("Password set"), "body": gettext_lazy("You can log in with your new password now.")}),
        name="password_reset_complete"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/addresses/", addresses, name="addresses"),
    path("accounts/addresses/new/", address_form, name="address_new"),
    path("accounts/addresses/<int:address_id>/", address_form, name="address_edit"),
    path("accounts/addresses/<int:address_id>/delete/", address_delete, name="address_delete"),
    path("accounts/addresses/<int:address_id>/default/", address_default, name="address_default"),
    path("accounts/tokens/", tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", token_revoke, name="token_revoke"),
]
