"""Importing an existing asset ledger from .xlsx (导入资产台账): the template, the upload, every problem listed."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houqin.core.excel import XLSX_TYPE, ImportFileError
from houqin.core.views.base import org_view, render
from houqin.core.views.imports import ImportUploadForm

from .. import permissions as p
from ..importers import AssetImporter

NAV = "assets_ledger"


@org_view(p.ASSET_MANAGE)
def asset_import(request):
    """Upload the filled-in template: every row is checked first; any problem and nothing is imported."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            result = AssetImporter(request.actor).run(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                count = len(result.saved)
                messages.success(
                    request,
                    ngettext("{count} asset imported.", "{count} assets imported.", count).format(count=count),
                )
                return redirect("assets:asset_list", request.org.code)
            errors = result.errors
    return render(
        request,
        "assets/asset_import.html",
        {
            "form": form,
            "title": _("Import assets"),
            "errors": errors,
            "columns": AssetImporter.columns,
            "max_rows": AssetImporter.max_rows,
            "template_url": reverse("assets:asset_import_template", args=[request.org.code]),
            "list_url": reverse("assets:asset_list", args=[request.org.code]),
            "nav_active": NAV,
        },
    )


@org_view(p.ASSET_MANAGE)
def asset_import_template(request):
    """The .xlsx to fill in: every field of the card, and a sheet listing categories, departments and values."""
    response = HttpResponse(AssetImporter(request.actor).template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="{}.xlsx".format(_("asset-import-template"))
    )
    return response


urlpatterns = [
    path("import/", asset_import, name="asset_import"),
    path("import/template/", asset_import_template, name="asset_import_template"),
]
