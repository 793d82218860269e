"""The one filter of each list: the page, the API, the Excel export and the facts use the same FilterSet."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.facts import DateRangeFilters
from houqin.core.models import Department, Location

from .choices import CLOSED_STATES, OPEN_STATES, Cause, JobSource, JobState, PlanSchedule, RoundState, Urgency
from .models import Incident, Job, JobAssignment, MaintenancePlan, PatrolRound

REPEAT_DAYS = 30  # a fault at the same place and category within this many days is a repeat (返修率)


def overdue_q(now) -> Q:
    """Open jobs past their completion target, or past their response target with nobody on it yet."""
    return Q(state__in=OPEN_STATES) & (
        Q(completion_due__lt=now) | Q(response_due__lt=now, accepted_at__isnull=True, started_at__isnull=True)
    )


def sla_met_q() -> Q:
    """Finished (at least once, and not sent back since) by the completion target."""
    return Q(finished_at__isnull=False, completion_due__isnull=False, finished_at__lte=F("completion_due"))


def sla_missed_q(now) -> Q:
    """Finished after the target, or still open past it."""
    return Q(finished_at__isnull=False, finished_at__gt=F("completion_due")) | Q(
        finished_at__isnull=True, state__in=OPEN_STATES, completion_due__lt=now
    )


def _within(model, pk):
    place = model.objects.filter(pk=pk).only("path").first()
    return place.path if place else None


class JobFilterSet(DateRangeFilters):
    date_field = "reported_at"

    state = filters.MultipleChoiceFilter(choices=JobState.choices, label=_("Status"))
    stage = filters.ChoiceFilter(
        method="filter_stage",
        choices=[("open", _("Still open")), ("finished", _("Awaiting confirmation")), ("closed", _("Closed jobs"))],
        label=_("Stage"),
    )
    category = filters.CharFilter(field_name="category", label=_("Category (code)"))
    categories = filters.CharFilter(method="filter_categories", label=_("Categories (codes, comma-separated)"))
    other_categories = filters.CharFilter(
        method="filter_other_categories", label=_("Categories other than these (codes, comma-separated)")
    )
    urgency = filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    source = filters.ChoiceFilter(choices=JobSource.choices, label=_("Source"))
    cause = filters.ChoiceFilter(choices=Cause.choices, label=_("Cause"))
    building = filters.NumberFilter(field_name="building", label=_("Building (location id)"))
    location = filters.NumberFilter(method="filter_location", label=_("Place, and everything inside it (id)"))
    department = filters.NumberFilter(method="filter_department", label=_("Charged department and below (id)"))
    charged_to = filters.NumberFilter(field_name="department", label=_("Charged department only (id)"))
    technician = filters.NumberFilter(method="filter_technician", label=_("Technician (person id)"))
    party = filters.NumberFilter(field_name="party", label=_("Contractor (party id)"))
    in_house = filters.BooleanFilter(method="filter_in_house", label=_("Done by own staff"))
    reporter = filters.NumberFilter(field_name="reporter", label=_("Reporter (person id)"))
    plan = filters.NumberFilter(field_name="plan", label=_("Maintenance plan (id)"))
    incident = filters.NumberFilter(field_name="incident", label=_("Emergency (id)"))
    asset = filters.NumberFilter(field_name="asset", label=_("Asset (id)"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    sla = filters.ChoiceFilter(
        method="filter_sla", choices=[("met", _("Target met")), ("missed", _("Target missed"))], label=_("SLA")
    )
    rated = filters.BooleanFilter(field_name="rating", lookup_expr="isnull", exclude=True, label=_("Rated"))
    reopened = filters.BooleanFilter(method="filter_reopened", label=_("Sent back at least once"))
    repeat = filters.BooleanFilter(
        method="filter_repeat", label=_("Repeat fault (same place and category within 30 days)")
    )
    q = filters.CharFilter(method="filter_q", label=_("Number or description contains"))

    class Meta:
        model = Job
        fields = [
            "state",
            "stage",
            "category",
            "categories",
            "other_categories",
            "urgency",
            "source",
            "cause",
            "building",
            "location",
            "department",
            "charged_to",
            "technician",
            "party",
            "in_house",
            "reporter",
            "plan",
            "incident",
            "asset",
            "overdue",
            "sla",
            "rated",
            "reopened",
            "repeat",
            "q",
            "start",
            "end",
        ]

    def filter_stage(self, queryset, name, value):
        states = {"open": OPEN_STATES, "finished": (JobState.FINISHED,), "closed": CLOSED_STATES}[value]
        return queryset.filter(state__in=states)

    def filter_categories(self, queryset, name, value):
        return queryset.filter(category__in=[code.strip() for code in value.split(",") if code.strip()])

    def filter_other_categories(self, queryset, name, value):
        return queryset.exclude(category__in=[code.strip() for code in value.split(",") if code.strip()])

    def filter_reopened(self, queryset, name, value):
        return queryset.filter(reopen_count__gt=0) if value else queryset.filter(reopen_count=0)

    def filter_location(self, queryset, name, value):
        path = _within(Location, value)
        return queryset.filter(location__path__startswith=path) if path else queryset.none()

    def filter_department(self, queryset, name, value):
        path = _within(Department, value)
        return queryset.filter(department__path__startswith=path) if path else queryset.none()

    def filter_technician(self, queryset, name, value):
        on_job = JobAssignment.objects.filter(user_id=value, removed_at__isnull=True).values("job_id")
        return queryset.filter(pk__in=on_job)

    def filter_in_house(self, queryset, name, value):
        return queryset.filter(party__isnull=value)

    def filter_overdue(self, queryset, name, value):
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_sla(self, queryset, name, value):
        return queryset.filter(sla_met_q() if value == "met" else sla_missed_q(timezone.now()))

    def filter_repeat(self, queryset, name, value):
        # The flag is kept by services/repeats.py, which holds the rule.
        return queryset.filter(is_repeat=value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(description__icontains=value))


class IncidentFilterSet(DateRangeFilters):
    date_field = "occurred_at"

    kind = filters.CharFilter(field_name="kind", label=_("Kind (code)"))
    building = filters.NumberFilter(field_name="building", label=_("Building (location id)"))
    resolved = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", exclude=True, label=_("Resolved"))
    q = filters.CharFilter(method="filter_q", label=_("Number or text contains"))

    class Meta:
        model = Incident
        fields = ["kind", "building", "resolved", "q", "start", "end"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(impact__icontains=value))


class PlanFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    schedule = filters.ChoiceFilter(choices=PlanSchedule.choices, label=_("Schedule"))
    category = filters.CharFilter(field_name="category", label=_("Category (code)"))
    location = filters.NumberFilter(method="filter_location", label=_("Place, and everything inside it (id)"))
    assignee = filters.NumberFilter(field_name="assignee", label=_("Dispatched to (membership id)"))
    asset = filters.NumberFilter(field_name="asset", label=_("Asset (id)"))
    is_active = filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = MaintenancePlan
        fields = ["q", "schedule", "category", "location", "assignee", "asset", "is_active"]

    def filter_location(self, queryset, name, value):
        path = _within(Location, value)
        return queryset.filter(location__path__startswith=path) if path else queryset.none()


class PatrolRoundFilterSet(DateRangeFilters):
    """The rounds list (page and API): by route, status (missed included) and scheduled day."""

    date_field = "scheduled_for"

    route = filters.NumberFilter(field_name="route", label=_("Route (id)"))
    state = filters.ChoiceFilter(choices=RoundState.choices, label=_("Status"))

    class Meta:
        model = PatrolRound
        fields = ["route", "state", "start", "end"]
