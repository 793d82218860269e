"""赔偿: settle a compensation (paid or waived); the list of them is a panel on the person's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions as p
from ..compensation import compensation_settle, source_url
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import Compensation, CompensationState
from ..permissions import restrict
from .base import get_for_actor, org_view, render


class SettleForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Settled as"),
        choices=[
            (CompensationState.PAID, CompensationState.PAID.label),
            (CompensationState.WAIVED, CompensationState.WAIVED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Required when it is waived: say why."),
    )


def person_compensations(actor, membership) -> list[Compensation]:
    """The person's compensations the actor may read, each with the link to its source record (if any)."""
    if not actor.can(p.COMPENSATION_VIEW):
        return []
    rows = list(
        restrict(Compensation.objects.filter(person=membership), actor, p.COMPENSATION_VIEW).select_related(
            "recorded_by", "org"
        )[:100]
    )
    for row in rows:
        row.source_url = source_url(row)
    return rows


@org_view(p.COMPENSATION_VIEW)  # manage is checked on the row (404 for rows of other orgs)
def compensation_settle_view(request, pk):
    compensation = get_for_actor(
        Compensation.objects.select_related("person__user"),
        request.actor,
        pk=pk,
        view=p.COMPENSATION_VIEW,
        change=p.COMPENSATION_MANAGE,
    )
    form = SettleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            compensation_settle(actor=request.actor, compensation=compensation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Compensation settled."))
            return redirect("core:person_detail", request.org.code, compensation.person_id)
    return render(
        request,
        "core/object_form.html",
        {
            "form": form,
            "title": _("Settle compensation"),
            "subject": "{} · ¥{} · {}".format(compensation.person.user.name, compensation.amount, compensation.reason),
            "nav_active": "people",
        },
    )
