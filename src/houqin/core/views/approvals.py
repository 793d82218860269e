"""审批 pages: 待我审批 (the inbox across modules), 我发起的, a request with its decision form and timeline,
delegations while away, the printable 审批单, and the organisation's approval rules."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from .. import approvals, printing
from .. import permissions as p
from ..choices import Role
from ..forms import TreeChoiceField
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import ApprovalRequest, ApprovalRule, ApprovalRuleStep, ApprovalState, Delegation, Department, Membership
from ..models.approvals import approver_label
from ..permissions import restrict
from .base import get_for_actor, keyset_page, org_view, render

# Forms ------------------------------------------------------------------------------------------


class DecisionForm(StyledFormMixin, forms.Form):
    # Sent by the button pressed (同意 / 驳回), so the page shows the comment and two buttons.
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you reject: say why."),
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "{} · {}".format(obj.user.name, obj.department.name) if obj.department_id else obj.user.name


def _colleagues(exclude: Membership | None = None):
    members = Membership.objects.filter(is_active=True).select_related("user", "department").order_by("user__name")
    return members.exclude(pk=exclude.pk) if exclude is not None else members


class DelegationForm(StyledFormMixin, forms.Form):
    delegate = MemberChoiceField(label=gettext_lazy("Colleague who decides for me"), queryset=Membership.objects.none())
    start_date = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=gettext_lazy("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, help_text=gettext_lazy("E.g. 出差, 休假."))

    def __init__(self, *args, me: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = _colleagues(exclude=me)


class RuleForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of request"))
    name = forms.CharField(label=pgettext_lazy("rule", "Name"), max_length=100)
    category = forms.CharField(
        label=gettext_lazy("Category"), max_length=60, required=False, help_text=gettext_lazy("Leave empty for any.")
    )
    department = TreeChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("Applies to this department and those below it; leave empty for all."),
    )
    min_amount = forms.DecimalField(
        label=gettext_lazy("Amount from (inclusive)"), max_digits=14, decimal_places=2, required=False
    )
    max_amount = forms.DecimalField(
        label=gettext_lazy("Amount below (exclusive)"), max_digits=14, decimal_places=2, required=False
    )
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        min_value=0,
        initial=100,
        help_text=gettext_lazy("Lower numbers are tried first; equal ones, the most specific first."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.kind, k.label) for k in approvals.KINDS.values()]
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")


class RuleStepForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[("", "---------"), *[(r, label) for r, label in Role.choices if r != Role.BUREAU]],
        required=False,
    )
    approver = MemberChoiceField(label=gettext_lazy("or a person"), queryset=Membership.objects.none(), required=False)
    of_requester_department = forms.BooleanField(label=gettext_lazy("of the requester's department"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = _colleagues()


RuleStepFormSet = forms.formset_factory(RuleStepForm, extra=2, can_delete=True)


# Lists ------------------------------------------------------------------------------------------


def _with_details(requests):
    return requests.select_related("requester__user", "department")


STATE_COLOURS = {"pending": "warning", "approved": "success", "rejected": "danger", "withdrawn": "secondary"}


def _labelled(approval: ApprovalRequest) -> ApprovalRequest:
    approval.kind_label = approvals.kind_label(approval.kind)
    approval.colour = STATE_COLOURS.get(approval.state, "secondary")
    return approval


def _can_see_all(actor) -> bool:
    """Whether the "All" tab is shown: the permission table lets the reader see more than their own."""
    return actor.widest_scope(p.APPROVAL_VIEW) not in (None, p.OWN)


def _list(request, tab: str, rows, *, title):
    rows["rows"] = [_labelled(row) for row in rows["rows"]]
    return render(
        request,
        "core/approval_list.html",
        {
            "page": rows,
            "tab": tab,
            "title": title,
            "can_see_all": _can_see_all(request.actor),
            "nav_active": "approvals",
        },
        partial="core/partials/approval_rows.html",
    )


@org_view(p.APPROVAL_DECIDE)
def approval_inbox(request):
    """待我审批: what waits for me, by name, by role or for whoever delegated to me, across modules."""
    steps = approvals.waiting_steps(request.actor).select_related(
        "request__requester__user", "request__department", "approver__user"
    )
    page = keyset_page(request, steps, key="-id")
    page["rows"] = [step.request for step in page["rows"]]
    return _list(request, "inbox", page, title=_("Waiting for my approval"))


@org_view(p.APPROVAL_SUBMIT)
def approval_mine(request):
    """我发起的."""
    mine = restrict(
        ApprovalRequest.objects.filter(requester=request.actor.membership), request.actor, p.APPROVAL_SUBMIT
    )
    return _list(request, "mine", keyset_page(request, _with_details(mine), key="-id"), title=_("My requests"))


@org_view(p.APPROVAL_VIEW)
def approval_all(request):
    """Every request the permission table lets the reader see (a leader's or finance's overview)."""
    readable = restrict(ApprovalRequest.objects.all(), request.actor, p.APPROVAL_VIEW)
    page = keyset_page(request, _with_details(readable), key="-id")
    return _list(request, "all", page, title=_("All approval requests"))


# One request ------------------------------------------------------------------------------------


def _request_for(request, pk) -> ApprovalRequest:
    found = _with_details(approvals.visible_requests(request.actor)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _decision_rights(approval: ApprovalRequest, actor) -> tuple[bool, Membership | None, str]:
    """(may decide, on whose behalf, why not) for the current step."""
    step = approval.steps.filter(state="pending").select_related("request", "approver__user").first()
    if step is None or actor.via_bureau or not actor.can(p.APPROVAL_DECIDE):
        return False, None, ""
    try:
        return True, approvals.acting_for(step, actor), ""
    except ValidationError as error:
        return False, None, " ".join(error.messages)


def _detail(request, approval: ApprovalRequest, form: DecisionForm | None = None, status: int = 200):
    can_decide, on_behalf_of, why_not = _decision_rights(approval, request.actor)
    steps = approval.steps.select_related("approver__user", "decided_by__user", "on_behalf_of__user")
    is_mine = request.actor.membership is not None and approval.requester_id == request.actor.membership.pk
    return render(
        request,
        "core/approval_detail.html",
        {
            "approval": _labelled(approval),
            "kind_label": approvals.kind_label(approval.kind),
            "target_url": approvals.target_url(approval),
            "steps": steps,
            "can_decide": can_decide,
            "on_behalf_of": on_behalf_of,
            "why_not": why_not,
            "can_withdraw": is_mine and approval.state == ApprovalState.PENDING and not request.actor.via_bureau,
            "form": form or DecisionForm(),
            "nav_active": "approvals",
        },
        status=status,
    )


@org_view(p.APPROVAL_VIEW)
def approval_detail(request, pk):
    return _detail(request, _request_for(request, pk))


@require_POST
@org_view(p.APPROVAL_DECIDE)
def approval_decide(request, pk):
    approval = _request_for(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            approvals.approval_decide(
                actor=request.actor,
                request=approval,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("core:approval_detail", request.org.code, approval.pk)
    return _detail(request, approval, form, status=400)


@require_POST
@org_view(p.APPROVAL_SUBMIT)
def approval_withdraw(request, pk):
    approval = get_for_actor(ApprovalRequest.objects.all(), request.actor, view=p.APPROVAL_SUBMIT, pk=pk)
    try:
        approvals.approval_withdraw(actor=request.actor, request=approval)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect("core:approval_detail", request.org.code, approval.pk)


@org_view(p.APPROVAL_VIEW)
def approval_print(request, pk):
    """审批单: the request, its steps with who decided when, and lines to sign."""
    approval = _request_for(request, pk)
    steps = approval.steps.select_related("approver__user", "decided_by__user", "on_behalf_of__user")
    rows = [
        (
            step.order,
            step.approver_label,
            step.get_state_display(),
            _decided_by(step),
            timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M") if step.decided_at else "",
            step.comment,
        )
        for step in steps
    ]
    form = printing.PrintForm(
        title=_("Approval form"),
        fields=[
            printing.Field(_("Kind of request"), approvals.kind_label(approval.kind)),
            printing.Field(_("Status"), approval.get_state_display()),
            printing.Field(_("Subject"), approval.title, wide=True),
            printing.Field(_("Requested by"), approval.requester.user.name),
            printing.Field(_("Department"), approval.department.name if approval.department_id else ""),
            printing.Field(_("Amount (yuan)"), approval.amount if approval.amount is not None else ""),
            printing.Field(_("Submitted"), timezone.localtime(approval.submitted_at).strftime("%Y-%m-%d %H:%M")),
        ],
        table=printing.Table(
            columns=[_("Step"), _("Approver"), _("Status"), _("Decided by"), _("Time"), _("Comment")],
            rows=rows,
            title=_("Approval steps"),
        ),
        signatures=[_("Requester"), _("Approver")],
        qr_url=request.build_absolute_uri(approvals.request_url(approval)),
        back_url=approvals.request_url(approval),
    )
    return printing.render_form(request, form)


def _decided_by(step) -> str:
    if not step.decided_by_id:
        return ""
    if step.on_behalf_of_id:
        return _("{delegate} on behalf of {delegator}").format(
            delegate=step.decided_by.user.name, delegator=step.on_behalf_of.user.name
        )
    return step.decided_by.user.name


# Delegations ------------------------------------------------------------------------------------


@org_view(p.APPROVAL_DECIDE)
def delegation_list(request):
    """My delegations while away, and those that let me decide for others."""
    me = request.actor.membership
    if me is None:
        raise PermissionDenied
    form = DelegationForm(request.POST or None, me=me)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.delegation_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Delegation saved."))
            return redirect("core:delegation_list", request.org.code)
    people = ("delegator__user", "delegate__user")
    return render(
        request,
        "core/approval_delegations.html",
        {
            "form": form,
            "mine": Delegation.objects.filter(delegator=me).select_related(*people)[:50],
            "to_me": Delegation.objects.filter(delegate=me).select_related(*people)[:50],
            "today": approvals.today(),
            "nav_active": "approvals",
            "tab": "delegations",
            "can_see_all": _can_see_all(request.actor),
        },
    )


@require_POST
@org_view(p.APPROVAL_DECIDE)
def delegation_end(request, pk):
    me = request.actor.membership
    delegation = Delegation.objects.filter(pk=pk, delegator=me).first() if me else None
    if delegation is None:
        raise Http404
    try:
        approvals.delegation_end(actor=request.actor, delegation=delegation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Delegation ended."))
    return redirect("core:delegation_list", request.org.code)


# Rules ------------------------------------------------------------------------------------------


@org_view(p.APPROVAL_RULE_MANAGE)
def approval_rule_list(request):
    rules = ApprovalRule.objects.select_related("department").prefetch_related(
        Prefetch("steps", queryset=ApprovalRuleStep.objects.select_related("approver__user").order_by("order"))
    )
    page = keyset_page(request, rules, key="pk")
    for rule in page["rows"]:
        rule.kind_label = approvals.kind_label(rule.kind)
    # Kinds that have default steps, and whether this organisation's own rules of the kind replace them.
    ruled = set(ApprovalRule.objects.filter(is_active=True).values_list("kind", flat=True).distinct())
    defaults = [
        {
            "label": approvals.kind_label(kind),
            "steps": " → ".join(
                approver_label(SimpleNamespace(approver_id=None, department_id=None, **step))
                for step in entry.default_steps
            ),
            "replaced": kind in ruled,
        }
        for kind, entry in sorted(approvals.KINDS.items())
        if entry.default_steps
    ]
    return render(
        request,
        "core/approval_rule_list.html",
        {"page": page, "has_kinds": bool(approvals.KINDS), "defaults": defaults, "nav_active": "settings"},
    )


def _rule_form(request, rule: ApprovalRule | None):
    initial = {"priority": 100, "is_active": True}
    steps_initial = []
    if rule is not None:
        initial = {name: getattr(rule, name) for name in RuleForm.base_fields if name != "department"}
        initial["department"] = rule.department_id
        steps_initial = [
            {"role": s.role, "approver": s.approver_id, "of_requester_department": s.of_requester_department}
            for s in rule.steps.order_by("order")
        ]
    form = RuleForm(request.POST or None, initial=initial)
    formset = RuleStepFormSet(request.POST or None, initial=steps_initial, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = [
            f.cleaned_data
            for f in formset.forms
            if (f.cleaned_data.get("role") or f.cleaned_data.get("approver")) and not f.cleaned_data.get("DELETE")
        ]
        try:
            approvals.approval_rule_save(actor=request.actor, rule=rule, steps=steps, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Approval rule saved."))
            return redirect("core:approval_rule_list", request.org.code)
    return render(
        request,
        "core/approval_rule_form.html",
        {"form": form, "formset": formset, "rule": rule, "nav_active": "settings"},
        status=400 if request.method == "POST" else 200,
    )


@org_view(p.APPROVAL_RULE_MANAGE)
def approval_rule_create(request):
    if not approvals.KINDS:  # a rule is for a kind of request, and no installed module has one yet
        return redirect("core:approval_rule_list", request.org.code)
    return _rule_form(request, None)


@org_view(p.APPROVAL_RULE_MANAGE)
def approval_rule_edit(request, pk):
    rule = get_for_actor(ApprovalRule.objects.all(), request.actor, view=p.APPROVAL_RULE_MANAGE, pk=pk)
    return _rule_form(request, rule)


urlpatterns = [
    path("", approval_inbox, name="approval_inbox"),
    path("mine/", approval_mine, name="approval_mine"),
    path("all/", approval_all, name="approval_all"),
    path("<int:pk>/", approval_detail, name="approval_detail"),
    path("<int:pk>/decide/", approval_decide, name="approval_decide"),
    path("<int:pk>/withdraw/", approval_withdraw, name="approval_withdraw"),
    path("<int:pk>/print/", approval_print, name="approval_print"),
    path("delegations/", delegation_list, name="delegation_list"),
    path("delegations/<int:pk>/end/", delegation_end, name="delegation_end"),
    path("rules/", approval_rule_list, name="approval_rule_list"),
    path("rules/new/", approval_rule_create, name="approval_rule_create"),
    path("rules/<int:pk>/", approval_rule_edit, name="approval_rule_edit"),
]
