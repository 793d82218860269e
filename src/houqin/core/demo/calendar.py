"""Demo calendar: the 2027 holiday table as the demo organisations would enter it, the 2026–2027 school
year of the school and the kindergarten, and the hospital's critical places.

The State Council had not announced the 2027 holidays when this was written, so the rows are the
organisations' own provisional entries, and their names say so."""

from __future__ import annotations

from datetime import date, timedelta

from .. import orgcache
from ..models import CalendarDay, CalendarDayKind, Location, Term, TermKind
from .loader import DemoContext, register

NEW_YEAR = "元旦（本单位录入）"
SPRING = "春节（本单位暂定）"
SPRING_WORKDAY = "春节调休上班（本单位暂定）"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


HOLIDAYS_2027 = [
    (date(2027, 1, 1), CalendarDayKind.HOLIDAY, NEW_YEAR),
    *[(day, CalendarDayKind.HOLIDAY, SPRING) for day in _days(date(2027, 2, 5), date(2027, 2, 13))],
    (date(2027, 2, 14), CalendarDayKind.WORKDAY, SPRING_WORKDAY),
    (date(2027, 2, 20), CalendarDayKind.WORKDAY, SPRING_WORKDAY),
]

TERMS = {
    "qyzx": [
        ("2026—2027学年第一学期", TermKind.TERM, date(2026, 9, 1), date(2027, 1, 22)),
        ("2027年寒假", TermKind.WINTER_BREAK, date(2027, 1, 23), date(2027, 2, 21)),
        ("2026—2027学年第二学期", TermKind.TERM, date(2027, 2, 22), date(2027, 7, 2)),
        ("2027年暑假", TermKind.SUMMER_BREAK, date(2027, 7, 3), date(2027, 8, 31)),
    ],
    # A kindergarten keeps children longer: shorter breaks, later ends of term.
    "qyzx-yey": [
        ("2026—2027学年第一学期", TermKind.TERM, date(2026, 9, 1), date(2027, 1, 29)),
        ("2027年寒假", TermKind.WINTER_BREAK, date(2027, 1, 30), date(2027, 2, 21)),
        ("2026—2027学年第二学期", TermKind.TERM, date(2027, 2, 22), date(2027, 7, 16)),
        ("2027年暑假", TermKind.SUMMER_BREAK, date(2027, 7, 17), date(2027, 8, 31)),
    ],
}

HOSPITAL = "qyxrmyy"
CRITICAL_NAMES = ("手术间", "麻醉复苏室", "ICU病房区", "抢救室", "急诊室")


@register
def load_calendar(ctx: DemoContext) -> None:
    new_days, new_terms = [], []
    orgs = [org for org in ctx.orgs.values() if org.kind != "bureau"]
    entered = set(CalendarDay.objects.filter(org__in=orgs).values_list("org_id", "date"))
    for org in orgs:
        new_days += [
            CalendarDay(org=org, date=day, kind=kind, name=name)
            for day, kind, name in HOLIDAYS_2027
            if (org.pk, day) not in entered
        ]
    for org_code, rows in TERMS.items():
        org = ctx.orgs.get(org_code)
        if org is None:
            continue
        existing = set(Term.objects.filter(org=org).values_list("name", "kind"))
        new_terms += [
            Term(org=org, name=name, kind=kind, start=start, end=end)
            for name, kind, start, end in rows
            if (name, kind) not in existing
        ]
    for model, rows in ((CalendarDay, new_days), (Term, new_terms)):
        if rows:
            model.history.bulk_history_create(model.objects.bulk_create(rows))
    orgcache.changed(org.pk for org in ctx.orgs.values())  # bulk_create sends no signals
    hospital = ctx.orgs.get(HOSPITAL)
    # Marked once: a hospital whose admin has chosen its critical places is left as it is.
    if hospital is not None and not Location.objects.filter(org=hospital, is_critical=True).exists():
        for (org_code, _code), location in ctx.locations.items():
            if org_code == HOSPITAL and any(name in location.name for name in CRITICAL_NAMES):
                location.is_critical = True
                location.save(update_fields=["is_critical"])
