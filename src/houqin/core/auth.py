"""Login with 手机号 or 工号, and the house password rule."""

from __future__ import annotations

import re

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Membership, User
from .tenancy import scopes_disabled

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class AmbiguousLogin(Exception):
    """A 工号 used in several organisations was given without saying which."""


def users_for_identifier(identifier: str, org_code: str | None = None) -> list[User]:
    """The accounts a login name may mean: the phone's owner, else the holders of that 工号."""
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    if PHONE_RE.match(identifier):
        return list(User.objects.filter(phone=identifier))
    with scopes_disabled():
        memberships = Membership.objects.filter(employee_no=identifier, is_active=True, org__is_active=True)
        if org_code:
            memberships = memberships.filter(org__code=org_code)
        return list(User.objects.filter(pk__in=memberships.values("user_id")))


class PhoneOrEmployeeNoBackend(ModelBackend):
    """Authenticate by mobile number or by employee number (unique within an organisation)."""

    def authenticate(self, request, username=None, password=None, org_code=None, **kwargs):
        candidates = users_for_identifier(username, org_code)
        if len(candidates) > 1:
            raise AmbiguousLogin(username)
        if len(candidates) == 1:
            user = candidates[0]
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        else:
            User().set_password(password)  # same work as a real check, so timing does not reveal accounts
        return None


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("The password must contain both letters and digits."), code="password_mix")

    def get_help_text(self):
        return _("Your password must contain both letters and digits.")


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    """Cheaper PBKDF2 for one-time passwords only, so that importing 300 people takes seconds, not minutes.

    A one-time password must be replaced at the first login, and Django re-hashes it with the default
    hasher on that login, so the lighter hash never outlives the first use.
    """

    algorithm = "pbkdf2_sha256_otp"
    iterations = 20_000
