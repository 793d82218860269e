"""盘点 on the page behind an asset's QR label: the only way an asset is counted (who, where, the server's time).
The counter picks the place once; the next scan of the same stocktake starts there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.forms import TreeChoiceField
from houqin.core.forms_base import StyledFormMixin, add_service_errors
from houqin.core.models import Location
from houqin.core.permissions import restrict

from .. import permissions as p
from ..choices import CountResult
from ..models import Asset, Stocktake, StocktakeLine
from ..selectors import stocktakes as selectors
from ..services import stocktakes as services

SESSION_PLACES = "assets.stocktake_places"  # {stocktake id: place id} last chosen by this counter
SESSION_LAST = "assets.stocktake_last"  # the stocktake this counter last counted in


def _offered(request, asset: Asset) -> tuple[list[Stocktake], dict[int, StocktakeLine]]:
    """The open stocktakes this person may count ``asset`` in, and its line in each that listed it. A place-scoped
    stocktake that did not list it is offered once the person has counted in it (the place they chose is kept), so
    that an asset found in its area can join it, or when the ledger now has the asset inside its area."""
    actor = request.actor
    if actor.via_bureau or not actor.can(p.STOCKTAKE_COUNT):
        return [], {}
    candidates = selectors.open_for_asset(asset)
    if not candidates:
        return [], {}
    allowed = set(
        restrict(Stocktake.objects.filter(pk__in=[s.pk for s in candidates]), actor, p.STOCKTAKE_COUNT).values_list(
            "pk", flat=True
        )
    )
    lines = selectors.lines_for_asset(asset, [s.pk for s in candidates])
    remembered = request.session.get(SESSION_PLACES, {})
    offered = [
        s
        for s in candidates
        if s.pk in allowed
        and (s.pk in lines or str(s.pk) in remembered or services.in_area(s, asset.location))  # e.g. bought since
    ]
    return offered, lines


class CountForm(StyledFormMixin, forms.Form):
    stocktake = forms.TypedChoiceField(label=gettext_lazy("Stocktake"), coerce=int)
    found_location = TreeChoiceField(label=gettext_lazy("Found at"), queryset=Location.objects.none())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, stocktakes: list[Stocktake], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stocktake"].choices = [(s.pk, "{} {}".format(s.code, s.name)) for s in stocktakes]
        self.fields["found_location"].queryset = Location.objects.filter(is_active=True).order_by("path")
        if len(stocktakes) == 1:
            self.fields["stocktake"].widget = forms.HiddenInput()


def _remember(request, stocktake_id: int, location_id: int) -> None:
    """The place this counter chose, per stocktake (the next scan starts there); written only when it changes."""
    places = dict(request.session.get(SESSION_PLACES, {}))
    if places.get(str(stocktake_id)) != location_id:
        places[str(stocktake_id)] = location_id
        request.session[SESSION_PLACES] = places
    if request.session.get(SESSION_LAST) != stocktake_id:
        request.session[SESSION_LAST] = stocktake_id


def scan_panel(request, asset: Asset):
    """The 盘点 part of the label scan page: None when the person may not count this asset now; a response after a
    count was posted (back to the scan page); otherwise the context of ``assets/partials/stocktake_scan.html``."""
    stocktakes, lines = _offered(request, asset)
    if not stocktakes:
        if request.method == "POST" and "stocktake" in request.POST:
            if not request.actor.can(p.STOCKTAKE_COUNT):
                raise PermissionDenied
            messages.error(request, _("No open stocktake covers this asset."))
            return redirect(request.path)
        return None
    by_pk = {s.pk: s for s in stocktakes}
    last = request.session.get(SESSION_LAST)
    chosen = by_pk.get(last) or next((s for s in stocktakes if s.pk in lines), stocktakes[0])
    remembered = request.session.get(SESSION_PLACES, {}).get(str(chosen.pk))
    initial = {"stocktake": chosen.pk, "found_location": remembered or asset.location_id}
    form = CountForm(request.POST or None, stocktakes=stocktakes, initial=initial)
    if request.method == "POST" and "stocktake" in request.POST and form.is_valid():
        data = form.cleaned_data
        stocktake = by_pk[data["stocktake"]]
        try:
            line = services.stocktake_count(
                actor=request.actor,
                line_or_stocktake=lines.get(stocktake.pk) or stocktake,
                asset=asset,
                found_location=data["found_location"],
                note=data["note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
        else:
            _remember(request, stocktake.pk, line.found_location_id)
            if line.result == CountResult.FOUND:
                messages.success(request, _("Counted: found in place."))
            else:
                messages.warning(
                    request,
                    _("Counted: found at {place}, not where the ledger has it.").format(place=line.found_location.name),
                )
            return redirect(request.path)
    return {
        "form": form,
        "stocktakes": stocktakes,
        "chosen": chosen,
        "lines": [(s, lines.get(s.pk)) for s in stocktakes],
        "single": len(stocktakes) == 1,
        "recount": bool(lines.get(chosen.pk) and lines[chosen.pk].counted_at),  # "count again" on the button
    }
