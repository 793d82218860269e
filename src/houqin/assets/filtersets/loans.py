"""The one filter of loans (借用): the list page, its Excel export, the API, the report's links and facts use it."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.facts import DateRangeFilters

from ..choices import LoanState, ReturnCondition
from ..models import Loan


def overdue_q(today) -> Q:
    """Still out after the day it was due back."""
    return Q(state=LoanState.OUT, due_on__lt=today)


class LoanFilterSet(DateRangeFilters):
    date_field = "lent_at"  # start / end: lent on these local days

    state = filters.MultipleChoiceFilter(choices=LoanState.choices, label=_("Status"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue (still out after the due day)"))
    condition = filters.MultipleChoiceFilter(choices=ReturnCondition.choices, label=_("Condition on return"))
    department = filters.NumberFilter(field_name="department", label=_("Borrowing department (id)"))
    borrower = filters.NumberFilter(field_name="borrower", label=_("Borrower (membership id)"))
    asset = filters.NumberFilter(field_name="asset", label=_("Asset (id)"))
    category = filters.CharFilter(
        method="filter_category", label=_("Asset category and its subclasses (code, e.g. A02)")
    )
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due back on or after"))
    due_until = filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due back on or before"))
    q = filters.CharFilter(method="filter_q", label=_("Loan number, asset code or name contains"))

    class Meta:
        model = Loan
        fields = [
            "state",
            "overdue",
            "condition",
            "department",
            "borrower",
            "asset",
            "category",
            "start",
            "end",
            "due_from",
            "due_until",
            "q",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(overdue_q(today)) if value else queryset.exclude(overdue_q(today))

    def filter_category(self, queryset, name, value):
        # GB/T 14885 codes nest by prefix: A02 holds A0201, A020101, …
        value = value.strip().upper()
        return queryset.filter(asset__category__code__startswith=value) if value else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(asset__code__icontains=value) | Q(asset__name__icontains=value)
        )
