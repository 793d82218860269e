"""The figures of a period, each linked to the list of exactly the records it counts."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import facts
from .. import permissions as p
from ..forms_base import StyledFormMixin
from .base import org_view, render


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=pgettext_lazy("date range", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("date range", "To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end comes before the start."))
        return cleaned


@org_view(p.FACTS_VIEW)
def fact_list(request):
    """This year so far unless another period is asked for."""
    today = timezone.localdate()
    default = {"start": date(today.year, 1, 1).isoformat(), "end": today.isoformat()}
    form = PeriodForm({**default, **request.GET.dict()})
    found = []
    if form.is_valid():
        found = facts.collect(request.org, form.cleaned_data["start"], form.cleaned_data["end"], actor=request.actor)
    return render(request, "core/facts.html", {"form": form, "facts": found, "nav_active": "facts"})
