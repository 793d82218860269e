"""Finance reconciliation pages (账账相符): the runs, a new comparison (upload finance's list), one run's
differences by kind with links to the cards, and their Excel export."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from houqin.core.excel import XLSX_TYPE, ImportFileError, xlsx_export
from houqin.core.permissions import restrict
from houqin.core.views.base import get_row, keyset_page, org_view, render, row_view
from houqin.core.views.imports import ImportUploadForm

from .. import permissions as p
from ..choices import DifferenceKind
from ..models import Reconciliation, ReconciliationDifference
from ..services.reconciliation import FinanceList, FinanceListInvalid, reconciliation_run

NAV = "assets_reconciliation"
KIND_COLOURS = {
    DifferenceKind.NOT_IN_LEDGER: "danger",
    DifferenceKind.NOT_IN_FINANCE: "orange",
    DifferenceKind.VALUE: "warning",
    DifferenceKind.DATE: "azure",
}


def _runs(request):
    return restrict(Reconciliation.objects.select_related("compared_by"), request.actor, p.RECONCILE)


def _counts(run_ids) -> dict[int, dict[str, int]]:
    """run id → kind → number of differences, for any number of runs in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ReconciliationDifference.objects.filter(reconciliation_id__in=run_ids)
        .values_list("reconciliation_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for run_id, kind, n in rows:
        counts[run_id][kind] = n
    return counts


@org_view(p.RECONCILE)
def reconciliation_list(request):
    page = keyset_page(request, _runs(request), key="-id")
    counts = _counts([run.pk for run in page["rows"]])
    for run in page["rows"]:
        run.kind_counts = [
            (label, counts[run.pk].get(kind, 0), KIND_COLOURS[kind]) for kind, label in DifferenceKind.choices
        ]
        run.difference_count = sum(counts[run.pk].values())
    return render(
        request,
        "assets/reconciliation_list.html",
        {"page": page, "title": _("Finance reconciliation"), "nav_active": NAV},
    )


@org_view(p.RECONCILE)
def reconciliation_create(request):
    """Upload finance's list: any problem in it is listed by row and column and nothing is compared or kept."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            run = reconciliation_run(actor=request.actor, upload=form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", error.message)
        except FinanceListInvalid as invalid:
            errors = invalid.errors
        else:
            messages.success(request, _("The finance list was compared with the ledger."))
            return redirect("assets:reconciliation_detail", request.org.code, run.pk)
    return render(
        request,
        "assets/reconciliation_form.html",
        {
            "form": form,
            "errors": errors,
            "columns": FinanceList.columns,
            "list_url": reverse("assets:reconciliation_list", args=[request.org.code]),
            "title": _("Compare the finance list with the ledger"),
            "nav_active": NAV,
        },
    )


@org_view(p.RECONCILE)
def reconciliation_template(request):
    """A blank list with the columns the comparison reads (finance may paste its export into it)."""
    response = HttpResponse(FinanceList(request.actor).template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="{}.xlsx".format(_("finance-asset-list"))
    )
    return response


def _run(request, pk) -> Reconciliation:
    return get_row(Reconciliation.objects.select_related("compared_by"), request.actor, view=p.RECONCILE, pk=pk)


@row_view(p.RECONCILE)
def reconciliation_detail(request, pk):
    run = _run(request, pk)
    counts = _counts([run.pk])[run.pk]
    kinds = [
        {"value": kind, "label": label, "count": counts.get(kind, 0), "colour": KIND_COLOURS[kind]}
        for kind, label in DifferenceKind.choices
    ]
    kind = request.GET.get("kind", "")
    if kind not in DifferenceKind.values:
        kind = next((k["value"] for k in kinds if k["count"]), DifferenceKind.NOT_IN_LEDGER)
    rows = ReconciliationDifference.objects.filter(reconciliation=run, kind=kind).select_related("asset")
    page = keyset_page(request, rows, key="id")
    return render(
        request,
        "assets/reconciliation_detail.html",
        {
            "run": run,
            "kinds": kinds,
            "kind": kind,
            "kind_label": DifferenceKind(kind).label,
            "total": sum(counts.values()),
            "page": page,
            "title": _("Reconciliation of {date}").format(
                date=timezone.localtime(run.compared_at).strftime("%Y-%m-%d")
            ),
            "nav_active": NAV,
        },
    )


@row_view(p.RECONCILE)
def reconciliation_export(request, pk):
    """Every difference of the run, by kind then code, with both sides' values."""
    run = _run(request, pk)
    rows = ReconciliationDifference.objects.filter(reconciliation=run).select_related("asset")
    return xlsx_export(
        request,
        rows.order_by("kind", "code", "id"),
        [
            (_("Difference"), lambda d: d.get_kind_display()),
            (_("Asset code"), "code"),
            (_("Name"), "name"),
            (_("Status in the ledger"), lambda d: d.asset.get_status_display() if d.asset else ""),
            (_("Row in the finance list"), "finance_row"),
            (_("Ledger value"), "ledger_value"),
            (_("Finance value"), "finance_value"),
            (_("Ledger booking date"), "ledger_date"),
            (_("Finance booking date"), "finance_date"),
        ],
        _("Reconciliation differences"),
    )


urlpatterns = [
    path("reconciliations/", reconciliation_list, name="reconciliation_list"),
    path("reconciliations/new/", reconciliation_create, name="reconciliation_create"),
    path("reconciliations/template/", reconciliation_template, name="reconciliation_template"),
    path("reconciliations/<int:pk>/", reconciliation_detail, name="reconciliation_detail"),
    path("reconciliations/<int:pk>/export/", reconciliation_export, name="reconciliation_export"),
]
