"""The filters of stocktakes (盘点) and of their lines: the pages, the API and the Excel export share them."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.facts import DateRangeFilters
from houqin.core.models import Location

from ..choices import CountResult, StocktakeScope, StocktakeState
from ..models import Stocktake, StocktakeLine


class StocktakeFilterSet(DateRangeFilters, filters.FilterSet):
    date_field = "opened_at"

    state = filters.ChoiceFilter(choices=StocktakeState.choices, label=_("Status"))
    scope = filters.ChoiceFilter(choices=StocktakeScope.choices, label=_("Scope"))
    q = filters.CharFilter(method="filter_q", label=_("Number or name contains"))

    class Meta:
        model = Stocktake
        fields = ["state", "scope", "q", "start", "end"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class StocktakeLineFilterSet(filters.FilterSet):
    stocktake = filters.NumberFilter(field_name="stocktake", label=_("Stocktake (id)"))
    result = filters.MultipleChoiceFilter(choices=CountResult.choices, label=_("Result"))
    location = filters.NumberFilter(method="filter_location", label=_("Ledger place, and everything inside it (id)"))
    q = filters.CharFilter(method="filter_q", label=_("Asset code or name contains"))

    class Meta:
        model = StocktakeLine
        fields = ["stocktake", "result", "location", "q"]

    def filter_location(self, queryset, name, value):
        row = Location.objects.filter(pk=value).only("path").first()
        if row is None:
            return queryset.none()
        return queryset.filter(
            Q(expected_location__path__startswith=row.path) | Q(found_location__path__startswith=row.path)
        )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(asset__code__icontains=value) | Q(asset__name__icontains=value) | Q(surplus_name__icontains=value)
        )
