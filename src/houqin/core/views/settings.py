"""系统设置: the org's settings by section, the tables registered by modules, and the 数据字典."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import dictionaries, orgsettings
from .. import permissions as p
from ..forms_base import StyledFormMixin, add_service_errors
from .base import org_view, render


def _can_manage(request) -> bool:
    return request.actor.can(p.SETTINGS_MANAGE) and not request.actor.via_bureau


@org_view(p.SETTINGS_VIEW)
def settings_hub(request):
    """Every registered setting, one form per section (POST saves the section named in ``section``)."""
    can_manage = _can_manage(request)
    current = orgsettings.values(request.org)
    posted = request.POST.get("section") if request.method == "POST" else None
    if posted is not None and not can_manage:
        raise PermissionDenied
    sections = []
    for section in orgsettings.hub_sections():
        slug = section["slug"]
        bound = posted == slug
        form = None
        if section["settings"]:
            form = orgsettings.SettingsForm(section["settings"], current, request.POST if bound else None, prefix=slug)
        if bound and form is not None and form.is_valid():
            try:
                changed = orgsettings.settings_update(actor=request.actor, values=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("Settings of “{section}” saved.").format(section=section["title"]))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(reverse("core:settings_hub", args=[request.org.code]) + "#" + slug)
        if form is not None and not can_manage:
            for field in form.fields.values():
                field.disabled = True
        pages = [{"page": page, "url": reverse(page.url_name, args=[request.org.code])} for page in section["pages"]]
        sections.append({"title": section["title"] or _("More settings"), "slug": slug, "form": form, "pages": pages})
    customised = dictionaries.customised_keys(request.org)
    dictionary_rows = [
        {
            "dictionary": dictionary,
            "customised": dictionary.key in customised,
            "url": reverse("core:settings_dictionary", args=[request.org.code, dictionary.key]),
        }
        for dictionary in dictionaries.REGISTRY.values()
    ]
    return render(
        request,
        "core/settings_hub.html",
        {
            "sections": sections,
            "dictionaries": dictionary_rows,
            "can_manage": can_manage,
            "nav_active": "settings",
        },
    )


class DictionaryEntryForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Leave empty to have one made up."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100, required=False)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)


DictionaryEntryFormSet = forms.formset_factory(DictionaryEntryForm, extra=2)


@org_view(p.SETTINGS_VIEW)
def settings_dictionary(request, key):
    """One dictionary: rename, reorder, retire (not delete) and add entries."""
    dictionary = dictionaries.REGISTRY.get(key)
    if dictionary is None:
        raise Http404
    can_manage = _can_manage(request)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    entries = dictionaries.entries(request.org, key)
    initial = [{"code": e.code, "label": e.label, "order": e.order, "is_active": e.is_active} for e in entries]
    formset = DictionaryEntryFormSet(request.POST or None, initial=initial, prefix="items")
    existing = {e.code for e in entries}
    for index, form in enumerate(formset.forms):
        if index < len(entries):
            # A code may be in records already: it never changes, so it is shown, not edited.
            form.fields["code"].disabled = True
            form.fields["code"].help_text = ""
        if not can_manage:
            for field in form.fields.values():
                field.disabled = True
    if request.method == "POST" and formset.is_valid():
        items = [
            {**form.cleaned_data, "is_active": form.cleaned_data.get("is_active", False)}
            for form in formset.forms
            if form.cleaned_data.get("code") in existing or form.cleaned_data.get("label")
        ]
        try:
            dictionaries.dictionary_update(actor=request.actor, key=key, items=items)
        except ValidationError as error:
            for message in error.message_dict.get("items", error.messages):
                formset._non_form_errors.append(message)
        else:
            messages.success(request, _("Dictionary “{name}” saved.").format(name=dictionary.label))
            return redirect("core:settings_dictionary", request.org.code, key)
    return render(
        request,
        "core/settings_dictionary.html",
        {
            "dictionary": dictionary,
            "formset": formset,
            "customised": dictionaries.is_customised(request.org, key),
            "can_manage": can_manage,
            "nav_active": "settings",
        },
    )
