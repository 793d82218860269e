"""The monthly depreciation report (月度折旧表) and its Excel export."""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.excel import xlsx_export
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department
from houqin.core.views.base import org_view, render

from .. import permissions as p
from ..choices import DepreciationStart
from ..models import AssetCategory
from ..selectors.depreciation import monthly_report, previous_month
from ..settings import DEPRECIATION_START

MONTH_FORMAT = "%Y-%m"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "{} {}".format(obj.code, obj.name)


class ReportForm(StyledFormMixin, forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=[MONTH_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department and below"), queryset=Department.objects.none(), required=False
    )
    category = CategoryChoiceField(
        label=gettext_lazy("Category and its subclasses"), queryset=AssetCategory.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["category"].queryset = AssetCategory.objects.order_by("code")


def _report(request):
    default = previous_month(timezone.localdate()).strftime(MONTH_FORMAT)
    form = ReportForm({"month": default, **request.GET.dict()})
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = monthly_report(
        request.org, data["month"], actor=request.actor, department=data["department"], category=data["category"]
    )
    return form, report


@org_view(p.ASSET_VIEW)
def depreciation_report(request):
    """Last month's report unless another month is asked for."""
    form, report = _report(request)
    context = {
        "form": form,
        "report": report,
        "rule": DepreciationStart(report.rule).label if report else "",
        "rule_help": DEPRECIATION_START.help_text,
        "export_query": request.GET.urlencode(),
        "nav_active": "assets_depreciation",
    }
    return render(request, "assets/depreciation_report.html", context)


@org_view(p.ASSET_VIEW)
def depreciation_report_export(request):
    _form, report = _report(request)
    if report is None:  # a month that is no month: the page says what is wrong
        return redirect(reverse("assets:depreciation_report", args=[request.org.code]) + "?" + request.GET.urlencode())
    lines = [*report.lines, report.total]
    total = _("Total")
    columns = [
        (_("Department"), lambda line: line.department if line is not report.total else total),
        (_("Category code"), "category_code"),
        (_("Category"), "category"),
        (_("Cards"), "assets"),
        (_("Quantity"), "quantity"),
        (_("Original value (yuan)"), "original"),
        (_("Depreciation of the month (yuan)"), "charge"),
        (_("Accumulated depreciation (yuan)"), "accumulated"),
        (_("Net book value (yuan)"), "net"),
    ]
    month = report.month.strftime(MONTH_FORMAT)
    return xlsx_export(
        request, lines, columns, "{}-{}".format(_("Depreciation"), month), title=_("Depreciation report")
    )


urlpatterns = [
    path("depreciation/", depreciation_report, name="depreciation_report"),
    path("depreciation/export/", depreciation_report_export, name="depreciation_report_export"),
]
