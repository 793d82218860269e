"""Ledger pages (资产台账): the filtered list, its export and QR labels, the asset card, its forms, the label scan."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import dictionaries, orgsettings, printing
from houqin.core.choices import LocationKind
from houqin.core.excel import xlsx_export
from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Location, Membership, Party
from houqin.core.permissions import OWN, restrict
from houqin.core.views.attachments import panel_context
from houqin.core.views.base import get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import BY_RECORD, Acquisition, AssetStatus
from ..depreciation import net_book_value
from ..filtersets import AssetFilterSet
from ..models import Asset, AssetCategory
from ..selectors.disposals import disposal_card
from ..selectors.loans import asset_loan_context
from ..selectors.transfers import transfer_card
from ..services.assets import asset_register, asset_set_status, asset_update
from ..settings import DEPRECIATION_START, FUNDING
from .stocktake_scan import scan_panel  # 盘点 on the scan page

NAV = "assets_ledger"
MAX_LABELS = 1000  # one label sheet at most (about 42 A4 pages of 3 × 8)
# 报修 on the scan page: maintenance's action, named by its string (assets never imports maintenance).
JOB_REPORT = "maintenance.job.report"
STATUS_COLOURS = {
    AssetStatus.IN_USE: "success",
    AssetStatus.IDLE: "secondary",
    AssetStatus.LENT: "azure",
    AssetStatus.REPAIRING: "orange",
    AssetStatus.PENDING_DISPOSAL: "warning",
    AssetStatus.DISPOSED: "dark",
    AssetStatus.LOST: "danger",
}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def scan_url(org, asset: Asset) -> str:
    """What an asset's QR label opens: HOUQIN_BASE_URL/o/<org>/a/<token>/."""
    return settings.HOUQIN_BASE_URL + reverse("asset_scan", args=[org.code, asset.qr_token])


def _assets():
    return Asset.objects.select_related(
        "category", "department", "location", "building", "custodian__user", "user_person__user", "supplier"
    )


def _filtered(request, action: str = p.ASSET_VIEW):
    filterset = AssetFilterSet(request.GET, queryset=restrict(_assets(), request.actor, action), request=request)
    return filterset.qs, filterset


def _filters(request, filterset) -> dict:
    values = {name: request.GET.get(name, "") for name in filterset.filters}
    values["status"] = request.GET.getlist("status")
    return values


def _choices(request) -> dict:
    """The filter form's lists: a fixed number of queries, whatever the size of the ledger."""
    return {
        "statuses": AssetStatus.choices,
        "categories": list(
            AssetCategory.objects.filter(code__regex=r"^[A-Z][0-9]{2}([0-9]{2})?$").only("code", "name")
        ),
        "departments": list(Department.objects.filter(is_active=True).order_by("path").only("name", "path", "depth")),
        "buildings": list(Location.objects.filter(kind=LocationKind.BUILDING, is_active=True).order_by("path")),
    }


def _can_manage(request) -> bool:
    return request.actor.can(p.ASSET_MANAGE) and not request.actor.via_bureau


# The list, its export and labels ------------------------------------------------------------------


@org_view(p.ASSET_VIEW)
def asset_list(request):
    rows, filterset = _filtered(request)
    # The names the list shows come in small queries of their own: PostgreSQL takes ~80 ms to plan the card's
    # ten-way join (more than reading a page of a 200,000-card ledger), a query by ids under a millisecond.
    rows = rows.select_related(None).select_related("category")
    rows = rows.prefetch_related("department", "location", "custodian__user")
    page = keyset_page(request, rows, key="-id")
    for asset in page["rows"]:
        asset.status_colour = STATUS_COLOURS.get(asset.status, "secondary")
    filters = _filters(request, filterset)
    own_only = request.actor.widest_scope(p.ASSET_VIEW) == OWN
    return render(
        request,
        "assets/asset_list.html",
        {
            "page": page,
            "filters": filters,
            "more_filters": any(value for name, value in filters.items() if name not in ("q", "status")),
            "choices": _choices(request),
            "title": _("My assets") if own_only else _("Asset ledger"),
            "can_manage": _can_manage(request),
            "nav_active": NAV,
        },
    )


def _member_name(membership) -> str:
    return membership.user.name if membership else ""


@org_view(p.ASSET_VIEW)
def asset_export(request):
    """The filtered list as .xlsx, one line per card, with its net book value today."""
    rows, _filterset = _filtered(request)
    rule = orgsettings.value(request.org, DEPRECIATION_START.key)
    today = timezone.localdate()
    funding = dict(dictionaries.choices(request.org, FUNDING.key))
    return xlsx_export(
        request,
        rows.order_by("-id"),
        [
            (_("Asset code"), "code"),
            (_("Name"), "name"),
            (_("Category code"), "category.code"),
            (_("Category"), "category.name"),
            (_("Brand"), "brand"),
            (_("Model"), "model_number"),
            (_("Specification"), "spec"),
            (_("Serial number"), "serial_number"),
            (_("Quantity"), "quantity"),
            (_("Unit"), "unit"),
            (_("Original value"), "original_value"),
            (_("Net book value"), lambda a: net_book_value(a, today, rule)),
            (_("Low-value consumable"), "low_value"),
            (_("Acquired by"), lambda a: a.get_acquisition_display()),
            (_("Funding source"), lambda a: funding.get(a.funding, a.funding)),
            (_("Supplier"), lambda a: a.supplier.name if a.supplier else ""),
            (_("Purchase date"), "purchase_date"),
            (_("Finance booking date"), "booked_on"),
            (_("Voucher number"), "voucher_number"),
            (_("Owning department"), "department.name"),
            (_("Building"), lambda a: a.building.name if a.building else ""),
            (_("Location"), lambda a: a.location.name if a.location else ""),
            (_("Custodian"), lambda a: _member_name(a.custodian)),
            (_("User"), lambda a: _member_name(a.user_person)),
            (_("Status"), lambda a: a.get_status_display()),
            (_("Warranty until"), "warranty_until"),
            (_("Note"), "note"),
        ],
        _("Asset ledger"),
    )


@org_view(p.ASSET_MANAGE)
def asset_labels(request):
    """QR labels of the filtered list, or of the assets ticked on it (``?ids=1&ids=2``), to stick on each."""
    rows, _filterset = _filtered(request, p.ASSET_MANAGE)
    ids = [int(value) for value in request.GET.getlist("ids") if value.isdigit()]
    if ids:
        rows = rows.filter(pk__in=ids)
    assets = list(rows.order_by("code", "pk")[:MAX_LABELS])
    labels = [
        printing.Label(
            "{} {}".format(asset.code, asset.name),
            " · ".join(x for x in (asset.department.name, asset.location.name if asset.location else "") if x),
            scan_url(request.org, asset),
        )
        for asset in assets
    ]
    return printing.label_sheet(
        request,
        labels,
        title=_("Asset labels"),
        note=_("Stick each label on its asset. Scanning it opens the asset's page (after logging in)."),
        back_url=reverse("assets:asset_list", args=[request.org.code]),
    )


# The card ---------------------------------------------------------------------------------------


def _asset(request, pk, change: str | None = None) -> Asset:
    return get_row(_assets(), request.actor, view=p.ASSET_VIEW, change=change, pk=pk)


def _may_change(request, asset) -> bool:
    return _can_manage(request) and restrict(Asset.objects.filter(pk=asset.pk), request.actor, p.ASSET_MANAGE).exists()


@row_view(p.ASSET_VIEW)
def asset_detail(request, pk):
    asset = _asset(request, pk)
    rule = orgsettings.value(request.org, DEPRECIATION_START.key)
    funding = dict(dictionaries.choices(request.org, FUNDING.key))
    can_change = _may_change(request, asset)
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "status_colour": STATUS_COLOURS.get(asset.status, "secondary"),
            "net_value": net_book_value(asset, timezone.localdate(), rule),
            "rule_label": dict(DEPRECIATION_START.form_field().choices).get(rule, rule),
            "funding_label": funding.get(asset.funding, asset.funding),
            "events": list(asset.events.select_related("actor").order_by("-at", "-id")),
            "files_panel": panel_context(request, asset),
            "can_change": can_change,
            "status_form": StatusForm(initial={"status": asset.status})
            if can_change and asset.status not in BY_RECORD
            else None,
            "scan_url": scan_url(request.org, asset),
            "transfer_card": transfer_card(request.actor, asset),  # 调拨 (selectors/transfers.py)
            "disposal_card": disposal_card(request.actor, asset),  # 报废 (selectors/disposals.py)
            "loans": asset_loan_context(request.actor, asset),  # 借用/归还 and 赔偿 (selectors/loans.py)
            "history_sources": [asset.history.all()],
            "nav_active": NAV,
        },
    )


@row_view(p.ASSET_MANAGE)
def asset_status(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    asset = _asset(request, pk, change=p.ASSET_MANAGE)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            asset_set_status(actor=request.actor, asset=asset, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("assets:asset_detail", request.org.code, asset.pk)


# Forms ------------------------------------------------------------------------------------------


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = "\u3000" * max(0, (len(obj.code) - 3) // 2)
        return "{}{} {}".format(indent, obj.code, obj.name) + ("" if obj.verified else " *")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "{} ({})".format(obj.user.name, obj.employee_no) if obj.employee_no else obj.user.name


class AssetForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Asset code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Leave empty for the next number (ZC-year-number), or keep the code of an old ledger."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    category = CategoryChoiceField(
        label=gettext_lazy("Category"),
        queryset=AssetCategory.objects.none(),
        help_text=gettext_lazy("GB/T 14885-2022; entries marked * are not yet checked against the standard."),
    )
    brand = forms.CharField(label=gettext_lazy("Brand"), max_length=60, required=False)
    model_number = forms.CharField(label=gettext_lazy("Model"), max_length=60, required=False)
    spec = forms.CharField(label=gettext_lazy("Specification"), max_length=200, required=False)
    serial_number = forms.CharField(label=gettext_lazy("Serial number"), max_length=60, required=False)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=10, initial="台")
    original_value = forms.DecimalField(
        label=gettext_lazy("Original value (yuan)"),
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("The whole card: all items of a batch together."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    acquisition = forms.ChoiceField(
        label=gettext_lazy("Acquired by"), choices=Acquisition.choices, initial=Acquisition.PURCHASE
    )
    funding = forms.ChoiceField(label=gettext_lazy("Funding source"), required=False)
    supplier = forms.ModelChoiceField(label=gettext_lazy("Supplier"), queryset=Party.objects.none(), required=False)
    purchase_date = forms.DateField(label=gettext_lazy("Purchase date"), required=False, widget=DATE_INPUT)
    booked_on = forms.DateField(label=gettext_lazy("Finance booking date"), widget=DATE_INPUT)
    voucher_number = forms.CharField(label=gettext_lazy("Voucher number"), max_length=40, required=False)
    life_months = forms.IntegerField(
        label=gettext_lazy("Useful life (months)"),
        required=False,
        help_text=gettext_lazy("Leave empty for the category's default."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    department = TreeChoiceField(label=gettext_lazy("Owning department"), queryset=Department.objects.none())
    location = TreeChoiceField(label=gettext_lazy("Location"), queryset=Location.objects.none(), required=False)
    custodian = MemberChoiceField(label=gettext_lazy("Custodian"), queryset=Membership.objects.none(), required=False)
    user_person = MemberChoiceField(label=gettext_lazy("User"), queryset=Membership.objects.none(), required=False)
    warranty_until = forms.DateField(label=gettext_lazy("Warranty until"), required=False, widget=DATE_INPUT)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, org, instance: Asset | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = AssetCategory.objects.all()
        self.fields["funding"].choices = [("", "---------"), *dictionaries.choices(org, FUNDING.key)]
        self.fields["supplier"].queryset = Party.objects.filter(is_active=True).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by("path")
        people = Membership.objects.filter(is_active=True).select_related("user").order_by("user__name", "pk")
        self.fields["custodian"].queryset = people
        self.fields["user_person"].queryset = people
        if instance is not None:
            # A row already linked stays choosable after it was retired.
            for name, model in (("department", Department), ("location", Location), ("supplier", Party)):
                current = getattr(instance, name + "_id")
                if current:
                    self.fields[name].queryset = model.objects.filter(pk=current) | self.fields[name].queryset
            self.fields["code"].required = True
            self.fields["code"].help_text = ""


def _initial(asset: Asset) -> dict:
    return {name: getattr(asset, name) for name in AssetForm.base_fields}


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[c for c in AssetStatus.choices if c[0] not in BY_RECORD]
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


@org_view(p.ASSET_MANAGE)
def asset_create(request):
    initial = {"booked_on": timezone.localdate(), "quantity": 1, "unit": "台"}
    form = AssetForm(request.POST or None, org=request.org, initial=initial)
    asset = submitted(request, form, lambda **data: asset_register(actor=request.actor, **data))
    if asset is not None:
        messages.success(request, _("Asset {code} was registered.").format(code=asset.code))
        return redirect("assets:asset_detail", request.org.code, asset.pk)
    return render(
        request,
        "assets/asset_form.html",
        {"form": form, "title": _("Register an asset"), "asset": None, "nav_active": NAV},
    )


@row_view(p.ASSET_MANAGE)
def asset_edit(request, pk):
    asset = _asset(request, pk, change=p.ASSET_MANAGE)
    form = AssetForm(request.POST or None, org=request.org, instance=asset, initial=_initial(asset))

    def save(**data):
        changed = {name: data[name] for name in form.changed_data if name in data}
        return asset_update(actor=request.actor, asset=asset, **changed)

    if submitted(request, form, save) is not None:
        messages.success(request, _("Asset {code} was saved.").format(code=asset.code))
        return redirect("assets:asset_detail", request.org.code, asset.pk)
    asset.refresh_from_db()  # the service may have changed the instance before refusing
    return render(
        request,
        "assets/asset_form.html",
        {"form": form, "title": _("Edit asset {code}").format(code=asset.code), "asset": asset, "nav_active": NAV},
    )


# The label scan ---------------------------------------------------------------------------------


def _report_url(request, asset) -> str:
    """报修 prefilled with the asset and its place, when the person may report repairs."""
    actor = request.actor
    if actor.via_bureau or not actor.can(JOB_REPORT):
        return ""
    try:
        url = reverse("maintenance:job_report", args=[request.org.code])
    except NoReverseMatch:
        return ""
    query = "?asset={}".format(asset.pk)
    if asset.location_id:
        query += "&location={}".format(asset.location_id)
    return url + query


@row_view(p.ASSET_SCAN)
def asset_scan(request, token):
    """The page behind an asset's QR label (login required: an anonymous scan goes to the login page and comes
    back): what the asset is and where it belongs, and what the person may do with it — 报修、借用、盘点 — whether
    or not they may read its card. Another organisation's label is not found."""
    asset = get_row(_assets(), request.actor, view=p.ASSET_SCAN, qr_token=token)
    stocktake = scan_panel(request, asset)  # the 盘点 form; a response once a count was posted
    if isinstance(stocktake, HttpResponseBase):
        return stocktake
    return render(
        request,
        "assets/asset_scan.html",
        {
            "asset": asset,
            "status_colour": STATUS_COLOURS.get(asset.status, "secondary"),
            "report_url": _report_url(request, asset),
            "may_view": restrict(Asset.objects.filter(pk=asset.pk), request.actor, p.ASSET_VIEW).exists(),
            "stocktake": stocktake,
            "loans": asset_loan_context(request.actor, asset),  # 借用 / 归还 (selectors/loans.py)
            "nav_active": NAV,
        },
    )


urlpatterns = [
    path("", asset_list, name="asset_list"),
    path("export/", asset_export, name="asset_export"),
    path("labels/", asset_labels, name="asset_labels"),
    path("new/", asset_create, name="asset_create"),
    path("<int:pk>/", asset_detail, name="asset_detail"),
    path("<int:pk>/edit/", asset_edit, name="asset_edit"),
    path("<int:pk>/status/", asset_status, name="asset_status"),
]
