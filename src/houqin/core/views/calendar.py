"""The org's calendar: its own holiday and make-up-day table, its terms and breaks (settings pages)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

import chinese_calendar
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import orgsettings, terms, workcalendar
from .. import permissions as p
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import CalendarDay, CalendarDayKind, Term, TermKind
from ..permissions import restrict
from .base import get_for_actor, keyset_page, org_view, render

orgsettings.register_page(
    orgsettings.SettingsPage(
        key="calendar.days",
        label=gettext_lazy("Holidays and make-up working days"),
        url_name="core:calendar_day_list",
        section=workcalendar.WORKING_HOURS_SETTING.section,
        description=gettext_lazy(
            "Days off and make-up working days of the organisation; needed for years the built-in calendar lacks."
        ),
    )
)
orgsettings.register_page(
    orgsettings.SettingsPage(
        key="calendar.terms",
        label=gettext_lazy("Terms and breaks"),
        url_name="core:term_list",
        section=workcalendar.WORKING_HOURS_SETTING.section,
        description=gettext_lazy("School terms, winter and summer breaks, used by reports and plans."),
    )
)

DATE_INPUT = {"type": "date"}
TERMS_PER_YEAR_SHOWN = 200  # a bound, not a page: a real year has a handful


class CalendarDayForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs=DATE_INPUT))
    end = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT),
        help_text=gettext_lazy("Optional: the last day of a block, e.g. of the Spring Festival; each day is entered."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)


class CalendarDayEditForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs=DATE_INPUT))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)


class TermForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=50, help_text=gettext_lazy("e.g. 2026–2027 first term")
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TermKind.choices)
    start = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs=DATE_INPUT))
    end = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs=DATE_INPUT))


# Holidays and make-up days -------------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate(timezone=workcalendar.CALENDAR_TZ).year
    return min(max(year, 2000), 2100)


def _ranges(days: list[date]) -> str:
    """[10-01 … 10-07, 10-10] as "10-01 – 10-07, 10-10"."""
    runs = groupby(enumerate(sorted(days)), key=lambda pair: pair[1] - timedelta(days=pair[0]))
    texts = []
    for _key, run in runs:
        run_days = [day for _index, day in run]
        first, last = run_days[0].strftime("%m-%d"), run_days[-1].strftime("%m-%d")
        texts.append(first if first == last else "{} – {}".format(first, last))
    return ", ".join(texts)


def _national_days(year: int) -> list[dict]:
    """What the built-in calendar says for ``year``: per holiday, its days off and its make-up working days."""
    chinese = translation.get_language().startswith("zh")
    names = {holiday.value: holiday.chinese if chinese else holiday.value for holiday in chinese_calendar.Holiday}
    found: dict[str, dict] = {}
    for source, key in ((chinese_calendar.holidays, "off"), (chinese_calendar.workdays, "working")):
        for day, name in source.items():
            if day.year == year:
                found.setdefault(name, {"off": [], "working": []})[key].append(day)
    rows = [
        {"name": names.get(name, name), "off": _ranges(days["off"]), "working": _ranges(days["working"])}
        for name, days in found.items()
    ]
    return sorted(rows, key=lambda row: row["off"] or row["working"])


@org_view(p.CALENDAR_VIEW)
def calendar_day_list(request):
    year = _year(request)
    entries = restrict(CalendarDay.objects.filter(date__year=year), request.actor, p.CALENDAR_VIEW)
    return render(
        request,
        "core/calendar_day_list.html",
        {
            "page": keyset_page(request, entries, key="date"),
            "year": year,
            "years": [year - 1, year + 1],
            "covered": workcalendar.national_calendar_covers(year),
            "national": _national_days(year),
            "working_hours": workcalendar.format_working_hours(
                orgsettings.value(request.org, workcalendar.WORKING_HOURS)
            ),
            "history": CalendarDay.history.filter(org=request.org, date__year=year),
            "can_manage": request.actor.can(p.CALENDAR_MANAGE) and not request.actor.via_bureau,
            "nav_active": "settings",
        },
    )


@org_view(p.CALENDAR_MANAGE)
def calendar_day_create(request):
    form = CalendarDayForm(request.POST or None, initial={"start": request.GET.get("date")})
    if request.method == "POST" and form.is_valid():
        try:
            entries = workcalendar.calendar_day_add(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("{count} day(s) entered.").format(count=len(entries)))
            return redirect(_list_url(request, entries[0].date.year))
    return render(
        request,
        "core/calendar_form.html",
        {"form": form, "title": _("Enter days off or make-up working days"), "nav_active": "settings"},
    )


@org_view(p.CALENDAR_MANAGE)
def calendar_day_edit(request, pk):
    entry = _entry(request, pk)
    initial = {"date": entry.date, "kind": entry.kind, "name": entry.name}
    form = CalendarDayEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workcalendar.calendar_day_update(actor=request.actor, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_list_url(request, entry.date.year))
    return render(
        request,
        "core/calendar_form.html",
        {
            "form": form,
            "title": _("Edit calendar day"),
            "subject": entry,
            "delete_url": "core:calendar_day_delete",
            "object": entry,
            "nav_active": "settings",
        },
    )


@org_view(p.CALENDAR_MANAGE)
@require_POST
def calendar_day_delete(request, pk):
    entry = _entry(request, pk)
    workcalendar.calendar_day_delete(actor=request.actor, entry=entry)
    messages.success(request, _("{day} removed; it follows the national calendar again.").format(day=entry))
    return redirect(_list_url(request, entry.date.year))


def _entry(request, pk) -> CalendarDay:
    return get_for_actor(
        CalendarDay.objects.all(), request.actor, pk=pk, view=p.CALENDAR_VIEW, change=p.CALENDAR_MANAGE
    )


def _list_url(request, year: int) -> str:
    return "{}?year={}".format(reverse("core:calendar_day_list", args=[request.org.code]), year)


# Terms and breaks ------------------------------------------------------------------------------------


@org_view(p.CALENDAR_VIEW)
def term_list(request):
    """The terms and breaks that touch one calendar year (a few rows; same-kind terms never overlap)."""
    year = _year(request)
    rows = restrict(
        terms.terms_between(request.org, date(year, 1, 1), date(year, 12, 31)), request.actor, p.CALENDAR_VIEW
    )
    today = timezone.localdate(timezone=workcalendar.CALENDAR_TZ)
    return render(
        request,
        "core/term_list.html",
        {
            "rows": list(rows[:TERMS_PER_YEAR_SHOWN]),
            "year": year,
            "years": [year - 1, year + 1],
            "current": terms.term_at(request.org, today),
            "history": Term.history.filter(org=request.org, start__lte=date(year, 12, 31), end__gte=date(year, 1, 1)),
            "can_manage": request.actor.can(p.CALENDAR_MANAGE) and not request.actor.via_bureau,
            "nav_active": "settings",
        },
    )


@org_view(p.CALENDAR_MANAGE)
def term_create(request):
    form = TermForm(request.POST or None, initial={"kind": request.GET.get("kind", TermKind.TERM)})
    if request.method == "POST" and form.is_valid():
        try:
            term = terms.term_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“{name}” added.").format(name=term.name))
            return redirect(_term_list_url(request, term))
    return render(
        request, "core/calendar_form.html", {"form": form, "title": _("New term or break"), "nav_active": "settings"}
    )


@org_view(p.CALENDAR_MANAGE)
def term_edit(request, pk):
    term = _term(request, pk)
    initial = {name: getattr(term, name) for name in ("name", "kind", "start", "end")}
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            terms.term_update(actor=request.actor, term=term, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_term_list_url(request, term))
    return render(
        request,
        "core/calendar_form.html",
        {
            "form": form,
            "title": _("Edit term or break"),
            "subject": term,
            "delete_url": "core:term_delete",
            "object": term,
            "nav_active": "settings",
        },
    )


@org_view(p.CALENDAR_MANAGE)
@require_POST
def term_delete(request, pk):
    term = _term(request, pk)
    terms.term_delete(actor=request.actor, term=term)
    messages.success(request, _("“{name}” removed.").format(name=term.name))
    return redirect(_term_list_url(request, term))


def _term_list_url(request, term: Term) -> str:
    return "{}?year={}".format(reverse("core:term_list", args=[request.org.code]), term.start.year)


def _term(request, pk) -> Term:
    return get_for_actor(Term.objects.all(), request.actor, pk=pk, view=p.CALENDAR_VIEW, change=p.CALENDAR_MANAGE)
