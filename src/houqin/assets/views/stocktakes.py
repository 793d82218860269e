"""Stocktake pages (盘点/清查): the list, opening one, its progress and lines, surplus items found on the spot (盘盈),
closing (with what it will change) or cancelling it, the signed printable 盘点报告 and the Excel of its lines.

Counting is not here: an asset is counted only on the page behind its QR label (``asset_scan``), which shows the
盘点 form of ``stocktake_scan.scan_panel`` to the people who may count while an open stocktake covers the asset.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import printing, todos
from houqin.core.excel import xlsx_export
from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Location
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import CountResult, StocktakeScope, StocktakeState
from ..filtersets import StocktakeFilterSet, StocktakeLineFilterSet
from ..models import AssetCategory, Stocktake, StocktakeLine
from ..selectors import stocktakes as selectors
from ..services import stocktakes as services
from .ledger import CategoryChoiceField
from .stocktake_scan import SESSION_PLACES

NAV = "assets_stocktakes"
PREVIEW = 50  # lines shown per adjustment on the close page
MAX_REPORT_LINES = 10_000  # difference lines printed in one report
DIFFERENCES = (CountResult.MISSING, CountResult.WRONG_LOCATION, CountResult.SURPLUS)  # in the report's order


def _can_manage(request) -> bool:
    return request.actor.can(p.STOCKTAKE_MANAGE) and not request.actor.via_bureau


def _stocktakes():
    return Stocktake.objects.select_related("department", "location", "category", "opened_by", "closed_by")


def _stocktake(request, pk, change: str | None = None) -> Stocktake:
    return get_row(_stocktakes(), request.actor, view=p.STOCKTAKE_VIEW, change=change, pk=pk)


def scope_text(stocktake: Stocktake) -> str:
    """ "全单位", "部门：总务处（含下级）", "位置：教学楼（含下级）", "分类：A02 设备（含下级分类）"."""
    if stocktake.scope == StocktakeScope.DEPARTMENT:
        return _("Department: {name} and below").format(name=stocktake.department.name)
    if stocktake.scope == StocktakeScope.LOCATION:
        return _("Place: {name} and everything in it").format(name=stocktake.location.name)
    if stocktake.scope == StocktakeScope.CATEGORY:
        return _("Category: {code} {name} and its subclasses").format(
            code=stocktake.category.code, name=stocktake.category.name
        )
    return str(StocktakeScope.ORG.label)


def _decorate(stocktake: Stocktake) -> Stocktake:
    stocktake.scope_text = scope_text(stocktake)
    stocktake.state_colour = selectors.STATE_COLOURS.get(stocktake.state, "secondary")
    return stocktake


# Forms ------------------------------------------------------------------------------------------


class StocktakeForm(StyledFormMixin, forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("What to count"),
        choices=StocktakeScope.choices,
        initial=StocktakeScope.DEPARTMENT,
        widget=forms.RadioSelect,
    )
    department = TreeChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("Its assets and those of the departments below it."),
    )
    location = TreeChoiceField(
        label=gettext_lazy("Place"),
        queryset=Location.objects.none(),
        required=False,
        help_text=gettext_lazy("The assets the ledger has in this place and every place inside it."),
    )
    category = CategoryChoiceField(
        label=gettext_lazy("Category"),
        queryset=AssetCategory.objects.none(),
        required=False,
        help_text=gettext_lazy("The class and its subclasses."),
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Leave empty for a name made from the year and the scope."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by("path")
        self.fields["category"].queryset = AssetCategory.objects.all()


class SurplusForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("What was found"), max_length=100)
    category = CategoryChoiceField(label=gettext_lazy("Category"), queryset=AssetCategory.objects.none())
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"),
        initial=1,
        min_value=1,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    value = forms.DecimalField(
        label=gettext_lazy("Estimated value (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=gettext_lazy("All items together; the card is booked at this value when the stocktake closes."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    location = TreeChoiceField(label=gettext_lazy("Where it was found"), queryset=Location.objects.none())
    department = TreeChoiceField(
        label=gettext_lazy("Owning department"), queryset=Department.objects.none(), required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, stocktake: Stocktake, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = AssetCategory.objects.all()
        places = Location.objects.filter(is_active=True).order_by("path")
        if stocktake.scope == StocktakeScope.LOCATION:
            places = places.filter(path__startswith=stocktake.location.path)
        self.fields["location"].queryset = places
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        if stocktake.department_id:
            self.fields["department"].help_text = _("Leave empty for {name}.").format(name=stocktake.department.name)
        else:
            self.fields["department"].required = True


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


# The list and opening ---------------------------------------------------------------------------


@org_view(p.STOCKTAKE_VIEW)
def stocktake_list(request):
    rows, filters = filtered(request, StocktakeFilterSet, restrict(_stocktakes(), request.actor, p.STOCKTAKE_VIEW))
    page = keyset_page(request, rows, key="-id")
    counts = selectors.counts_by_stocktake([s.pk for s in page["rows"]])
    for stocktake in page["rows"]:
        _decorate(stocktake)
        stocktake.progress = selectors.progress(counts[stocktake.pk])
    return render(
        request,
        "assets/stocktake_list.html",
        {
            "page": page,
            "filters": filters,
            "states": StocktakeState.choices,
            "scopes": StocktakeScope.choices,
            "can_manage": _can_manage(request),
            "nav_active": NAV,
        },
        partial="assets/partials/stocktake_rows.html",
    )


@org_view(p.STOCKTAKE_MANAGE)
def stocktake_create(request):
    initial = {}
    for name in ("department", "location"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = value
            initial["scope"] = name
    form = StocktakeForm(request.POST or None, initial=initial)
    stocktake = submitted(request, form, lambda **data: services.stocktake_open(actor=request.actor, **data))
    if stocktake is not None:
        listed = stocktake.lines.count()
        messages.success(
            request,
            _("Stocktake {code} opened with {n} assets to count. Scan each asset's label with a phone.").format(
                code=stocktake.code, n=listed
            ),
        )
        return redirect("assets:stocktake_detail", request.org.code, stocktake.pk)
    open_ones = list(
        restrict(Stocktake.objects.filter(state=StocktakeState.OPEN), request.actor, p.STOCKTAKE_VIEW).order_by("-pk")[
            :20
        ]
    )
    return render(
        request,
        "assets/stocktake_form.html",
        {"form": form, "open_ones": open_ones, "nav_active": NAV},
    )


# One stocktake ----------------------------------------------------------------------------------


def _lines_filtered(request, stocktake: Stocktake):
    return filtered(request, StocktakeLineFilterSet, StocktakeLine.objects.filter(stocktake=stocktake))


@row_view(p.STOCKTAKE_VIEW)
def stocktake_detail(request, pk):
    stocktake = _decorate(_stocktake(request, pk))
    lines, filters = _lines_filtered(request, stocktake)
    page = keyset_page(request, selectors.with_relations(lines), key="pk")
    for line in page["rows"]:
        line.colour = selectors.RESULT_COLOURS.get(line.result, "secondary")
    totals = selectors.result_totals(stocktake)
    listed = sum(t.count for t in totals if t.result != CountResult.SURPLUS)
    counted = sum(t.count for t in totals if t.result in (CountResult.FOUND, CountResult.WRONG_LOCATION))
    is_open = stocktake.state == StocktakeState.OPEN
    can_manage = is_open and _can_manage(request) and _may(request, stocktake, p.STOCKTAKE_MANAGE)
    return render(
        request,
        "assets/stocktake_detail.html",
        {
            "stocktake": stocktake,
            "page": page,
            "filters": filters,
            "chosen_results": request.GET.getlist("result"),
            "results": CountResult.choices,
            "totals": totals,
            "listed": listed,
            "counted": counted,
            "percent": round(100 * counted / listed) if listed else 0,
            "is_open": is_open,
            "can_manage": can_manage,
            "can_count": is_open and request.actor.can(p.STOCKTAKE_COUNT) and not request.actor.via_bureau,
            "nav_active": NAV,
        },
        partial="assets/partials/stocktake_lines.html",
    )


def _may(request, stocktake: Stocktake, action: str) -> bool:
    return restrict(Stocktake.objects.filter(pk=stocktake.pk), request.actor, action).exists()


def _open_or_back(request, stocktake: Stocktake):
    if stocktake.state != StocktakeState.OPEN:
        messages.error(
            request,
            _("Stocktake {code} is {state}.").format(code=stocktake.code, state=stocktake.get_state_display()),
        )
        return redirect("assets:stocktake_detail", request.org.code, stocktake.pk)
    return None


@row_view(p.STOCKTAKE_MANAGE)
def stocktake_surplus(request, pk):
    """盘盈登记: an item found on the spot that the ledger does not have."""
    stocktake = _stocktake(request, pk, change=p.STOCKTAKE_MANAGE)
    refused = _open_or_back(request, stocktake)
    if refused:
        return refused
    initial = {"quantity": 1}
    remembered = request.session.get(SESSION_PLACES, {}).get(str(stocktake.pk))
    if remembered:
        initial["location"] = remembered
    form = SurplusForm(request.POST or None, stocktake=stocktake, initial=initial)
    line = submitted(
        request,
        form,
        lambda **data: services.stocktake_register_surplus(actor=request.actor, stocktake=stocktake, **data),
    )
    if line is not None:
        messages.success(
            request,
            _("Surplus item “{name}” recorded; it is registered as an asset when the stocktake closes.").format(
                name=line.surplus_name
            ),
        )
        if "again" in request.POST:
            return redirect("assets:stocktake_surplus", request.org.code, stocktake.pk)
        return redirect(reverse("assets:stocktake_detail", args=[request.org.code, stocktake.pk]) + "?result=surplus")
    return render(
        request,
        "assets/stocktake_surplus.html",
        {"form": form, "stocktake": _decorate(stocktake), "nav_active": NAV},
    )


def _preview(stocktake: Stocktake, result: str):
    lines = StocktakeLine.objects.filter(stocktake=stocktake, result=result)
    return list(selectors.with_relations(lines).order_by("pk")[:PREVIEW])


@row_view(p.STOCKTAKE_MANAGE)
def stocktake_close(request, pk):
    """结束盘点: what closing will change (GET), then closing it (POST) — one transaction."""
    stocktake = _stocktake(request, pk, change=p.STOCKTAKE_MANAGE)
    if request.method == "POST":
        try:
            result = services.stocktake_close(actor=request.actor, stocktake=stocktake)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(request, _("Closing changes the ledger: only the asset clerk or the logistics head may."))
        else:
            messages.success(
                request,
                _(
                    "Stocktake {code} closed: {missing} missing set to lost, {moved} moved to where they were found, "
                    "{registered} surplus items registered, {found} found in place."
                ).format(
                    code=stocktake.code,
                    missing=len(result.missing),
                    moved=len(result.moved),
                    registered=len(result.registered),
                    found=len(result.found),
                ),
            )
        return redirect("assets:stocktake_detail", request.org.code, stocktake.pk)
    refused = _open_or_back(request, stocktake)
    if refused:
        return refused
    totals = {t.result: t for t in selectors.result_totals(stocktake)}
    return render(
        request,
        "assets/stocktake_close.html",
        {
            "stocktake": _decorate(stocktake),
            "totals": totals,
            "pending": _preview(stocktake, CountResult.PENDING),
            "moves": _preview(stocktake, CountResult.WRONG_LOCATION),
            "surplus": _preview(stocktake, CountResult.SURPLUS),
            "preview": PREVIEW,
            "nav_active": NAV,
        },
    )


@row_view(p.STOCKTAKE_MANAGE)
def stocktake_cancel(request, pk):
    """作废 with a reason; the ledger is not changed."""
    stocktake = _stocktake(request, pk, change=p.STOCKTAKE_MANAGE)
    refused = _open_or_back(request, stocktake)
    if refused and request.method != "POST":
        return refused
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stocktake_cancel(actor=request.actor, stocktake=stocktake, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "note" in error.error_dict:
                form.add_error("reason", error.error_dict["note"])
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("assets:stocktake_detail", request.org.code, stocktake.pk)
        else:
            messages.success(request, _("Stocktake {code} was cancelled.").format(code=stocktake.code))
            return redirect("assets:stocktake_detail", request.org.code, stocktake.pk)
    return render(
        request,
        "assets/stocktake_cancel.html",
        {"form": form, "stocktake": _decorate(stocktake), "nav_active": NAV},
    )


# The report and the export ----------------------------------------------------------------------


def _place(location) -> str:
    return location.name if location is not None else ""


def _line_name(line: StocktakeLine) -> str:
    return line.asset.name if line.asset_id else line.surplus_name


def _line_code(line: StocktakeLine) -> str:
    return line.asset.code if line.asset_id else ""


def _line_category(line: StocktakeLine) -> str:
    category = line.asset.category if line.asset_id else line.surplus_category
    return "{} {}".format(category.code, category.name) if category else ""


def _line_quantity(line: StocktakeLine) -> int:
    return line.asset.quantity if line.asset_id else line.surplus_quantity


def _line_value(line: StocktakeLine):
    return line.asset.original_value if line.asset_id else line.surplus_value


def _counted_at(line: StocktakeLine) -> str:
    return timezone.localtime(line.counted_at).strftime("%Y-%m-%d %H:%M") if line.counted_at else ""


@row_view(p.STOCKTAKE_VIEW)
def stocktake_print(request, pk):
    """盘点报告: the summary (counts and values per result) and the difference lines, signed by 盘点人, 监盘人,
    资产管理员 and 部门负责人."""
    stocktake = _decorate(_stocktake(request, pk))
    totals = {t.result: t for t in selectors.result_totals(stocktake)}
    shown = DIFFERENCES if stocktake.state == StocktakeState.CLOSED else (*DIFFERENCES, CountResult.PENDING)
    order = Case(*(When(result=result, then=Value(i)) for i, result in enumerate(shown)))
    lines = list(
        selectors.with_relations(StocktakeLine.objects.filter(stocktake=stocktake, result__in=shown)).order_by(
            order, "pk"
        )[: MAX_REPORT_LINES + 1]
    )
    truncated = len(lines) > MAX_REPORT_LINES
    lines = lines[:MAX_REPORT_LINES]
    labels = dict(CountResult.choices)

    def summary(result) -> str:
        total = totals[result]
        return _("{n} items, {value} yuan").format(n=total.count, value="{:,.2f}".format(total.value))

    listed = sum(t.count for r, t in totals.items() if r != CountResult.SURPLUS)
    fields = [
        printing.Field(_("Name"), stocktake.name, wide=True),
        printing.Field(_("Scope"), stocktake.scope_text),
        printing.Field(_("Status"), stocktake.get_state_display()),
        printing.Field(_("Opened"), timezone.localtime(stocktake.opened_at).strftime("%Y-%m-%d %H:%M")),
        printing.Field(_("Opened by"), stocktake.opened_by.name),
        printing.Field(
            _("Closed"),
            timezone.localtime(stocktake.closed_at).strftime("%Y-%m-%d %H:%M") if stocktake.closed_at else "",
        ),
        printing.Field(_("Closed by"), stocktake.closed_by.name if stocktake.closed_by_id else ""),
        printing.Field(_("Assets listed"), str(listed)),
        printing.Field(_("Found in place"), summary(CountResult.FOUND)),
        printing.Field(_("Found elsewhere"), summary(CountResult.WRONG_LOCATION)),
        printing.Field(_("Missing (shortage)"), summary(CountResult.MISSING)),
        printing.Field(_("Surplus"), summary(CountResult.SURPLUS)),
    ]
    if stocktake.state == StocktakeState.OPEN:
        fields.append(printing.Field(_("Not yet counted"), summary(CountResult.PENDING)))
    notes = stocktake.note
    if stocktake.state == StocktakeState.OPEN:
        notes = " ".join(x for x in (_("Still counting: this is an interim report."), notes) if x)
    if truncated:
        notes = " ".join(
            x for x in (notes, _("Only the first {n} difference lines are printed.").format(n=MAX_REPORT_LINES)) if x
        )
    form = printing.PrintForm(
        title=_("Stocktake report"),
        number=stocktake.code,
        fields=fields,
        table=printing.Table(
            title=_("Differences"),
            columns=[
                _("Result"),
                _("Asset code"),
                _("Name"),
                _("Quantity"),
                _("Value (yuan)"),
                _("Ledger place"),
                _("Found at"),
                _("Counted by"),
                _("Note"),
            ],
            rows=[
                (
                    labels.get(line.result, line.result),
                    _line_code(line),
                    _line_name(line),
                    _line_quantity(line),
                    "{:,.2f}".format(_line_value(line)),
                    _place(line.expected_location),
                    _place(line.found_location),
                    line.counted_by.name if line.counted_by_id else "",
                    line.note,
                )
                for line in lines
            ],
            numeric=(3, 4),
        ),
        notes=notes,
        signatures=[_("Counted by"), _("Stocktake supervisor"), _("Asset clerk"), _("Department head")],
        qr_url=settings.HOUQIN_BASE_URL + reverse("assets:stocktake_detail", args=[request.org.code, stocktake.pk]),
        back_url=reverse("assets:stocktake_detail", args=[request.org.code, stocktake.pk]),
    )
    return printing.render_form(request, form)


@row_view(p.STOCKTAKE_VIEW)
def stocktake_export(request, pk):
    """The stocktake's lines (as filtered on its page) as .xlsx."""
    stocktake = _stocktake(request, pk)
    lines, _filters = _lines_filtered(request, stocktake)
    labels = dict(CountResult.choices)
    return xlsx_export(
        request,
        selectors.with_relations(lines).order_by("pk"),
        [
            (_("Result"), lambda line: labels.get(line.result, line.result)),
            (_("Asset code"), _line_code),
            (_("Name"), _line_name),
            (_("Category"), _line_category),
            (
                _("Owning department"),
                lambda line: line.asset.department.name if line.asset_id else _place(line.surplus_department),
            ),
            (_("Quantity"), _line_quantity),
            (_("Value (yuan)"), _line_value),
            (_("Ledger place"), lambda line: _place(line.expected_location)),
            (_("Found at"), lambda line: _place(line.found_location)),
            (_("Counted by"), lambda line: line.counted_by.name if line.counted_by_id else ""),
            (_("Counted at"), "counted_at"),
            (_("Note"), "note"),
        ],
        _("Stocktake {code}").format(code=stocktake.code),
    )


@todos.register
def stocktake_todos(actor) -> list[todos.Todo]:
    """我的待办 of whoever runs stocktakes: the ones still counting (one query)."""
    if actor.via_bureau or not actor.can(p.STOCKTAKE_MANAGE):
        return []
    counting = restrict(Stocktake.objects.filter(state=StocktakeState.OPEN), actor, p.STOCKTAKE_MANAGE)
    return [
        todos.Todo(
            _("Stocktakes still counting"),
            counting.count(),
            reverse("assets:stocktake_list", args=[actor.org.code]) + "?state=open",
            "info",
        )
    ]


urlpatterns = [
    path("stocktakes/", stocktake_list, name="stocktake_list"),
    path("stocktakes/new/", stocktake_create, name="stocktake_create"),
    path("stocktakes/<int:pk>/", stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/surplus/", stocktake_surplus, name="stocktake_surplus"),
    path("stocktakes/<int:pk>/close/", stocktake_close, name="stocktake_close"),
    path("stocktakes/<int:pk>/cancel/", stocktake_cancel, name="stocktake_cancel"),
    path("stocktakes/<int:pk>/print/", stocktake_print, name="stocktake_print"),
    path("stocktakes/<int:pk>/export/", stocktake_export, name="stocktake_export"),
]
