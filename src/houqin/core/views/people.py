from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from .. import permissions as p
from .. import services
from ..choices import Role
from ..excel import xlsx_export
from ..filtersets import MembershipFilterSet
from ..forms import PersonEditForm, PersonForm, TreeChoiceField
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import Department, Membership, RoleGrant
from ..permissions import restrict
from ..selectors import can_see_phone
from .base import filtered, get_for_actor, keyset_page, org_view, render
from .compensation import person_compensations


def _people(request):
    """Members the actor may see, filtered as the list asks (page and export alike); active by default."""
    members = restrict(Membership.objects.all(), request.actor, p.PERSON_VIEW)
    return filtered(request, MembershipFilterSet, members, is_active="true")


def _with_details(members):
    return members.select_related("user", "department", "party").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.select_related("department"))
    )


@org_view(p.PERSON_VIEW)
def person_list(request):
    members, filters = _people(request)
    page = keyset_page(request, _with_details(members), key="pk")
    for membership in page["rows"]:
        membership.phone_shown = (
            membership.user.phone if can_see_phone(request.actor, membership) else membership.user.masked_phone
        )
    return render(
        request,
        "core/person_list.html",
        {
            "page": page,
            "filters": filters,
            "roles": Role.choices,
            "departments": Department.objects.filter(is_active=True).order_by("path"),
            "nav_active": "people",
            "can_manage": request.actor.can(p.PERSON_MANAGE),
        },
        partial="core/partials/person_rows.html",
    )


@org_view(p.PERSON_VIEW)
def person_detail(request, pk):
    membership = get_for_actor(_with_details(Membership.objects.all()), request.actor, pk=pk, view=p.PERSON_VIEW)
    can_manage = request.actor.can(p.PERSON_MANAGE)
    contact_visible = can_see_phone(request.actor, membership)
    return render(
        request,
        "core/person_detail.html",
        {
            "membership": membership,
            "person": membership.user,
            "contact_visible": contact_visible,
            "phone": membership.user.phone if contact_visible else membership.user.masked_phone,
            "grants": membership.role_grants.all(),
            "compensations": person_compensations(request.actor, membership),
            "can_settle": request.actor.can(p.COMPENSATION_MANAGE) and not request.actor.via_bureau,
            "history_sources": [
                membership.history.all(),
                RoleGrant.history.filter(membership_id=membership.pk),
                # The account is shared with other organisations: only changes made from here, and
                # only for those who may see contact details (the history shows phone and email).
                membership.user.history.filter(
                    Q(history_user__isnull=True) | Q(history_user__memberships__org=request.org)
                ).distinct()
                if contact_visible
                else membership.user.history.none(),
            ],
            "nav_active": "people",
            "can_manage": can_manage,
        },
    )


def _roles_from(cleaned_roles) -> list[tuple[str, None]]:
    return [(role, None) for role in cleaned_roles]


@org_view(p.PERSON_MANAGE)
def person_create(request):
    form = PersonForm(request.POST or None, initial={"roles": [Role.STAFF], "party": request.GET.get("party")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = _roles_from(data.pop("roles"))
        try:
            membership, password = services.person_create(actor=request.actor, roles=roles, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _show_password(request, membership, password)
    return render(request, "core/object_form.html", {"form": form, "title": _("New person"), "nav_active": "people"})


def _show_password(request, membership, password):
    """The one-time password is shown once, on this response only; it is never stored in clear."""
    response = render(
        request,
        "core/person_password.html",
        {"membership": membership, "password": password, "nav_active": "people"},
    )
    add_never_cache_headers(response)  # no browser or proxy cache may keep a copy
    return response


@org_view(p.PERSON_MANAGE)
def person_edit(request, pk):
    membership = get_for_actor(
        Membership.objects.select_related("user"), request.actor, pk=pk, view=p.PERSON_VIEW, change=p.PERSON_MANAGE
    )
    initial = {
        "name": membership.user.name,
        "email": membership.user.email,
        "employee_no": membership.employee_no,
        "department": membership.department_id,
        "title": membership.title,
        "party": membership.party_id,
        "is_active": membership.is_active,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.actor, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:person_detail", request.org.code, membership.pk)
    return render(
        request,
        "core/object_form.html",
        {"form": form, "title": _("Edit person"), "subject": membership.user.name, "nav_active": "people"},
    )


class RoleGrantForm(StyledFormMixin, forms.Form):
    # Blank by default, so the empty rows for new grants do not look like roles already held.
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[("", "---------"), *Role.choices], required=False)
    department = TreeChoiceField(
        label=gettext_lazy("Limited to department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for the whole organisation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")


RoleGrantFormSet = forms.formset_factory(RoleGrantForm, extra=2, can_delete=True)


@org_view(p.PERSON_MANAGE)
def person_roles(request, pk):
    """Grant and revoke roles, each optionally limited to a department."""
    membership = get_for_actor(
        Membership.objects.select_related("user"), request.actor, pk=pk, view=p.PERSON_VIEW, change=p.PERSON_MANAGE
    )
    current = [{"role": g.role, "department": g.department_id} for g in membership.role_grants.all()]
    formset = RoleGrantFormSet(request.POST or None, initial=current, prefix="roles")
    error = None
    if request.method == "POST" and formset.is_valid():
        wanted = [
            (form.cleaned_data["role"], form.cleaned_data.get("department"))
            for form in formset.forms
            if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.person_set_roles(actor=request.actor, membership=membership, roles=wanted)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Roles saved."))
            return redirect("core:person_detail", request.org.code, membership.pk)
    return render(
        request,
        "core/person_roles.html",
        {"membership": membership, "formset": formset, "error": error, "nav_active": "people"},
    )


@require_POST
@org_view(p.PERSON_MANAGE)
def person_reset_password(request, pk):
    membership = get_for_actor(
        Membership.objects.select_related("user"), request.actor, pk=pk, view=p.PERSON_VIEW, change=p.PERSON_MANAGE
    )
    password = services.person_reset_password(actor=request.actor, membership=membership)
    return _show_password(request, membership, password)


@org_view(p.PERSON_VIEW)
def person_export(request):
    members, _filters = _people(request)
    actor = request.actor
    return xlsx_export(
        request,
        _with_details(members).order_by("pk"),
        [
            (pgettext("person", "Name"), "user.name"),
            (_("Mobile number"), lambda m: m.user.phone if can_see_phone(actor, m) else m.user.masked_phone),
            (_("Employee number"), "employee_no"),
            (_("Department"), lambda m: m.department.name if m.department_id else ""),
            (_("Job title"), "title"),
            (_("Roles"), lambda m: "、".join(str(g) for g in m.role_grants.all())),
            (_("Status"), lambda m: _("Active") if m.is_active else _("Inactive")),
        ],
        _("People"),
    )
