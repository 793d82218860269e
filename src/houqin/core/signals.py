"""Write logins, failed logins, lockouts and logouts to the security log (org_admin reads it); a login renews
the session."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .auth import users_for_identifier
from .choices import SecurityEventKind
from .middleware import mark_renewed
from .services import security_event_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.LOGIN, request=request, user=user)
    if hasattr(request, "session"):
        mark_renewed(request.session)  # the login saves the session with a fresh expiry


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("username", "") or ""
    matches = users_for_identifier(identifier, credentials.get("org_code"))
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        request=request,
        user=matches[0] if len(matches) == 1 else None,
        identifier=identifier,
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    matches = users_for_identifier(username or "")
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT,
        request=request,
        user=matches[0] if len(matches) == 1 else None,
        identifier=username or "",
    )
