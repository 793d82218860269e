"""Transfer pages (调拨): the list, a new 调拨单 for ticked assets or typed codes, one transfer with its approval
progress, the printed 调拨单, and withdrawing one's own request."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.core import approvals, printing
from houqin.core.excel import xlsx_export
from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Location, Membership
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import TransferState
from ..filtersets.transfers import TransferFilterSet
from ..models import Asset, Transfer, TransferLine
from ..selectors.transfers import latest_approvals
from ..services.transfers import MAX_ASSETS, transfer_request, transfer_withdraw
from .ledger import STATUS_COLOURS, MemberChoiceField

NAV = "assets_transfers"
STATE_COLOURS = {
    TransferState.PENDING: "warning",
    TransferState.DONE: "success",
    TransferState.REJECTED: "danger",
    TransferState.WITHDRAWN: "secondary",
}


# Choosing assets (shared with the disposal form) ---------------------------------------------------


class AssetIdsField(forms.Field):
    """The ticked assets (``assets=<id>`` repeated); the view shows them as a list of checkboxes."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return list(dict.fromkeys(int(v) for v in (value or []) if str(v).isdigit()))


def split_codes(text: str) -> list[str]:
    """Codes typed, pasted or scanned: one per line, or separated by spaces, commas or 、."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,，、;；]+", text or "") if code))


class AssetPickMixin:
    """A form field pair, ``assets`` (ticked) and ``codes`` (typed), cleaned into ``cleaned_data["assets"]``: the
    assets the person can see, in the order chosen. Codes nobody can see are refused by name."""

    def pick(self, actor, data: dict) -> None:
        visible = restrict(Asset.objects.all(), actor, p.ASSET_VIEW).select_related(
            "department", "location", "custodian__user"
        )
        ids = data.get("assets") or []
        chosen = {asset.pk: asset for asset in visible.filter(pk__in=ids[:MAX_ASSETS])} if ids else {}
        picked = [chosen[pk] for pk in ids if pk in chosen]
        codes = split_codes(data.get("codes", ""))
        if len(codes) > MAX_ASSETS:
            self.add_error("codes", _("At most {n} codes at a time.").format(n=MAX_ASSETS))
            codes = []
        if codes:
            rows = list(visible.filter(code__in=[*codes, *(code.upper() for code in codes)]))
            exact = {asset.code: asset for asset in rows}
            upper = {asset.code.upper(): asset for asset in rows}
            missing = []
            for code in codes:
                asset = exact.get(code) or upper.get(code.upper())
                if asset is None:
                    missing.append(code)
                elif asset not in picked:
                    picked.append(asset)
            if missing:
                self.add_error(
                    "codes", _("No asset with these codes that you can see: {codes}.").format(codes="、".join(missing))
                )
        self.picked = picked
        data["assets"] = picked
        data.pop("codes", None)
        if not picked and not self.has_error("codes"):
            self.add_error("assets", _("Choose at least one asset: tick it on the ledger, or type its code."))


def picked_from_query(request, actor) -> list[Asset]:
    """The assets named by ``?ids=1&ids=2`` (from the ledger or the card) that the person can see."""
    ids = list(dict.fromkeys(int(v) for v in request.GET.getlist("ids") if v.isdigit()))[:MAX_ASSETS]
    if not ids:
        return []
    visible = restrict(Asset.objects.all(), actor, p.ASSET_VIEW).select_related(
        "department", "location", "custodian__user"
    )
    found = {asset.pk: asset for asset in visible.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def decorate_assets(assets: list[Asset]) -> list[Asset]:
    for asset in assets:
        asset.status_colour = STATUS_COLOURS.get(asset.status, "secondary")
    return assets


# The form ---------------------------------------------------------------------------------------


class TransferForm(AssetPickMixin, StyledFormMixin, forms.Form):
    assets = AssetIdsField(required=False)
    codes = forms.CharField(
        label=gettext_lazy("Add assets by code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("One code per line, or separated by spaces or commas (a scanner types them too)."),
    )
    to_department = TreeChoiceField(
        label=gettext_lazy("Receiving department"),
        queryset=Department.objects.none(),
        help_text=gettext_lazy("To change only the place, custodian or user, choose the assets' own department."),
    )
    to_location = TreeChoiceField(
        label=gettext_lazy("New place"),
        queryset=Location.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty to keep each asset where it is."),
    )
    to_custodian = MemberChoiceField(
        label=gettext_lazy("New custodian"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=gettext_lazy("保管人; leave empty to keep the current one."),
    )
    to_user_person = MemberChoiceField(
        label=gettext_lazy("New user"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=gettext_lazy("使用人; leave empty to keep the current one."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.picked: list[Asset] = []
        self.fields["to_department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["to_location"].queryset = Location.objects.filter(is_active=True).order_by("path")
        people = Membership.objects.filter(is_active=True).select_related("user").order_by("user__name", "pk")
        self.fields["to_custodian"].queryset = people
        self.fields["to_user_person"].queryset = people

    def clean(self):
        data = super().clean()
        self.pick(self.actor, data)
        return data


# Pages ------------------------------------------------------------------------------------------


def _transfers():
    return Transfer.objects.select_related(
        "from_department",
        "to_department",
        "to_location",
        "to_custodian__user",
        "to_user_person__user",
        "requested_by__user",
    )


def _can_request(request) -> bool:
    return request.actor.can(p.TRANSFER_REQUEST) and not request.actor.via_bureau


@org_view(p.TRANSFER_VIEW)
def transfer_list(request):
    rows, filters = filtered(request, TransferFilterSet, restrict(_transfers(), request.actor, p.TRANSFER_VIEW))
    first = TransferLine.objects.filter(transfer=OuterRef("pk")).order_by("pk")
    rows = rows.annotate(
        asset_count=Subquery(
            TransferLine.objects.filter(transfer=OuterRef("pk"))
            .order_by()
            .values("transfer")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        first_code=Subquery(first.values("asset__code")[:1]),
        first_name=Subquery(first.values("asset__name")[:1]),
    )
    page = keyset_page(request, rows, key="-id")
    for transfer in page["rows"]:
        transfer.state_colour = STATE_COLOURS.get(transfer.state, "secondary")
        transfer.more_assets = transfer.asset_count - 1
    filters["state"] = request.GET.getlist("state")
    return render(
        request,
        "assets/transfer_list.html",
        {
            "page": page,
            "filters": filters,
            "states": TransferState.choices,
            "departments": list(
                Department.objects.filter(is_active=True).order_by("path").only("name", "path", "depth")
            ),
            "can_request": _can_request(request),
            "nav_active": NAV,
        },
    )


@org_view(p.TRANSFER_VIEW)
def transfer_export(request):
    """The filtered list as .xlsx, one line per asset moved (a transfer of three assets is three lines)."""
    rows, _filters = filtered(
        request, TransferFilterSet, restrict(Transfer.objects.all(), request.actor, p.TRANSFER_VIEW)
    )
    lines = (
        TransferLine.objects.filter(transfer__in=rows.values("pk"))
        .select_related(
            "asset",
            "from_location",
            "from_custodian__user",
            "transfer__from_department",
            "transfer__to_department",
            "transfer__to_location",
            "transfer__to_custodian__user",
            "transfer__to_user_person__user",
            "transfer__requested_by__user",
        )
        .order_by("-transfer_id", "pk")
    )

    def when(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    return xlsx_export(
        request,
        lines,
        [
            (_("Transfer number"), "transfer.code"),
            (_("Status"), lambda line: line.transfer.get_state_display()),
            (_("Sending department"), "transfer.from_department.name"),
            (_("Receiving department"), "transfer.to_department.name"),
            (_("Asset code"), "asset.code"),
            (_("Name"), "asset.name"),
            (_("Original value"), "asset.original_value"),
            (_("From place"), lambda line: line.from_location.name if line.from_location_id else ""),
            (_("From custodian"), lambda line: _who(line.from_custodian)),
            (_("New place"), lambda line: line.transfer.to_location.name if line.transfer.to_location_id else ""),
            (_("New custodian"), lambda line: _who(line.transfer.to_custodian)),
            (_("New user"), lambda line: _who(line.transfer.to_user_person)),
            (_("Reason"), "transfer.reason"),
            (_("Requested by"), lambda line: _who(line.transfer.requested_by)),
            (_("Requested"), lambda line: when(line.transfer.requested_at)),
            (_("Transferred"), lambda line: when(line.transfer.done_at)),
        ],
        _("Transfers"),
    )


@org_view(p.TRANSFER_REQUEST)
def transfer_create(request):
    form = TransferForm(request.POST or None, actor=request.actor)
    transfer = submitted(request, form, lambda **data: transfer_request(actor=request.actor, **data))
    if transfer is not None:
        messages.success(request, _("Transfer {code} was submitted for approval.").format(code=transfer.code))
        return redirect("assets:transfer_detail", request.org.code, transfer.pk)
    picked = form.picked if form.is_bound else picked_from_query(request, request.actor)
    return render(
        request,
        "assets/transfer_form.html",
        {"form": form, "picked": decorate_assets(picked), "nav_active": NAV},
    )


def _transfer(request, pk) -> Transfer:
    return get_row(_transfers(), request.actor, view=p.TRANSFER_VIEW, pk=pk)


def step_label(step) -> str:
    """Who decides a step: a role in a named department ("部门负责人（语文组）") says which department, where the
    engine's own label would say "of the requester's department" (for a transfer it is the receiving one)."""
    if step.department_id and step.role:
        return "{}（{}）".format(step.get_role_display(), step.department.name)
    return step.approver_label


def approval_with_steps(model, record):
    """The record's latest approval request and its steps, each with its ``label``."""
    approval = latest_approvals(model, [record.pk]).get(record.pk)
    steps = []
    if approval is not None:
        steps = list(
            approval.steps.select_related(
                "approver__user", "decided_by__user", "on_behalf_of__user", "department"
            ).order_by("order")
        )
        for step in steps:
            step.label = step_label(step)
    return approval, steps


def approval_context(request, record, pending_state: str) -> dict:
    """What a detail page shows of the record's approval: the request and its steps, whether the viewer may open
    the request, and whether they may withdraw the record (its requester, while it waits)."""
    approval, steps = approval_with_steps(type(record), record)
    me = request.actor.membership
    return {
        "approval": approval,
        "steps": steps,
        "approval_visible": approval is not None
        and approvals.visible_requests(request.actor).filter(pk=approval.pk).exists(),
        "can_withdraw": record.state == pending_state
        and me is not None
        and record.requested_by_id == me.pk
        and not request.actor.via_bureau,
    }


def _approval(transfer: Transfer):
    return approval_with_steps(Transfer, transfer)


@row_view(p.TRANSFER_VIEW)
def transfer_detail(request, pk):
    transfer = _transfer(request, pk)
    lines = list(
        transfer.lines.select_related(
            "asset__location", "asset__custodian__user", "from_location", "from_custodian__user"
        ).order_by("pk")
    )
    return render(
        request,
        "assets/transfer_detail.html",
        {
            "transfer": transfer,
            "state_colour": STATE_COLOURS.get(transfer.state, "secondary"),
            "lines": lines,
            "total_value": sum(line.asset.original_value for line in lines),
            **approval_context(request, transfer, TransferState.PENDING),
            "history_sources": [transfer.history.all()],
            "nav_active": NAV,
        },
    )


@require_POST
@row_view(p.TRANSFER_VIEW)
def transfer_withdraw_view(request, pk):
    transfer = _transfer(request, pk)
    try:
        transfer_withdraw(actor=request.actor, transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Transfer {code} was withdrawn.").format(code=transfer.code))
    return redirect("assets:transfer_detail", request.org.code, transfer.pk)


def _who(membership) -> str:
    return membership.user.name if membership is not None else ""


def approval_notes(steps) -> str:
    """The approval steps as one paragraph of the printed form: who decided which step, when, how."""
    parts = []
    for step in steps:
        text = "{}. {}: {}".format(step.order, step_label(step), step.get_state_display())
        if step.decided_by_id:
            text += " · " + step.decided_by.user.name
            if step.on_behalf_of_id:
                text += " (" + _("on behalf of {name}").format(name=step.on_behalf_of.user.name) + ")"
            text += " " + timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M")
        if step.comment:
            text += " · " + step.comment
        parts.append(text)
    return "{}: {}".format(_("Approval"), "; ".join(parts)) if parts else ""


@row_view(p.TRANSFER_VIEW)
def transfer_print(request, pk):
    """调拨单: what moves where, each asset's place and custodian before, the approval, and four signatures."""
    transfer = _transfer(request, pk)
    lines = list(transfer.lines.select_related("asset", "from_location", "from_custodian__user").order_by("pk"))
    _approval_request, steps = _approval(transfer)
    url = reverse("assets:transfer_detail", args=[request.org.code, transfer.pk])
    form = printing.PrintForm(
        title=_("Asset transfer form"),
        number=transfer.code,
        fields=[
            printing.Field(_("Sending department"), transfer.from_department.name),
            printing.Field(_("Receiving department"), transfer.to_department.name),
            printing.Field(_("New place"), transfer.to_location.name if transfer.to_location_id else _("Unchanged")),
            printing.Field(_("New custodian"), _who(transfer.to_custodian) or _("Unchanged")),
            printing.Field(_("New user"), _who(transfer.to_user_person) or _("Unchanged")),
            printing.Field(_("Status"), transfer.get_state_display()),
            printing.Field(_("Reason"), transfer.reason, wide=True),
            printing.Field(_("Requested by"), transfer.requested_by.user.name),
            printing.Field(_("Requested"), timezone.localtime(transfer.requested_at).strftime("%Y-%m-%d %H:%M")),
            printing.Field(
                _("Transferred"),
                timezone.localtime(transfer.done_at).strftime("%Y-%m-%d %H:%M") if transfer.done_at else "",
            ),
            printing.Field(_("Original value (yuan)"), sum(line.asset.original_value for line in lines)),
        ],
        table=printing.Table(
            columns=[
                _("Item no."),
                _("Asset code"),
                _("Name"),
                _("Model"),
                _("Quantity"),
                _("Original value"),
                _("From place"),
                _("From custodian"),
            ],
            rows=[
                (
                    index,
                    line.asset.code,
                    line.asset.name,
                    " ".join(x for x in (line.asset.brand, line.asset.model_number) if x),
                    "{} {}".format(line.asset.quantity, line.asset.unit),
                    line.asset.original_value,
                    line.from_location.name if line.from_location_id else "",
                    _who(line.from_custodian),
                )
                for index, line in enumerate(lines, start=1)
            ],
            title=_("Assets transferred"),
            numeric=(4, 5),
        ),
        notes=approval_notes(steps),
        signatures=[
            _("Head of the sending department"),
            _("Head of the receiving department"),
            _("Asset clerk"),
            _("Handled by"),
        ],
        qr_url=request.build_absolute_uri(url),
        back_url=url,
    )
    return printing.render_form(request, form)


urlpatterns = [
    path("transfers/", transfer_list, name="transfer_list"),
    path("transfers/new/", transfer_create, name="transfer_create"),
    path("transfers/export/", transfer_export, name="transfer_export"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/print/", transfer_print, name="transfer_print"),
    path("transfers/<int:pk>/withdraw/", transfer_withdraw_view, name="transfer_withdraw"),
]
