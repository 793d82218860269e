"""API of loans (借用/归还): the list and one loan, lending, and the return check.

Reads go through ``restrict()`` and ``LoanFilterSet`` (the page's own filter); writes call the same services as the
pages (``loan_lend``, ``loan_return``), so the rules, numbering, the asset's status and chain and the compensation
are the service's. A refusal is a 400 with field errors, a refused role a 403, a loan the actor may not see a 404.
"""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action

from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Membership

from .. import permissions as p
from ..choices import LoanState, ReturnCondition
from ..filtersets import LoanFilterSet
from ..models import Asset, Loan
from ..selectors.loans import with_relations
from ..services.loans import loan_lend, loan_return
from .assets import RefSerializer

ACTION_PERMISSIONS = {"create": p.LOAN_BORROW, "return_loan": p.LOAN_MANAGE}


class LoanAssetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.name} if user is not None else None


class LoanSerializer(serializers.Serializer):
    """A loan. People: ``borrower`` is a membership (id, name); ``lent_by``/``received_by`` are users."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="JY-2026-00031")
    asset = LoanAssetSerializer()
    borrower = RefSerializer(help_text="Membership id and name")
    department = RefSerializer(help_text="The borrower's department when lent (counted by it)")
    purpose = serializers.CharField()
    lent_at = serializers.DateTimeField()
    due_on = serializers.DateField()
    lent_by = RefSerializer()
    state = serializers.ChoiceField(choices=LoanState.choices)
    state_label = serializers.CharField()
    overdue = serializers.BooleanField(help_text="Still out after the due day (today in China)")
    status_before = serializers.CharField(help_text="The asset's status before it was lent; given back on return")
    returned_at = serializers.DateTimeField(allow_null=True)
    received_by = RefSerializer(allow_null=True)
    condition = serializers.CharField(help_text="good, damaged, lost; empty while out")
    condition_label = serializers.CharField()
    return_note = serializers.CharField()
    reminded_on = serializers.DateField(allow_null=True, help_text="Last overdue reminder")
    url = serializers.CharField(help_text="The loan's page")

    def to_representation(self, loan: Loan) -> dict:
        context = self.context
        return {
            "id": loan.pk,
            "code": loan.code,
            "asset": {"id": loan.asset_id, "code": loan.asset.code, "name": loan.asset.name},
            "borrower": {"id": loan.borrower_id, "name": loan.borrower.user.name},
            "department": {"id": loan.department_id, "name": loan.department.name},
            "purpose": loan.purpose,
            "lent_at": serializers.DateTimeField().to_representation(loan.lent_at),
            "due_on": loan.due_on.isoformat(),
            "lent_by": _person(loan.lent_by),
            "state": loan.state,
            "state_label": str(loan.get_state_display()),
            "overdue": loan.is_overdue(context["today"]),
            "status_before": loan.status_before,
            "returned_at": serializers.DateTimeField().to_representation(loan.returned_at)
            if loan.returned_at
            else None,
            "received_by": _person(loan.received_by) if loan.received_by_id else None,
            "condition": loan.condition,
            "condition_label": str(loan.get_condition_display()) if loan.condition else "",
            "return_note": loan.return_note,
            "reminded_on": loan.reminded_on.isoformat() if loan.reminded_on else None,
            "url": context["url_prefix"] + "{}/".format(loan.pk),
        }


class LendSerializer(serializers.Serializer):
    """借出. Without ``borrower`` the asset is lent to the person calling (borrowing for oneself)."""

    asset = OrgRowField(Asset, help_text="Asset id (in use or idle)")
    borrower = OrgRowField(
        Membership, ("user",), required=False, allow_null=True, help_text="Membership id; default: yourself"
    )
    due_on = serializers.DateField(help_text="Due back on this day (not in the past)")
    purpose = serializers.CharField(max_length=200)


class ReturnSerializer(serializers.Serializer):
    """归还 with the condition check; a compensation amount records 赔偿 (damaged or lost only)."""

    condition = serializers.ChoiceField(choices=ReturnCondition.choices)
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Required when damaged or lost"
    )
    compensation_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, help_text="Yuan; needs compensation.manage"
    )
    compensation_person = OrgRowField(
        Membership, ("user",), required=False, allow_null=True, help_text="Membership id; default: the borrower"
    )


@extend_schema_view(
    list=extend_schema(summary="Loans you may see, newest first"),
    retrieve=extend_schema(summary="One loan"),
    create=extend_schema(summary="Lend an asset (借出)", request=LendSerializer, responses={201: LoanSerializer}),
)
class LoanViewSet(OrgWriteViewSet):
    """借用: everyone sees and makes their own loans, department heads read their department's, the asset clerk
    lends to anyone and takes assets back; a bureau reads nothing of them."""

    queryset = Loan.objects.none()
    serializer_class = LoanSerializer
    filterset_class = LoanFilterSet
    view_permission = p.LOAN_VIEW
    manage_permission = p.LOAN_BORROW  # the least write; each endpoint's own is in ACTION_PERMISSIONS
    ordering = "-id"
    http_method_names = ["get", "post", "head", "options"]

    def initial(self, request, *args, **kwargs):
        # A step on one loan looks it up first: one you cannot see is 404, one you see but may not take back 403.
        required = ACTION_PERMISSIONS.get(self.action, p.LOAN_BORROW)
        self.manage_permission = p.LOAN_VIEW if self.detail else required
        super().initial(request, *args, **kwargs)
        self.manage_permission = required

    def base_queryset(self):
        return with_relations(Loan.objects.all())

    def get_serializer_class(self):
        return {"create": LendSerializer, "return_loan": ReturnSerializer}.get(self.action, LoanSerializer)

    def get_serializer_context(self):
        return self._context

    @cached_property
    def _context(self) -> dict:
        context = super().get_serializer_context()
        actor = getattr(self, "actor", None)
        if actor is not None:
            context.update(
                today=timezone.localdate(),
                url_prefix=reverse("assets:loan_list", args=[actor.org.code]),
            )
        return context

    def create(self, request, *args, **kwargs):
        data = self.validated()
        borrower = data.pop("borrower", None)
        if borrower is None and self.actor.membership is not None and self.actor.membership.org_id == self.actor.org.pk:
            borrower = self.actor.membership
        loan = loan_lend(actor=self.actor, borrower=borrower, **data)
        return self.read_response(loan, status.HTTP_201_CREATED, LoanSerializer)

    @extend_schema(summary="Take an asset back (归还) with the condition check", responses=LoanSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_loan(self, request, *args, **kwargs):
        loan = self.get_object()
        loan_return(actor=self.actor, loan=loan, **self.validated())
        return self.read_response(loan, serializer_class=LoanSerializer)


def register(router):
    router.register("loans", LoanViewSet, basename="api_loan")
