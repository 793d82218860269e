"""Bulk import of people and places from .xlsx: upload, every problem listed, then all rows or none."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import permissions as p
from ..choices import Role
from ..excel import XLSX_TYPE, ImportFileError
from ..forms_base import StyledFormMixin
from ..imports import LocationImporter, PersonImporter
from .base import org_view, render

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file"),
        help_text=gettext_lazy("An .xlsx file of at most 5 MB, filled in from the template."),
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith((".xls", ".et", ".csv")):
            raise ValidationError(_("Save the file as an Excel workbook (.xlsx) and upload it again."))
        if not name.endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than {size} MB; split it into several files.").format(
                    size=MAX_UPLOAD_BYTES // (1024 * 1024)
                )
            )
        return upload


def _import_page(request, importer_class, *, title, template_url_name: str, list_url_name: str, nav_active: str):
    """The upload form; returns (response, None) to show, or (None, result) when everything was saved."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        importer = importer_class(request.actor)
        try:
            result = importer.run(form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                return None, result
            errors = result.errors
    response = render(
        request,
        "core/import_form.html",
        {
            "form": form,
            "title": title,
            "errors": errors,
            "columns": importer_class.columns,
            "template_url": reverse(template_url_name, args=[request.org.code]),
            "list_url": reverse(list_url_name, args=[request.org.code]),
            "nav_active": nav_active,
        },
    )
    return response, None


def _template_response(request, importer_class, filename: str) -> HttpResponse:
    response = HttpResponse(importer_class(request.actor).template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@org_view(p.PERSON_MANAGE)
def person_import(request):
    response, result = _import_page(
        request,
        PersonImporter,
        title=_("Import people"),
        template_url_name="core:person_import_template",
        list_url_name="core:person_list",
        nav_active="people",
    )
    if result is None:
        return response
    role_labels = dict(Role.choices)
    for person in result.saved:
        person.role_labels = "、".join(str(role_labels[role]) for role in person.roles)
    response = render(
        request,
        "core/import_result_people.html",
        {
            "people": result.saved,
            "new_accounts": sum(1 for person in result.saved if person.password),
            "nav_active": "people",
        },
    )
    # One-time passwords are on this response only: no cache may keep a copy.
    add_never_cache_headers(response)
    return response


@org_view(p.PERSON_MANAGE)
def person_import_template(request):
    return _template_response(request, PersonImporter, "people-import-template.xlsx")


@org_view(p.LOCATION_MANAGE)
def location_import(request):
    response, result = _import_page(
        request,
        LocationImporter,
        title=_("Import locations"),
        template_url_name="core:location_import_template",
        list_url_name="core:location_list",
        nav_active="locations",
    )
    if result is None:
        return response
    count = len(result.saved)
    messages.success(
        request, ngettext("{count} location imported.", "{count} locations imported.", count).format(count=count)
    )
    return redirect("core:location_list", request.org.code)


@org_view(p.LOCATION_MANAGE)
def location_import_template(request):
    return _template_response(request, LocationImporter, "locations-import-template.xlsx")
