from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import permissions as p
from .. import services
from ..filtersets import DepartmentFilterSet
from ..forms import DepartmentEditForm, DepartmentForm
from ..forms_base import add_service_errors
from ..models import Department, Membership
from ..permissions import restrict
from .base import filtered, get_for_actor, keyset_page, org_view, render


@org_view(p.DEPARTMENT_VIEW)
def department_list(request):
    departments, filters = filtered(
        request, DepartmentFilterSet, restrict(Department.objects.all(), request.actor, p.DEPARTMENT_VIEW)
    )
    page = keyset_page(request, departments.select_related("parent"), key="path")
    return render(
        request,
        "core/department_list.html",
        {
            "page": page,
            "q": filters["q"],
            "nav_active": "departments",
            "can_manage": request.actor.can(p.DEPARTMENT_MANAGE),
        },
        partial="core/partials/department_rows.html",
    )


@org_view(p.DEPARTMENT_VIEW)
def department_detail(request, pk):
    department = get_for_actor(
        Department.objects.select_related("parent"), request.actor, pk=pk, view=p.DEPARTMENT_VIEW
    )
    children = department.children.order_by("path")
    members = restrict(
        Membership.objects.filter(department=department, is_active=True), request.actor, p.PERSON_VIEW
    ).select_related("user")[:100]
    return render(
        request,
        "core/department_detail.html",
        {
            "department": department,
            "ancestors": department.ancestors(),
            "children": children,
            "members": members,
            "nav_active": "departments",
            "can_manage": request.actor.can(p.DEPARTMENT_MANAGE),
        },
    )


@org_view(p.DEPARTMENT_MANAGE)
def department_create(request):
    form = DepartmentForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Department “{name}” created.").format(name=department.name))
            return redirect("core:department_detail", request.org.code, department.pk)
    return render(
        request, "core/object_form.html", {"form": form, "title": _("New department"), "nav_active": "departments"}
    )


@org_view(p.DEPARTMENT_MANAGE)
def department_edit(request, pk):
    department = get_for_actor(
        Department.objects.all(), request.actor, pk=pk, view=p.DEPARTMENT_VIEW, change=p.DEPARTMENT_MANAGE
    )
    initial = {f: getattr(department, f) for f in ("name", "code", "kind", "parent", "is_active")}
    form = DepartmentEditForm(request.POST or None, initial=initial, instance=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(actor=request.actor, department=department, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:department_detail", request.org.code, department.pk)
    return render(
        request,
        "core/object_form.html",
        {"form": form, "title": _("Edit department"), "subject": department, "nav_active": "departments"},
    )
