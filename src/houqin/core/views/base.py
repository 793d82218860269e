"""What every org page stands on: the access decorator, scoped lookups and bounded lists."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render as django_render

from ..access import actor_for_request
from ..forms_base import add_service_errors
from ..permissions import Actor, restrict

PAGE_SIZE = 50
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def org_view(action: str | None = None):
    """Page under /o/<org_code>/: logged in, reaching the org (404 otherwise), allowed ``action`` (403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, org_code, *args, **kwargs):
            actor = actor_for_request(request)
            if action and not actor.can(action):
                raise PermissionDenied
            if actor.via_bureau and request.method not in SAFE_METHODS:
                raise PermissionDenied  # a bureau reads the organisations below it and writes nothing there
            return view(request, *args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def get_for_actor(queryset, actor: Actor, *, view: str, change: str | None = None, **lookup):
    """One row the actor may see (404 otherwise, other orgs included); with ``change``, 403 if read-only."""
    obj = restrict(queryset, actor, view).filter(**lookup).first()
    if obj is None:
        raise Http404
    if change and not restrict(queryset.model.objects.filter(pk=obj.pk), actor, change).exists():
        raise PermissionDenied
    return obj


def row_view(action: str):
    """``@org_view`` for a page about one row that needs ``action``: the view looks the row up itself with
    ``get_row`` (or ``get_for_actor``) — 404 when the organisation has no such row, whoever asks — and only then
    is the action checked (403). Plain ``@org_view(action)`` would refuse someone without it with 403 before
    finding that the id is not of this organisation. ``required_action`` still declares the action (the
    isolation tests read it)."""

    def decorator(view):
        wrapped = org_view(None)(view)
        wrapped.required_action = action
        return wrapped

    return decorator


def get_row(queryset, actor: Actor, *, view: str, change: str | None = None, **lookup):
    """``get_for_actor`` for a ``@row_view`` page: 404 when the URL's organisation has no such row, 403 when
    the actor may not ``view`` (or ``change``) such rows at all, then as ``get_for_actor``."""
    if not queryset.filter(**lookup).exists():  # the URL's organisation only (its scope is open)
        raise Http404
    if not actor.can(view) or (change and not actor.can(change)):
        raise PermissionDenied
    return get_for_actor(queryset, actor, view=view, change=change, **lookup)


def submitted(request, form, save):
    """For a valid POSTed form, what ``save(**cleaned_data)`` (a service) returns; None while the form is to
    be shown (again), with the service's errors on their fields (nothing saved: the service is atomic)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(**form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def filtered(request, filterset_class, queryset, **defaults):
    """``queryset`` through the list's FilterSet (the one the API uses), with ``defaults`` for parameters
    the address leaves out; returns the rows and the parameters for the filter form."""
    params = request.GET.copy()
    for name, value in defaults.items():
        params.setdefault(name, value)
    filterset = filterset_class(params, queryset=queryset, request=request)
    return filterset.qs, {name: params.get(name, "") for name in filterset.filters}


def keyset_page(request, queryset, *, key: str = "pk", size: int = PAGE_SIZE) -> dict:
    """A bounded page ordered by a unique ``key`` ("-id" for newest first), continued with ``?after=``;
    it never counts the table. ``first_query`` is the same filter from the start."""
    field = key.lstrip("-")
    params = request.GET.copy()
    after = params.pop("after", [""])[-1]
    first_query = params.urlencode()
    queryset = queryset.order_by(key)
    if after:
        try:
            after = queryset.model._meta.get_field("id" if field == "pk" else field).to_python(after)
        except ValidationError:
            after = None  # a hand-edited address starts again from the top
        if after is not None:
            queryset = queryset.filter(**{field + ("__lt" if key.startswith("-") else "__gt"): after})
    rows = list(queryset[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_query = None
    if has_more:
        params["after"] = getattr(rows[-1], field)
        next_query = params.urlencode()
    return {"rows": rows, "next_query": next_query, "first_query": first_query, "is_continued": bool(after)}


def render(request, template: str, context: dict | None = None, *, partial: str | None = None, status: int = 200):
    """Render eagerly (inside the org scope); HTMX requests that are not boosted get ``partial``."""
    if partial and request.htmx and not request.htmx.boosted:
        template = partial
    return django_render(request, template, context or {}, status=status)
