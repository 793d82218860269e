"""Forms of a job's own pages: dispatch, edit, finish, confirm, a reason for a move, compensation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Membership

from ..choices import Cause, Urgency
from ..settings import CATEGORY
from .report import AssetCodeField, PhotosField

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PART_FIELDS = ("name", "spec", "unit", "quantity", "unit_cost")
BLANK_PART_LINES = 3


class MembershipChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.user.name


class DispatchForm(StyledFormMixin, forms.Form):
    """派单 / 改派: the template draws ``technicians`` as checkbox groups (own staff, then each party)."""

    technicians = MembershipChoiceField(
        label=_("Technicians"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one technician.")},
    )
    lead = forms.ModelChoiceField(
        label=_("Lead technician"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("The first one chosen"),
        help_text=_("Leave empty: the first one chosen leads."),
    )
    note = forms.CharField(
        label=_("Note for the technicians"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active person of the organisation may be posted; the service says who is not a technician.
        people = Membership.objects.filter(org=org, is_active=True).select_related("user", "party")
        self.fields["technicians"].queryset = people
        self.fields["lead"].queryset = people

    def clean(self):
        data = super().clean()
        lead, chosen = data.get("lead"), data.get("technicians")
        if lead is not None and chosen is not None and lead not in chosen:
            self.add_error("lead", _("The lead must be one of the technicians chosen."))
        return data


class JobEditForm(StyledFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    department = forms.ModelChoiceField(
        label=_("Charged department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("The cost of the repair is charged to this department."),
    )
    response_due = forms.DateTimeField(label=_("Response due"), required=False, widget=DATETIME_INPUT)
    completion_due = forms.DateTimeField(label=_("Completion due"), required=False, widget=DATETIME_INPUT)
    asset = AssetCodeField(
        label=_("Asset code"),
        help_text=_("The asset at fault, by the code on its label; empty for none."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        choices = dictionaries.choices(job.org, CATEGORY.key)
        if job.category not in dict(choices):  # a category the org retired since
            choices.append((job.category, dictionaries.label(job.org, CATEGORY.key, job.category)))
        self.fields["category"].choices = choices
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["response_due"].help_text = _("Changing the category or urgency computes new due times.")


class FinishForm(StyledFormMixin, forms.Form):
    """完工. Part lines are posted as parallel lists (``part_name``…) and handed to the service as they are."""

    work_done = forms.CharField(label=_("Work done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices, widget=forms.RadioSelect)
    labour_hours = forms.DecimalField(
        label=_("Labour hours"),
        required=False,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    contractor_invoice = forms.DecimalField(
        label=_("Contractor invoice (yuan)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    photos = PhotosField(label=_("Photos of the finished work"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_done"].error_messages["required"] = _("Describe the work done.")
        self.fields["cause"].error_messages["required"] = _("Choose the cause of the fault.")


def part_lines(data) -> list[dict]:
    """The part lines of a POST, blank lines left out (the page always offers a few empty ones)."""
    columns = [data.getlist("part_" + name) for name in PART_FIELDS]
    lines = []
    for values in zip(*columns, strict=False):
        line = {name: value.strip() for name, value in zip(PART_FIELDS, values, strict=True)}
        if any(line.values()):
            lines.append(line)
    return lines


def padded_lines(lines: list[dict]) -> list[dict]:
    """Lines to show: those entered, then empty ones up to ``BLANK_PART_LINES`` (at least one empty)."""
    blank = dict.fromkeys(PART_FIELDS, "")
    return [*lines, *[dict(blank) for _i in range(max(BLANK_PART_LINES - len(lines), 1))]]


class ConfirmForm(StyledFormMixin, forms.Form):
    rating = forms.IntegerField(label=_("Rating"), required=False, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Your comment"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class CompensationForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Membership.objects.none())
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(label=_("What was damaged"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Membership.objects.filter(org=org, is_active=True).select_related("user").order_by("employee_no", "pk")
        )
        self.fields["person"].label_from_instance = lambda m: (
            "{} ({})".format(m.user.name, m.employee_no) if m.employee_no else m.user.name
        )
