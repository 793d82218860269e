"""Request plumbing: the organisation scope from the URL, the first-login password change, and keeping a
used session alive."""

import time
from functools import cache

from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import orgcache
from .models import Organization
from .tenancy import org_scope, scopes_disabled


class SessionRenewalMiddleware:
    """A session ends SESSION_COOKIE_AGE after its last request: a request renews it (a new expiry in the
    database and in the cookie) when the last renewal is a minute old. Saving it on every request, as
    SESSION_SAVE_EVERY_REQUEST does, cost each page a write and a commit."""

    RENEW_AFTER = 60  # seconds: the idle limit is kept to within a minute

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        # Only a session this request already read (a logged-in person's): loading one to renew it would
        # add a query to every request.
        used = session.accessed and session.session_key and not session.is_empty()
        if used and time.time() - session.get("renewed_at", 0) >= self.RENEW_AFTER:
            mark_renewed(session)
        return response


def mark_renewed(session) -> None:
    """The session was just saved with a new expiry (a renewal, or the login that made it)."""
    session["renewed_at"] = int(time.time())


class OrgScopeMiddleware:
    """Open the org scope named by ``<org_code>`` in the URL for the whole request, rendering included.

    Access (membership, bureau, roles) is checked by the view through ``actor_for_request``; this only
    makes sure that every domain query in the request is limited to the URL's organisation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        try:
            return self.get_response(request)
        finally:
            scope = getattr(request, "_org_scope", None)
            if scope is not None:
                scope.__exit__(None, None, None)
            orgcache.request_finished()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "org_code" in view_kwargs:
            org = _active_org(view_kwargs["org_code"])
            if org is None:
                raise Http404
            request.org = org
            scope = org_scope(org)
        elif request.path_info.startswith("/admin/"):
            scope = scopes_disabled()  # platform admin (superusers) sees every organisation
        else:
            return None
        scope.__enter__()
        request._org_scope = scope
        return None


@cache
def _org_sql() -> tuple[str, list[str]]:
    columns = [field.column for field in Organization._meta.concrete_fields]
    table = connection.ops.quote_name(Organization._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    return "SELECT {} FROM {} WHERE code = %s AND is_active".format(names, table), columns


def _active_org(code: str) -> Organization | None:
    """The active organisation of the URL. Every request under /o/ and /api/v1/o/ reads it, so the statement
    is written once: the ORM would spend twice the database's time composing it each time."""
    sql, columns = _org_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    return Organization.from_db(connection.alias, columns, row) if row else None


class PasswordChangeRequiredMiddleware:
    """People with a one-time password must set their own before doing anything else."""

    ALLOWED = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": _("Change your one-time password before using the API.")}, status=403)
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path_info not in allowed and not request.path_info.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
