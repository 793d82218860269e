"""The print kit: A4 forms with signature lines, and sheets of QR labels for any record with a token.

A printable form (派工单, 调拨单, 盘点报告, 审批单…) is a ``PrintForm`` a view fills in and hands to
``render_form``; the page is ``print/form.html``: the organisation's name, the title and number, a grid
of labelled fields, an optional table of lines, notes, signature lines (签字 and 日期 blanks for each
person) and a footer saying who printed it and when. It prints on A4 and reads on a phone.

A label sheet is a list of ``Label`` (title, subtitle, the address its QR code opens) handed to
``label_sheet``; the person chooses the label stock (``LAYOUTS``) with ``?layout=``, and every page of
the sheet holds exactly that stock's count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .views.base import render

# Forms -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One labelled value of a form; an empty value prints as a line to fill in by hand."""

    label: str | Promise
    value: object = ""
    wide: bool = False  # takes a whole row (addresses, descriptions)


@dataclass(frozen=True)
class Table:
    """The lines of a form (items of a 调拨单, parts used on a 派工单); long tables break across pages
    with the header row repeated."""

    columns: Sequence[str | Promise]
    rows: Sequence[Sequence]
    title: str | Promise = ""
    numeric: Sequence[int] = ()  # indexes of columns aligned right (quantities, amounts)


@dataclass(frozen=True)
class PrintForm:
    """Everything a printed form shows; ``signatures`` are the people who sign (报修人, 维修人, 验收人)."""

    title: str | Promise
    number: str = ""
    fields: Sequence[Field] = ()
    table: Table | None = None
    notes: str = ""
    signatures: Sequence[str | Promise] = ()
    qr_url: str = ""  # printed in the corner, so the paper leads back to the record
    back_url: str = ""  # the "back" link of the screen toolbar

    def field_rows(self) -> list[list[Field]]:
        """Fields two to a row, a wide field alone on its row."""
        rows: list[list[Field]] = []
        for item in self.fields:
            if item.wide or not rows or len(rows[-1]) == 2 or rows[-1][0].wide:
                rows.append([item])
            else:
                rows[-1].append(item)
        return rows


def render_form(request, form: PrintForm) -> HttpResponse:
    """The form as an A4 print page of the request's organisation, signed off with who printed it and when."""
    return render(
        request,
        "print/form.html",
        {
            "form": form,
            "back_url": form.back_url,
            "qr_svg": qr_svgs([form.qr_url])[0] if form.qr_url else "",
            "printed_at": timezone.localtime(),
        },
    )


# Label sheets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """One sticker: its QR code opens ``url``."""

    title: str
    subtitle: str = ""
    url: str = ""


@dataclass(frozen=True)
class LabelLayout:
    """A stock of A4 label sheets: ``columns`` × ``rows`` labels of ``width`` × ``height`` mm, centred."""

    key: str
    name: str | Promise
    columns: int
    rows: int
    width: float  # mm
    height: float  # mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    # The page is drawn in percentages of its width so the same sheet scales down on a phone screen.
    @property
    def margin_x(self) -> float:
        return (PAGE_WIDTH - self.columns * self.width) / 2 / PAGE_WIDTH * 100

    @property
    def margin_y(self) -> float:
        return (PAGE_HEIGHT - self.rows * self.height) / 2 / PAGE_WIDTH * 100


PAGE_WIDTH, PAGE_HEIGHT = 210, 297  # A4, mm
LAYOUTS = {
    layout.key: layout
    for layout in (
        LabelLayout("3x8", _("Medium, 3 × 8 per page (70 × 37 mm)"), 3, 8, 70, 37),
        LabelLayout("2x5", _("Large, 2 × 5 per page (100 × 55 mm)"), 2, 5, 100, 55),
        LabelLayout("4x10", _("Small, 4 × 10 per page (48.5 × 25.4 mm)"), 4, 10, 48.5, 25.4),
    )
}
DEFAULT_LAYOUT = "3x8"


def chosen_layout(request) -> LabelLayout:
    return LAYOUTS.get(request.GET.get("layout", ""), LAYOUTS[DEFAULT_LAYOUT])


def label_sheet(
    request,
    labels: Sequence[Label],
    *,
    title: str | Promise,
    layout: LabelLayout | None = None,
    controls_template: str = "",
    context: dict | None = None,
    note: str | Promise = "",
    back_url: str = "",
) -> HttpResponse:
    """A print page of ``labels`` on the stock chosen with ``?layout=`` (or ``layout``).

    ``controls_template`` is included in the toolbar's GET form (filters choosing which records are
    printed; the chosen layout is kept); ``context`` is passed to it.
    """
    layout = layout or chosen_layout(request)
    svgs = qr_svgs([label.url for label in labels])
    pages = []
    for start in range(0, len(labels), layout.per_page):
        chunk = range(start, min(start + layout.per_page, len(labels)))
        pages.append([(labels[i], svgs[i]) for i in chunk])
    params = request.GET.copy()
    choices = []
    for option in LAYOUTS.values():
        params["layout"] = option.key
        choices.append((option, "?" + params.urlencode()))
    return render(
        request,
        "print/labels.html",
        {
            **(context or {}),
            "title": title,
            "pages": pages,
            "layout": layout,
            "layout_choices": choices,
            "controls_template": controls_template,
            "note": note,
            "back_url": back_url,
        },
    )


# QR codes --------------------------------------------------------------------------------------

QR_CACHE_SECONDS = 7 * 24 * 3600


def qr_svgs(urls: list[str]) -> list[str]:
    """Inline SVG QR codes for ``urls``, sized by CSS (a viewBox, no fixed size). Choosing the best mask
    costs ~10 ms a code, so codes are kept in the process's "qr" cache and a 600-label sheet is slow
    only the first time."""
    cache = caches["qr"]
    keys = ["qr:svg:{}".format(hashlib.sha1(url.encode()).hexdigest()) for url in urls]
    found = cache.get_many(keys)
    missing = {}
    for key, url in zip(keys, urls, strict=True):
        if key not in found:
            missing[key] = found[key] = segno.make(url, error="m").svg_inline(
                scale=4, border=2, omitsize=True, svgclass="qr"
            )
    if missing:
        cache.set_many(missing, QR_CACHE_SECONDS)
    return [found[key] for key in keys]
