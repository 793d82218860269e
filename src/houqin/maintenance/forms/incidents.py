"""Forms of incidents: a short one for the phone at night, the full one for filling in later."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries
from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Location

from ..settings import CATEGORY, INCIDENT_KIND

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _places():
    return Location.objects.filter(is_active=True).order_by("path")


class IncidentCreateForm(StyledFormMixin, forms.Form):
    """Recorded in under a minute: what (one tap), where (optional), a repair job at once (one tap)."""

    kind = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("In a few words"),
        max_length=100,
        required=False,
        help_text=_("Left empty, the kind is used, e.g. “Burst pipe”."),
    )
    location = TreeChoiceField(label=_("Where"), queryset=Location.objects.none(), required=False)
    create_job = forms.BooleanField(
        label=_("Also send an emergency repair job"),
        required=False,
        help_text=_("Technicians are told at once; the job is counted around the clock."),
    )
    job_category = forms.ChoiceField(
        label=_("Repair category"),
        required=False,
        help_text=_("Left empty, it follows from the kind of emergency."),
    )
    occurred_at = forms.DateTimeField(label=_("When"), widget=_datetime_widget(), input_formats=[DATETIME_FORMAT])

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = dictionaries.choices(org, INCIDENT_KIND.key)
        self.fields["location"].queryset = _places()
        self.fields["job_category"].choices = [("", "---------"), *dictionaries.choices(org, CATEGORY.key)]
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime(DATETIME_FORMAT))
        # The kind is picked by big buttons, not by the usual radio look.
        self.fields["kind"].widget.attrs["class"] = "btn-check"


class IncidentForm(StyledFormMixin, forms.Form):
    """Everything, for filling in the impact, measures and follow-up once the night is over."""

    kind = forms.ChoiceField(label=_("What happened"))
    title = forms.CharField(label=_("In a few words"), max_length=100, required=False)
    location = TreeChoiceField(label=_("Where"), queryset=Location.objects.none(), required=False)
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), widget=_datetime_widget(), input_formats=[DATETIME_FORMAT]
    )
    on_site_at = forms.DateTimeField(
        label=_("On site"), widget=_datetime_widget(), input_formats=[DATETIME_FORMAT], required=False
    )
    resolved_at = forms.DateTimeField(
        label=_("Resolved"), widget=_datetime_widget(), input_formats=[DATETIME_FORMAT], required=False
    )
    impact = forms.CharField(
        label=_("Impact on work"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. surgery delayed by 2 hours, two classes moved."),
    )
    measures = forms.CharField(
        label=_("Measures taken"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, org, current_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        kinds = dictionaries.choices(org, INCIDENT_KIND.key)
        if current_kind and current_kind not in dict(kinds):  # a kind the org retired since
            kinds.append((current_kind, dictionaries.label(org, INCIDENT_KIND.key, current_kind)))
        self.fields["kind"].choices = kinds
        self.fields["location"].queryset = _places()


class LinkJobForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Repair job number"), max_length=30, help_text=_("E.g. BX-2026-00042."))

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).upper()
