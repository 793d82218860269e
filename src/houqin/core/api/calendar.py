"""Read-only API of the org's calendar: its own holiday and make-up-day table, and its terms and breaks.

Working days themselves are computed (``workcalendar``), not stored; these are the org's entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from .. import permissions as p
from ..models import CalendarDay, CalendarDayKind, Term, TermKind
from .base import OrgReadOnlyViewSet


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name"]


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["id", "name", "kind", "start", "end"]


class CalendarDayFilterSet(filters.FilterSet):
    year = filters.NumberFilter(field_name="date", lookup_expr="year", label=_("Year"))
    kind = filters.ChoiceFilter(choices=CalendarDayKind.choices, label=_("Kind"))

    class Meta:
        model = CalendarDay
        fields = ["year", "kind"]


class TermFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=TermKind.choices, label=_("Kind"))
    on = filters.DateFilter(method="filter_on", label=_("Includes the day"))

    class Meta:
        model = Term
        fields = ["kind", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value)


@extend_schema_view(
    list=extend_schema(summary="Days off and make-up working days entered by the organisation"),
    retrieve=extend_schema(summary="One entered day"),
)
class CalendarDayViewSet(OrgReadOnlyViewSet):
    """The org's own entries; they override the national calendar (chinesecalendar) on their dates."""

    queryset = CalendarDay.objects.none()
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
    view_permission = p.CALENDAR_VIEW
    ordering = "date"


@extend_schema_view(
    list=extend_schema(summary="Terms and breaks (学期, 寒假, 暑假)"),
    retrieve=extend_schema(summary="One term or break"),
)
class TermViewSet(OrgReadOnlyViewSet):
    """Terms and breaks in date order; ``?on=2027-07-10`` gives those that include that day."""

    queryset = Term.objects.none()
    serializer_class = TermSerializer
    filterset_class = TermFilterSet
    view_permission = p.CALENDAR_VIEW
    ordering = ("start", "id")
