"""Pages of outside parties: list, detail (licences, contacts, people, files, history), and their edits."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Prefetch, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import dictionaries, orgsettings
from .. import party_services as services
from .. import permissions as p
from ..excel import xlsx_export
from ..filtersets import PartyFilterSet
from ..forms_base import StyledFormMixin
from ..models import Attachment, Membership, Party, PartyContact, PartyKind, PartyLicence
from ..models.parties import expiry_state
from ..permissions import restrict
from .base import filtered, get_for_actor, keyset_page, org_view, render, submitted

# Soonest expiry first, never-expiring ones last (on every database: SQLite and PostgreSQL differ on NULLs).
LICENCE_ORDER = (F("expires_on").asc(nulls_last=True), "pk")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PartyKind.choices)
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=30,  # room for the spaces people copy along; the model checks the code itself
        required=False,
        help_text=gettext_lazy("18 characters, as printed on the business licence."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30, required=False)
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=gettext_lazy("Bank account"), max_length=40, required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_credit_code(self):
        # People copy it with spaces or in lower case; the check character is defined on capitals.
        return "".join(self.cleaned_data["credit_code"].split()).upper()


class PartyEditForm(PartyForm):
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


class LicenceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Licence kind"))
    number = forms.CharField(label=gettext_lazy("Licence number"), max_length=60, required=False)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), required=False, widget=DATE_INPUT)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Leave empty if it never expires."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, org, current_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choices = dictionaries.choices(org, services.LICENCE_KIND.key)
        if current_kind and current_kind not in dict(choices):  # a kind the org retired since
            choices.append((current_kind, services.licence_kind_label(org, current_kind)))
        self.fields["kind"].choices = [("", "---------"), *choices]


class ContactForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    position = forms.CharField(label=gettext_lazy("Position"), max_length=50, required=False)


def _form_page(request, form, title, subject=None):
    return render(
        request, "core/object_form.html", {"form": form, "title": title, "subject": subject, "nav_active": "parties"}
    )


def _filtered(request):
    """Parties the actor may see, filtered as the list asks (active ones unless asked otherwise)."""
    return filtered(
        request, PartyFilterSet, restrict(Party.objects.all(), request.actor, p.PARTY_VIEW), is_active="true"
    )


@org_view(p.PARTY_VIEW)
def party_list(request):
    parties, filters = _filtered(request)
    return render(
        request,
        "core/party_list.html",
        {
            "page": keyset_page(request, parties, key="name"),
            "filters": filters,
            "warning_days": orgsettings.value(request.org, services.LICENCE_WARNING_DAYS.key),
            "kinds": PartyKind.choices,
            "nav_active": "parties",
            "can_manage": request.actor.can(p.PARTY_MANAGE),
        },
        partial="core/partials/party_rows.html",
    )


def _licences_text(licences, kind_labels: dict[str, str]) -> str:
    """Each licence with its expiry: "Business licence (no expiry); Food business licence (until 2026-12-15)"."""
    parts = []
    for licence in licences:
        kind = kind_labels.get(licence.kind, licence.kind)
        if licence.expires_on:
            parts.append(_("{kind} (until {date})").format(kind=kind, date=licence.expires_on.isoformat()))
        else:
            parts.append(_("{kind} (no expiry)").format(kind=kind))
    return "; ".join(parts)


@org_view(p.PARTY_VIEW)
def party_export(request):
    """The filtered list of outside parties as .xlsx, with each one's licences and their expiry."""
    parties, _filters = _filtered(request)
    kind_labels = dictionaries.labels(request.org, services.LICENCE_KIND.key)
    return xlsx_export(
        request,
        parties.prefetch_related(Prefetch("licences", queryset=PartyLicence.objects.order_by(*LICENCE_ORDER))).order_by(
            "name", "pk"
        ),
        [
            (_("Name"), "name"),
            (_("Kind"), lambda party: party.get_kind_display()),
            (_("Unified social credit code"), "credit_code"),
            (_("Address"), "address"),
            (_("Contact person"), "contact_name"),
            (_("Contact phone"), "contact_phone"),
            (_("Bank"), "bank_name"),
            (_("Bank account"), "bank_account"),
            (_("Licences"), lambda party: _licences_text(party.licences.all(), kind_labels)),
            (_("Note"), "note"),
            (_("Status"), lambda party: _("Active") if party.is_active else _("Inactive")),
        ],
        _("Outside parties"),
    )


@org_view(p.PARTY_VIEW)
def party_detail(request, pk):
    party = get_for_actor(Party.objects.all(), request.actor, pk=pk, view=p.PARTY_VIEW)
    licences = list(party.licences.order_by(*LICENCE_ORDER))
    kind_labels = dictionaries.labels(request.org, services.LICENCE_KIND.key)
    warning_days = orgsettings.value(request.org, services.LICENCE_WARNING_DAYS.key)
    today = timezone.localdate()
    for licence in licences:
        licence.kind_label = kind_labels.get(licence.kind, licence.kind)
        licence.expiry = expiry_state(licence.expires_on, today, warning_days)  # for the badge
    people = Membership.objects.filter(party=party).select_related("user").order_by("-is_active", "pk")
    return render(
        request,
        "core/party_detail.html",
        {
            "party": party,
            "licences": licences,
            "contacts": party.contacts.order_by("pk"),
            "people": restrict(people, request.actor, p.PERSON_VIEW)[:200],
            "can_add_person": request.actor.can(p.PERSON_MANAGE) and not request.actor.via_bureau,
            "today": today,
            "history_sources": [
                party.history.all(),
                PartyLicence.history.filter(party_id=party.pk),
                PartyContact.history.filter(party_id=party.pk),
                # Files of the party and scans of its licences.
                Attachment.history.filter(
                    Q(content_type=ContentType.objects.get_for_model(Party), object_id=party.pk)
                    | Q(
                        content_type=ContentType.objects.get_for_model(PartyLicence),
                        object_id__in=[licence.pk for licence in licences],
                    )
                ),
            ],
            "nav_active": "parties",
            "can_manage": request.actor.can(p.PARTY_MANAGE) and not request.actor.via_bureau,
        },
    )


def _managed(request, queryset, pk):
    return get_for_actor(queryset, request.actor, pk=pk, view=p.PARTY_VIEW, change=p.PARTY_MANAGE)


@org_view(p.PARTY_MANAGE)
def party_create(request):
    form = PartyForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    party = submitted(request, form, lambda **data: services.party_create(actor=request.actor, **data))
    if party:
        messages.success(request, _("Outside party “{name}” added.").format(name=party.name))
        return redirect("core:party_detail", request.org.code, party.pk)
    return _form_page(request, form, _("New outside party"))


@org_view(p.PARTY_MANAGE)
def party_edit(request, pk):
    party = _managed(request, Party.objects.all(), pk)
    initial = {name: getattr(party, name) for name in (*services.PARTY_FIELDS, "is_active")}
    form = PartyEditForm(request.POST or None, initial=initial)
    if submitted(request, form, lambda **data: services.party_update(actor=request.actor, party=party, **data)):
        messages.success(request, _("Changes saved."))
        return redirect("core:party_detail", request.org.code, party.pk)
    return _form_page(request, form, _("Edit outside party"), party.name)


@org_view(p.PARTY_MANAGE)
def party_licence_create(request, pk):
    party = _managed(request, Party.objects.all(), pk)
    form = LicenceForm(request.POST or None, org=request.org)
    licence = submitted(
        request, form, lambda **data: services.party_licence_create(actor=request.actor, party=party, **data)
    )
    if licence:
        messages.success(request, _("Licence added. You can now attach its scan."))
        return redirect("core:party_licence_edit", request.org.code, licence.pk)
    return _form_page(request, form, _("New licence"), party.name)


@org_view(p.PARTY_MANAGE)
def party_licence_edit(request, pk):
    licence = _managed(request, PartyLicence.objects.select_related("party"), pk)
    initial = {name: getattr(licence, name) for name in ("kind", "number", "issued_on", "expires_on", "note")}
    form = LicenceForm(request.POST or None, initial=initial, org=request.org, current_kind=licence.kind)
    if submitted(
        request, form, lambda **data: services.party_licence_update(actor=request.actor, licence=licence, **data)
    ):
        messages.success(request, _("Changes saved."))
        return redirect("core:party_detail", request.org.code, licence.party_id)
    return render(
        request,
        "core/party_licence_form.html",
        {"form": form, "licence": licence, "party": licence.party, "nav_active": "parties"},
    )


@org_view(p.PARTY_MANAGE)
def party_contact_create(request, pk):
    party = _managed(request, Party.objects.all(), pk)
    form = ContactForm(request.POST or None)
    if submitted(request, form, lambda **data: services.party_contact_create(actor=request.actor, party=party, **data)):
        messages.success(request, _("Contact added."))
        return redirect("core:party_detail", request.org.code, party.pk)
    return _form_page(request, form, _("New contact"), party.name)


@org_view(p.PARTY_MANAGE)
def party_contact_edit(request, pk):
    contact = _managed(request, PartyContact.objects.select_related("party"), pk)
    form = ContactForm(
        request.POST or None, initial={"name": contact.name, "phone": contact.phone, "position": contact.position}
    )
    if submitted(
        request, form, lambda **data: services.party_contact_update(actor=request.actor, contact=contact, **data)
    ):
        messages.success(request, _("Changes saved."))
        return redirect("core:party_detail", request.org.code, contact.party_id)
    return _form_page(request, form, _("Edit contact"), contact.party.name)


@require_POST
@org_view(p.PARTY_MANAGE)
def party_contact_delete(request, pk):
    contact = _managed(request, PartyContact.objects.all(), pk)
    party_id = contact.party_id
    services.party_contact_delete(actor=request.actor, contact=contact)
    messages.success(request, _("Contact removed."))
    return redirect(reverse("core:party_detail", args=[request.org.code, party_id]))
