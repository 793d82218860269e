"""Login (手机号 or 工号), logout, password change, the org switcher and API tokens."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from ..access import orgs_for_user
from ..auth import AmbiguousLogin
from ..forms_base import StyledFormMixin
from ..models import Membership, Organization
from ..services import user_change_password
from ..tenancy import scopes_disabled


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Mobile number or employee number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    org = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        self.org_choices: list[Organization] = []
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        try:
            self.user = authenticate(
                self.request, username=username.strip(), password=password, org_code=data.get("org")
            )
        except AmbiguousLogin:
            with scopes_disabled():
                org_ids = Membership.objects.filter(employee_no=username.strip(), is_active=True).values("org_id")
                self.org_choices = list(Organization.objects.filter(pk__in=org_ids).order_by("name"))
            raise forms.ValidationError(
                _("This employee number exists in several organisations. Choose yours and log in again."),
                code="ambiguous",
            ) from None
        if getattr(self.request, "axes_locked_out", False):
            raise forms.ValidationError(locked_out_message(), code="locked")
        if self.user is None:
            raise forms.ValidationError(_("Wrong login name or password."), code="invalid_login")
        return data


def locked_out_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return _("Too many failed logins. This account is locked for {minutes} minutes.").format(minutes=minutes)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a login is refused because of earlier failures."""
    form = LoginForm(initial={"username": request.POST.get("username", "")}, request=request)  # unbound: no new check
    context = {"form": form, "next": request.POST.get("next", ""), "locked_out": locked_out_message()}
    return render(request, "registration/login.html", context, status=403)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def login_view(request):
    if request.method == "POST":
        form = LoginForm(request.POST, request=request)
        if form.is_valid():
            login(request, form.user)
            return redirect(_safe_next(request) or "home")
    else:
        initial = {}
        next_url = request.GET.get("next", "")
        if next_url.startswith("/o/"):
            initial["org"] = next_url.split("/")[2]  # a QR code names its org: 工号 then need no choice
        form = LoginForm(initial=initial, request=request)
    return render(request, "registration/login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


def health(request):
    """Liveness for a load balancer or monitor: the process answers (no database, no session)."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def root(request):
    """Send a person to the organisation they used last, or their first one."""
    orgs = orgs_for_user(request.user)
    last = request.session.get("last_org")
    codes = [org.code for org, _read_only in orgs]
    if last in codes:
        return redirect("core:home", last)
    if codes:
        return redirect("core:home", codes[0])
    return render(request, "core/no_membership.html", status=403)


@login_required
def org_switcher(request):
    return render(request, "core/org_switcher.html", {"orgs": orgs_for_user(request.user)})


@extend_schema(
    request=inline_serializer(
        "TokenRequest",
        {
            "username": serializers.CharField(),
            "password": serializers.CharField(),
            "org": serializers.CharField(required=False),
        },
    ),
    responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    summary="Obtain an API token with a mobile number or employee number and password",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def api_token(request):
    form = LoginForm(request.data, request=request._request)
    if not form.is_valid():
        return Response({"errors": form.errors.get_json_data()}, status=400)
    if form.user.must_change_password:
        return Response({"detail": _("Change your one-time password before using the API.")}, status=403)
    token, _created = Token.objects.get_or_create(user=form.user)
    return Response({"token": token.key})
