"""Forms of patrols: a route with its ordered checkpoints and the scan at a checkpoint."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries
from houqin.core.choices import Role
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Location, Membership, RoleGrant

from ..choices import CheckResult, ScheduleKind
from ..settings import CATEGORY
from .report import PhotosField

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
WALKER_ROLES = (Role.TECHNICIAN, Role.SECURITY, Role.DISPATCHER, Role.LOGISTICS_HEAD)


class PlaceChoiceField(forms.ModelChoiceField):
    """A place shown with its building: "教学楼 · 101教室"."""

    def label_from_instance(self, obj):
        if obj.building_id and obj.building_id != obj.pk:
            return "{} · {}".format(obj.building.name, obj.name)
        return obj.name


class RouteForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=ScheduleKind.choices, initial=ScheduleKind.DAILY)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "---------"), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for weekly rounds."),
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="08:00"
    )
    window_hours = forms.DecimalField(
        label=_("Time allowed (hours)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=1,
        initial=Decimal("2.0"),
        help_text=_("A round with checkpoints not reached this long after its start is missed."),
    )
    responsible = forms.ModelChoiceField(label=_("Responsible"), queryset=Membership.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        walkers = RoleGrant.objects.filter(org=org, role__in=WALKER_ROLES).values("membership")
        self.fields["responsible"].queryset = (
            Membership.objects.filter(is_active=True, pk__in=walkers).select_related("user").order_by("pk")
        )
        self.fields["responsible"].label_from_instance = lambda m: m.user.name


class CheckpointForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    location = PlaceChoiceField(label=_("Place"), queryset=Location.objects.none(), required=False)
    instructions = forms.CharField(
        label=_("What to check"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. fire extinguishers, exits, water leaks")}),
    )

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["location"].queryset = places


class BaseCheckpointFormSet(forms.BaseFormSet):
    def __init__(self, *args, places, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Order")
        form.fields["ORDER"].widget.attrs.update({"class": "form-control", "style": "max-width:5rem"})
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "places": self.places}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), places=self.places)
        self.add_fields(form, None)
        return form

    def entries(self) -> list[dict]:
        """The checkpoints in their chosen order, without removed and empty rows."""
        rows = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("location"):
                continue
            order = data.get("ORDER")
            rows.append((order if order is not None else 10_000, index, data))
        rows.sort(key=lambda row: (row[0], row[1]))
        return [
            {"id": data.get("id"), "location": data["location"], "instructions": data.get("instructions", "")}
            for _order, _index, data in rows
        ]


CheckpointFormSet = forms.formset_factory(
    CheckpointForm, formset=BaseCheckpointFormSet, extra=3, can_order=True, can_delete=True
)


def places(org):
    """Places a checkpoint may be at: every active place of the organisation, in tree order."""
    return Location.objects.filter(is_active=True).select_related("building").order_by("path")


class ScanForm(StyledFormMixin, forms.Form):
    """What the walker answers at a checkpoint: 正常, or 有问题 with what kind, a description, photos, 报修."""

    result = forms.ChoiceField(choices=CheckResult.choices, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("What kind of problem?"), required=False, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos"))
    raise_job = forms.BooleanField(label=_("Report a repair"), required=False, initial=True)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = dictionaries.choices(org, CATEGORY.key)
        self.fields["category"].widget.attrs["class"] = "form-selectgroup-input"
