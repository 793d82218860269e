"""Loan pages (借用/归还): the filtered list and its export, one loan with its timeline, the lend form (from the
label scan or the card), the return check, the report "下发未归还" by department, and compensation on the card."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import orgsettings
from houqin.core import permissions as core_p
from houqin.core.excel import xlsx_export
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Membership
from houqin.core.permissions import OWN, restrict
from houqin.core.views.base import get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import LoanState, ReturnCondition
from ..depreciation import net_book_value
from ..filtersets import LoanFilterSet
from ..models import Asset, AssetCategory, Loan
from ..selectors.loans import (
    REPORT_PARAMS,
    asset_compensations,
    decorate,
    may_return,
    outstanding_by_department,
    visible_loans,
    with_relations,
)
from ..services.loans import LENDABLE, asset_compensation_create, default_due_on, loan_lend, loan_return
from ..settings import DEPRECIATION_START
from .ledger import DATE_INPUT, STATUS_COLOURS, _report_url

NAV = "assets_loans"
STATE_COLOURS = {LoanState.OUT: "azure", LoanState.RETURNED: "success"}
CONDITION_COLOURS = {ReturnCondition.GOOD: "success", ReturnCondition.DAMAGED: "orange", ReturnCondition.LOST: "danger"}


def _member_label(membership: Membership) -> str:
    text = membership.user.name
    if membership.employee_no:
        text += " ({})".format(membership.employee_no)
    if membership.department_id:
        text += " · " + membership.department.name
    return text


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _member_label(obj)


def _people():
    return Membership.objects.filter(is_active=True, user__is_active=True).select_related("user", "department")


class AssetCodeField(forms.CharField):
    """An asset of this organisation by its code (typed, or filled in from the label scan)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        code = value.strip()
        asset = Asset.objects.filter(code=code).first() or Asset.objects.filter(code__iexact=code).first()
        if asset is None:
            raise forms.ValidationError(_("No asset has the code {code}.").format(code=code))
        return asset


# The list, its export, the report -------------------------------------------------------------------


def _filtered(request):
    filterset = LoanFilterSet(request.GET, queryset=with_relations(visible_loans(request.actor)), request=request)
    return filterset.qs, filterset


def _filters(request, filterset) -> dict:
    values = {name: request.GET.get(name, "") for name in filterset.filters}
    values["state"] = request.GET.getlist("state")
    values["condition"] = request.GET.getlist("condition")
    return values


def _own_only(request) -> bool:
    return request.actor.widest_scope(p.LOAN_VIEW) == OWN


def _can_lend(request) -> bool:
    return request.actor.can(p.LOAN_BORROW) and not request.actor.via_bureau


@org_view(p.LOAN_VIEW)
def loan_list(request):
    rows, filterset = _filtered(request)
    page = keyset_page(request, rows, key="-id")
    decorate(page["rows"])
    for loan in page["rows"]:
        loan.state_colour = "danger" if loan.overdue else STATE_COLOURS.get(loan.state, "secondary")
    filters = _filters(request, filterset)
    own_only = _own_only(request)
    return render(
        request,
        "assets/loan_list.html",
        {
            "page": page,
            "filters": filters,
            "more_filters": any(filters[name] for name in ("department", "start", "end", "due_from", "due_until")),
            "states": LoanState.choices,
            "departments": []
            if own_only
            else list(Department.objects.filter(is_active=True).order_by("path").only("name", "path", "depth")),
            "title": _("My loans") if own_only else _("Loans"),
            "own_only": own_only,
            "can_lend": _can_lend(request),
            "nav_active": NAV,
        },
    )


@org_view(p.LOAN_VIEW)
def loan_export(request):
    rows, _filterset = _filtered(request)
    today = timezone.localdate()

    def overdue_days(loan):
        return (today - loan.due_on).days if loan.is_overdue(today) else None

    return xlsx_export(
        request,
        rows.order_by("-id"),
        [
            (_("Loan number"), "code"),
            (_("Asset code"), "asset.code"),
            (_("Asset"), "asset.name"),
            (_("Original value"), "asset.original_value"),
            (_("Borrower"), "borrower.user.name"),
            (_("Employee number"), "borrower.employee_no"),
            (_("Borrowing department"), "department.name"),
            (_("Purpose"), "purpose"),
            (_("Lent"), "lent_at"),
            (_("Lent by"), "lent_by.name"),
            (_("Due back"), "due_on"),
            (_("Status"), lambda loan: loan.get_state_display()),
            (_("Days overdue"), overdue_days),
            (_("Returned"), "returned_at"),
            (_("Received by"), lambda loan: loan.received_by.name if loan.received_by_id else ""),
            (_("Condition"), lambda loan: loan.get_condition_display() if loan.condition else ""),
            (_("Note on return"), "return_note"),
        ],
        _("Loans"),
    )


@org_view(p.LOAN_VIEW)
def loan_outstanding(request):
    """下发未归还: what each department has borrowed and not yet brought back."""
    lines, totals = outstanding_by_department(request.actor, request.GET)
    return render(
        request,
        "assets/loan_outstanding.html",
        {
            "lines": lines,
            "totals": totals,
            "filters": {name: request.GET.get(name, "") for name in REPORT_PARAMS},
            "categories": list(
                AssetCategory.objects.filter(code__regex=r"^[A-Z][0-9]{2}([0-9]{2})?$").only("code", "name")
            ),
            "today": timezone.localdate(),
            "title": _("Out and not returned, by department"),
            "nav_active": NAV,
        },
    )


@org_view(p.LOAN_VIEW)
def loan_outstanding_export(request):
    lines, totals = outstanding_by_department(request.actor, request.GET)
    rows = [
        {
            "name": line.department.name if line.department else "",
            "count": line.count,
            "value": line.value,
            "overdue": line.overdue,
        }
        for line in lines
    ]
    rows.append({"name": _("Total"), "count": totals["count"], "value": totals["value"], "overdue": totals["overdue"]})
    return xlsx_export(
        request,
        rows,
        [
            (_("Borrowing department"), lambda row: row["name"]),
            (_("Loans out"), lambda row: row["count"]),
            (_("Original value"), lambda row: row["value"]),
            (_("Of them overdue"), lambda row: row["overdue"]),
        ],
        _("Out and not returned"),
    )


# One loan -----------------------------------------------------------------------------------------


def _loan(request, pk, change: str | None = None) -> Loan:
    return get_row(with_relations(Loan.objects.all()), request.actor, view=p.LOAN_VIEW, change=change, pk=pk)


@row_view(p.LOAN_VIEW)
def loan_detail(request, pk):
    loan = _loan(request, pk)
    decorate([loan])
    actor = request.actor
    asset = loan.asset
    asset_visible = restrict(Asset.objects.filter(pk=asset.pk), actor, p.ASSET_VIEW).exists()
    compensations = [c for c in asset_compensations(actor, asset) if c.source_label == loan.code]
    report_url = ""
    if loan.condition == ReturnCondition.DAMAGED and not actor.via_bureau:
        report_url = _report_url(request, asset)
    return render(
        request,
        "assets/loan_detail.html",
        {
            "loan": loan,
            "asset": asset,
            "asset_visible": asset_visible,
            "state_colour": "danger" if loan.overdue else STATE_COLOURS.get(loan.state, "secondary"),
            "condition_colour": CONDITION_COLOURS.get(loan.condition, "secondary"),
            "return_url": reverse("assets:loan_return", args=[request.org.code, loan.pk])
            if may_return(actor, loan)
            else "",
            "report_url": report_url,
            "compensations": compensations,
            "history_sources": [loan.history.all()],
            "nav_active": NAV,
        },
    )


# Lending ------------------------------------------------------------------------------------------


class LendForm(StyledFormMixin, forms.Form):
    asset = AssetCodeField(
        label=gettext_lazy("Asset code"),
        max_length=40,
        help_text=gettext_lazy("As printed on its label; scanning the label fills it in."),
    )
    borrower = MemberField(label=gettext_lazy("Borrower"), queryset=Membership.objects.none())
    due_on = forms.DateField(label=gettext_lazy("Due back"), widget=DATE_INPUT)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. open class in room 301")}),
    )

    def __init__(self, *args, own_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if own_only:
            del self.fields["borrower"]  # borrowing for oneself
        else:
            self.fields["borrower"].queryset = _people().order_by("user__name", "pk")
        self.fields["asset"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off"})


def _prefilled_asset(request) -> Asset | None:
    value = request.GET.get("asset", "")
    return Asset.objects.select_related("location", "department").filter(pk=value).first() if value.isdigit() else None


@org_view(p.LOAN_BORROW)
def loan_lend_view(request):
    actor = request.actor
    own_only = actor.widest_scope(p.LOAN_BORROW) == OWN
    asset = _prefilled_asset(request)
    initial = {"due_on": default_due_on(request.org)}
    if asset is not None:
        initial["asset"] = asset.code
    form = LendForm(request.POST or None, own_only=own_only, initial=initial)

    def save(asset, due_on, purpose, borrower=None):
        if own_only:
            borrower = actor.membership if actor.membership and actor.membership.org_id == actor.org.pk else None
        return loan_lend(actor=actor, asset=asset, borrower=borrower, due_on=due_on, purpose=purpose)

    loan = submitted(request, form, save)
    if loan is not None:
        messages.success(
            request,
            _("{asset} is lent to {name} until {due} ({code}).").format(
                asset=loan.asset.name, name=loan.borrower.user.name, due=loan.due_on.isoformat(), code=loan.code
            ),
        )
        return redirect("assets:loan_detail", request.org.code, loan.pk)
    return render(
        request,
        "assets/loan_form.html",
        {
            "form": form,
            "kind": "lend",
            "title": _("Borrow an asset") if own_only else _("Lend an asset"),
            "submit_label": _("Borrow") if own_only else _("Lend"),
            "asset": asset,
            "asset_status_colour": STATUS_COLOURS.get(asset.status, "secondary") if asset else "",
            "asset_unavailable": asset is not None and asset.status not in LENDABLE,
            "cancel_url": reverse("assets:loan_list", args=[request.org.code]),
            "nav_active": NAV,
        },
    )


# Returning ----------------------------------------------------------------------------------------


class ReturnForm(StyledFormMixin, forms.Form):
    condition = forms.ChoiceField(
        label=gettext_lazy("Condition"), choices=ReturnCondition.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Required when it is damaged or lost: what is damaged, how it was lost."),
    )
    report_repair = forms.BooleanField(
        label=gettext_lazy("Damaged: report a repair next (报修)"), required=False, initial=True
    )
    compensation_person = MemberField(
        label=gettext_lazy("Who compensates"), queryset=Membership.objects.none(), required=False
    )
    compensation_amount = forms.DecimalField(
        label=gettext_lazy("Compensation (yuan)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Leave empty when nobody has to pay (赔偿 only for damaged or lost assets)."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )

    def __init__(self, *args, can_compensate: bool, can_report: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if can_compensate:
            self.fields["compensation_person"].queryset = _people().order_by("user__name", "pk")
        else:
            del self.fields["compensation_person"]
            del self.fields["compensation_amount"]
        if not can_report:
            del self.fields["report_repair"]


@row_view(p.LOAN_MANAGE)
def loan_return_view(request, pk):
    loan = _loan(request, pk, change=p.LOAN_MANAGE)
    decorate([loan])
    actor = request.actor
    asset = loan.asset
    report_url = _report_url(request, asset)
    can_compensate = actor.can(core_p.COMPENSATION_MANAGE) and not actor.via_bureau
    if loan.state != LoanState.OUT and request.method != "POST":
        messages.info(request, _("{code} was already returned.").format(code=loan.code))
        return redirect("assets:loan_detail", request.org.code, loan.pk)
    form = ReturnForm(
        request.POST or None,
        can_compensate=can_compensate,
        can_report=bool(report_url),
        initial={"compensation_person": loan.borrower_id, "report_repair": True},
    )

    def save(condition, note="", report_repair=False, compensation_person=None, compensation_amount=None):
        loan_return(
            actor=actor,
            loan=loan,
            condition=condition,
            note=note,
            compensation_amount=compensation_amount,
            compensation_person=compensation_person,
        )
        return condition, report_repair

    done = submitted(request, form, save)
    if done is not None:
        condition, report_repair = done
        messages.success(
            request,
            _("{code} was returned: {condition}.").format(code=loan.code, condition=loan.get_condition_display()),
        )
        if condition == ReturnCondition.DAMAGED and report_repair and report_url:
            return redirect(report_url)
        return redirect("assets:loan_detail", request.org.code, loan.pk)
    rule = orgsettings.value(request.org, DEPRECIATION_START.key)
    return render(
        request,
        "assets/loan_form.html",
        {
            "form": form,
            "kind": "return",
            "loan": loan,
            "asset": asset,
            "asset_status_colour": STATUS_COLOURS.get(asset.status, "secondary"),
            "net_value": net_book_value(asset, timezone.localdate(), rule) if can_compensate else None,
            "title": _("Take back {code}").format(code=loan.code),
            "submit_label": _("Record the return"),
            "cancel_url": reverse("assets:loan_detail", args=[request.org.code, loan.pk]),
            "nav_active": NAV,
        },
    )


# Compensation recorded on the asset card -------------------------------------------------------------


class CompensationForm(StyledFormMixin, forms.Form):
    person = MemberField(label=gettext_lazy("Who compensates"), queryset=Membership.objects.none())
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("What was damaged"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people().order_by("user__name", "pk")


@row_view(core_p.COMPENSATION_MANAGE)
def asset_compensation(request, pk):
    actor = request.actor
    asset = get_row(
        Asset.objects.select_related("location", "department", "custodian", "user_person"),
        actor,
        view=p.ASSET_VIEW,
        pk=pk,
    )
    if actor.via_bureau or not actor.can(core_p.COMPENSATION_MANAGE):
        raise PermissionDenied
    form = CompensationForm(
        request.POST or None, initial={"person": asset.user_person_id or asset.custodian_id, "reason": asset.name}
    )
    compensation = submitted(request, form, lambda **data: asset_compensation_create(actor=actor, asset=asset, **data))
    if compensation is not None:
        messages.success(
            request,
            _("Compensation of {amount} yuan recorded for {name}.").format(
                amount=compensation.amount, name=compensation.person.user.name
            ),
        )
        return redirect(reverse("assets:asset_detail", args=[request.org.code, asset.pk]) + "#asset-compensations")
    return render(
        request,
        "assets/loan_form.html",
        {
            "form": form,
            "kind": "compensation",
            "asset": asset,
            "asset_status_colour": STATUS_COLOURS.get(asset.status, "secondary"),
            "title": _("Record compensation"),
            "submit_label": _("Record compensation"),
            "cancel_url": reverse("assets:asset_detail", args=[request.org.code, asset.pk]),
            "nav_active": "assets_ledger",
        },
    )


urlpatterns = [
    path("loans/", loan_list, name="loan_list"),
    path("loans/export/", loan_export, name="loan_export"),
    path("loans/new/", loan_lend_view, name="loan_lend"),
    path("loans/outstanding/", loan_outstanding, name="loan_outstanding"),
    path("loans/outstanding/export/", loan_outstanding_export, name="loan_outstanding_export"),
    path("loans/<int:pk>/", loan_detail, name="loan_detail"),
    path("loans/<int:pk>/return/", loan_return_view, name="loan_return"),
    path("<int:pk>/compensation/", asset_compensation, name="asset_compensation"),
]
