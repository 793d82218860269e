"""Disposal pages (报废/处置): the list, a new request for ticked assets or typed codes, one disposal with its
approval progress, the printed 资产处置审批表, and withdrawing one's own request."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery, Sum
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.core import printing
from houqin.core.excel import xlsx_export
from houqin.core.forms_base import StyledFormMixin
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import DisposalMethod, DisposalState
from ..filtersets.disposals import DisposalFilterSet
from ..models import Disposal, DisposalLine
from ..services.disposals import disposal_request, disposal_withdraw, method_errors
from .transfers import (
    AssetIdsField,
    AssetPickMixin,
    approval_context,
    approval_notes,
    approval_with_steps,
    decorate_assets,
    picked_from_query,
)

NAV = "assets_disposals"
STATE_COLOURS = {
    DisposalState.PENDING: "warning",
    DisposalState.DONE: "dark",
    DisposalState.REJECTED: "danger",
    DisposalState.WITHDRAWN: "secondary",
}


class DisposalForm(AssetPickMixin, StyledFormMixin, forms.Form):
    assets = AssetIdsField(required=False)
    codes = forms.CharField(
        label=gettext_lazy("Add assets by code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("One code per line, or separated by spaces or commas (a scanner types them too)."),
    )
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=DisposalMethod.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("E.g. past its useful life and beyond repair (see the repair record)."),
    )
    proceeds = forms.DecimalField(
        label=gettext_lazy("Proceeds (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=gettext_lazy("Received from a sale or as scrap value; 0 if none."),
    )
    recipient = forms.CharField(
        label=gettext_lazy("Recipient"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The receiving unit, buyer or recipient of a donation; for scrapping, the recycler."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.picked = []

    def clean(self):
        data = super().clean()
        self.pick(self.actor, data)
        # Shown with the form's own errors, so that everything wrong is said at once (the service checks again).
        if "method" in data:
            found = method_errors(data["method"], data.get("recipient", ""), data.get("proceeds"))
            for field, message in found.items():
                if not self.has_error(field):
                    self.add_error(field, message)
        return data


def _disposals():
    return Disposal.objects.select_related("requested_by__user")


def _can_request(request) -> bool:
    return request.actor.can(p.DISPOSAL_REQUEST) and not request.actor.via_bureau


@org_view(p.DISPOSAL_VIEW)
def disposal_list(request):
    rows, filters = filtered(request, DisposalFilterSet, restrict(_disposals(), request.actor, p.DISPOSAL_VIEW))
    first = DisposalLine.objects.filter(disposal=OuterRef("pk")).order_by("pk")
    values = DisposalLine.objects.filter(disposal=OuterRef("pk")).order_by().values("disposal")
    rows = rows.annotate(
        asset_count=Subquery(
            DisposalLine.objects.filter(disposal=OuterRef("pk"))
            .order_by()
            .values("disposal")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        first_name=Subquery(first.values("asset__name")[:1]),
        original_value=Subquery(values.annotate(total=Sum("asset__original_value")).values("total")[:1]),
    )
    page = keyset_page(request, rows, key="-id")
    for disposal in page["rows"]:
        disposal.state_colour = STATE_COLOURS.get(disposal.state, "secondary")
        disposal.more_assets = disposal.asset_count - 1
    filters["state"] = request.GET.getlist("state")
    filters["method"] = request.GET.getlist("method")
    return render(
        request,
        "assets/disposal_list.html",
        {
            "page": page,
            "filters": filters,
            "states": DisposalState.choices,
            "methods": DisposalMethod.choices,
            "can_request": _can_request(request),
            "nav_active": NAV,
        },
    )


@org_view(p.DISPOSAL_VIEW)
def disposal_export(request):
    """The filtered list as .xlsx, one line per asset (with its value and net book value when requested)."""
    rows, _filters = filtered(
        request, DisposalFilterSet, restrict(Disposal.objects.all(), request.actor, p.DISPOSAL_VIEW)
    )
    lines = (
        DisposalLine.objects.filter(disposal__in=rows.values("pk"))
        .select_related("asset__department", "asset__category", "disposal__requested_by__user")
        .order_by("-disposal_id", "pk")
    )
    return xlsx_export(
        request,
        lines,
        [
            (_("Disposal number"), "disposal.code"),
            (_("Status"), lambda line: line.disposal.get_state_display()),
            (_("Method"), lambda line: line.disposal.get_method_display()),
            (_("Asset code"), "asset.code"),
            (_("Name"), "asset.name"),
            (_("Category"), "asset.category.name"),
            (_("Owning department"), "asset.department.name"),
            (_("Finance booking date"), "asset.booked_on"),
            (_("Original value"), "asset.original_value"),
            (_("Net book value when requested"), "net_value"),
            (_("Status before"), lambda line: line.get_status_before_display()),
            (_("Reason"), "disposal.reason"),
            (_("Recipient"), "disposal.recipient"),
            (_("Proceeds (whole disposal)"), "disposal.proceeds"),
            (_("Requested by"), "disposal.requested_by.user.name"),
            (
                _("Requested"),
                lambda line: timezone.localtime(line.disposal.requested_at).replace(tzinfo=None),
            ),
            (_("Disposed of on"), "disposal.done_on"),
        ],
        _("Disposals"),
    )


@org_view(p.DISPOSAL_REQUEST)
def disposal_create(request):
    form = DisposalForm(request.POST or None, actor=request.actor, initial={"proceeds": 0})
    disposal = submitted(request, form, lambda **data: disposal_request(actor=request.actor, **data))
    if disposal is not None:
        messages.success(request, _("Disposal {code} was submitted for approval.").format(code=disposal.code))
        return redirect("assets:disposal_detail", request.org.code, disposal.pk)
    picked = form.picked if form.is_bound else picked_from_query(request, request.actor)
    return render(
        request,
        "assets/disposal_form.html",
        {"form": form, "picked": decorate_assets(picked), "nav_active": NAV},
    )


def _disposal(request, pk) -> Disposal:
    return get_row(_disposals(), request.actor, view=p.DISPOSAL_VIEW, pk=pk)


def _lines(disposal: Disposal) -> list[DisposalLine]:
    return list(disposal.lines.select_related("asset__department", "asset__location", "asset__category").order_by("pk"))


def _approval(disposal: Disposal):
    return approval_with_steps(Disposal, disposal)


@row_view(p.DISPOSAL_VIEW)
def disposal_detail(request, pk):
    disposal = _disposal(request, pk)
    lines = _lines(disposal)
    return render(
        request,
        "assets/disposal_detail.html",
        {
            "disposal": disposal,
            "state_colour": STATE_COLOURS.get(disposal.state, "secondary"),
            "lines": lines,
            "total_value": sum(line.asset.original_value for line in lines),
            "total_net": sum(line.net_value for line in lines),
            **approval_context(request, disposal, DisposalState.PENDING),
            "history_sources": [disposal.history.all()],
            "nav_active": NAV,
        },
    )


@require_POST
@row_view(p.DISPOSAL_VIEW)
def disposal_withdraw_view(request, pk):
    disposal = _disposal(request, pk)
    try:
        disposal_withdraw(actor=request.actor, disposal=disposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Disposal {code} was withdrawn.").format(code=disposal.code))
    return redirect("assets:disposal_detail", request.org.code, disposal.pk)


@row_view(p.DISPOSAL_VIEW)
def disposal_print(request, pk):
    """资产处置审批表: the assets with their value and net book value, the method and proceeds, the approval, and
    the signatures of the office, the logistics head and the head of the organisation."""
    disposal = _disposal(request, pk)
    lines = _lines(disposal)
    _approval_request, steps = _approval(disposal)
    url = reverse("assets:disposal_detail", args=[request.org.code, disposal.pk])
    form = printing.PrintForm(
        title=_("Asset disposal approval form"),
        number=disposal.code,
        fields=[
            printing.Field(_("Method"), disposal.get_method_display()),
            printing.Field(_("Status"), disposal.get_state_display()),
            printing.Field(_("Reason"), disposal.reason, wide=True),
            printing.Field(_("Recipient"), disposal.recipient),
            printing.Field(_("Proceeds (yuan)"), disposal.proceeds),
            printing.Field(_("Original value (yuan)"), sum(line.asset.original_value for line in lines)),
            printing.Field(_("Net book value when requested (yuan)"), sum(line.net_value for line in lines)),
            printing.Field(_("Requested by"), disposal.requested_by.user.name),
            printing.Field(_("Requested"), timezone.localtime(disposal.requested_at).strftime("%Y-%m-%d %H:%M")),
            printing.Field(_("Disposed of on"), disposal.done_on.isoformat() if disposal.done_on else ""),
        ],
        table=printing.Table(
            columns=[
                _("Item no."),
                _("Asset code"),
                _("Name"),
                _("Category"),
                _("Owning department"),
                _("Booked on"),
                _("Quantity"),
                _("Original value"),
                _("Net book value"),
            ],
            rows=[
                (
                    index,
                    line.asset.code,
                    line.asset.name,
                    line.asset.category.name,
                    line.asset.department.name,
                    line.asset.booked_on.isoformat(),
                    "{} {}".format(line.asset.quantity, line.asset.unit),
                    line.asset.original_value,
                    line.net_value,
                )
                for index, line in enumerate(lines, start=1)
            ],
            title=_("Assets disposed of"),
            numeric=(6, 7, 8),
        ),
        notes=approval_notes(steps),
        signatures=[_("Handled by"), _("Asset clerk"), _("Logistics head"), _("Head of the organisation")],
        qr_url=request.build_absolute_uri(url),
        back_url=url,
    )
    return printing.render_form(request, form)


urlpatterns = [
    path("disposals/", disposal_list, name="disposal_list"),
    path("disposals/new/", disposal_create, name="disposal_create"),
    path("disposals/export/", disposal_export, name="disposal_export"),
    path("disposals/<int:pk>/", disposal_detail, name="disposal_detail"),
    path("disposals/<int:pk>/print/", disposal_print, name="disposal_print"),
    path("disposals/<int:pk>/withdraw/", disposal_withdraw_view, name="disposal_withdraw"),
]
