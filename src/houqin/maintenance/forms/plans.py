"""The form of a maintenance plan (定期检修)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries
from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Location, Membership, TermKind

from ..choices import IntervalUnit, PlanSchedule, Urgency
from ..models import MaintenancePlan
from ..services.jobs import technicians
from ..services.plans import MAX_BREAK_OFFSET
from ..settings import CATEGORY
from .report import AssetCodeField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCHEDULE_FIELDS = {
    PlanSchedule.INTERVAL: ("interval_count", "interval_unit"),
    PlanSchedule.DATES: ("fixed_dates",),
    PlanSchedule.BREAK: ("break_kind", "break_offset_days"),
}


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "{} · {}".format(obj.user.name, obj.party.name) if obj.party_id else obj.user.name


class PlanForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Boiler room check before heating"))
    asset = AssetCodeField(
        label=_("Asset code"),
        help_text=_("A plan for one asset (a boiler, a lift): its jobs name the asset. Empty for none."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    location = TreeChoiceField(
        label=_("Place"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("Empty: the asset's place."),
    )
    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(label=_("What to do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    schedule = forms.ChoiceField(label=_("Repeats"), choices=PlanSchedule.choices, initial=PlanSchedule.INTERVAL)
    interval_count = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=365,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    interval_unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "---------"), *IntervalUnit.choices], required=False
    )
    fixed_dates = forms.CharField(
        label=_("Dates each year"),
        max_length=200,
        required=False,
        help_text=_("Month-day pairs, e.g. 11-10, 03-01."),
    )
    break_kind = forms.ChoiceField(
        label=_("Break"),
        choices=[
            ("", "---------"),
            (TermKind.SUMMER_BREAK, TermKind.SUMMER_BREAK.label),
            (TermKind.WINTER_BREAK, TermKind.WINTER_BREAK.label),
        ],
        required=False,
        help_text=_("The breaks are those entered under Settings → Terms and breaks."),
    )
    break_offset_days = forms.IntegerField(
        label=_("Days into the break"),
        min_value=0,
        max_value=MAX_BREAK_OFFSET,
        required=False,
        initial=0,
        help_text=_("0: its first day; 2: its third day."),
    )
    starts_on = forms.DateField(
        label=_("First date"), widget=DATE_INPUT, help_text=_("No job is made for earlier dates.")
    )
    lead_days = forms.IntegerField(
        label=_("Make the job days ahead"),
        min_value=0,
        max_value=60,
        initial=0,
        required=False,
        help_text=_("0: the job appears on its date."),
    )
    assignee = TechnicianChoiceField(
        label=_("Dispatch to"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("Leave empty to dispatch each job from the board."),
    )

    def __init__(self, *args, org, plan: MaintenancePlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        categories = dictionaries.choices(org, CATEGORY.key)
        if plan is not None and plan.category and plan.category not in dict(categories):  # retired since
            categories.append((plan.category, dictionaries.label(org, CATEGORY.key, plan.category)))
        self.fields["category"].choices = [("", "---------"), *categories]
        places = Location.objects.filter(is_active=True)
        if plan is not None:
            places = places | Location.objects.filter(pk=plan.location_id)
        self.fields["location"].queryset = places.order_by("path")
        people = technicians(org)
        if plan is not None and plan.assignee_id:
            people = people | Membership.objects.filter(pk=plan.assignee_id)  # gone since: kept
        self.fields["assignee"].queryset = people.select_related("user", "party").order_by("user__name", "pk")

    def clean(self):
        data = super().clean()
        data["break_offset_days"] = data.get("break_offset_days") or 0
        data["lead_days"] = data.get("lead_days") or 0
        return data

    def schedule_groups(self) -> list[tuple[str, list]]:
        """The fields of each schedule, shown only while that schedule is chosen."""
        return [(kind, [self[name] for name in names]) for kind, names in SCHEDULE_FIELDS.items()]


class PlanEditForm(PlanForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("A paused plan makes no jobs; its jobs stay.")
    )
