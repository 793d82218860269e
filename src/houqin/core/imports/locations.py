"""Importing places: one row a place, each listed after the place it is in."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .. import dictionaries, services
from ..choices import LocationKind
from ..excel import Column, Importer, ImportRow, choice, lookup_key, parse_bool, parse_code, text
from ..models import Location
from ..services import LOCATION_PARENT_KINDS

# What people write for each kind of place, beside the codes and the labels in either language.
LOCATION_KIND_ALIASES = {
    LocationKind.CAMPUS: ("校区", "院区"),
    LocationKind.BUILDING: ("楼栋", "楼宇", "楼"),
    LocationKind.FLOOR: ("楼层", "层"),
    LocationKind.ROOM: ("房间", "室"),
    LocationKind.AREA: ("室外区域", "区域", "室外"),
}


parse_location_kind = choice(
    LocationKind, LOCATION_KIND_ALIASES, unknown=gettext_lazy("Unknown kind; use one of: {choices}.")
)


def _placement_error(kind: str, parent_kind: str | None) -> str | None:
    """The same rule and words as ``services.location_create``, for rows whose parent is not saved yet."""
    allowed = LOCATION_PARENT_KINDS.get(kind, {None})
    if parent_kind in allowed:
        return None
    return _("A {kind} cannot be placed here; choose a parent of kind: {allowed}.").format(
        kind=LocationKind(kind).label,
        allowed=", ".join(
            str(LocationKind(k).label) if k else str(_("(none: top level)")) for k in sorted(allowed, key=str)
        ),
    )


class LocationImporter(Importer):
    """Places: code, name, kind, the code of the place it is in, a note, whether it is critical, its use."""

    sheet_title = gettext_lazy("Locations")
    instructions_intro = gettext_lazy(
        "List a place after the place it is in: a building's floors and rooms below the building's row."
    )
    columns = (
        Column(
            "code",
            pgettext_lazy("locations import column", "Code"),
            required=True,
            parse=parse_code(40),
            aliases=("编码", "位置编码", "代码"),
            unique=True,
            help_text=gettext_lazy("Unique in the organisation; letters, digits, '-', '_' or '.', e.g. A-3-301."),
            example=("N", "N1", "N1-3", "N1-301"),
            as_text=True,
        ),
        Column(
            "name",
            pgettext_lazy("locations import column", "Name"),
            required=True,
            parse=text(100),
            aliases=("名称", "位置名称"),
            help_text=gettext_lazy("As people call it."),
            example=("北校区", "实验楼", "三层", "301化学实验室"),
        ),
        Column(
            "kind",
            pgettext_lazy("locations import column", "Kind"),
            required=True,
            parse=parse_location_kind,
            aliases=("类型",),
            help_text=gettext_lazy("Campus, building, floor, room or outdoor area."),
            example=("校区", "楼栋", "楼层", "房间"),
        ),
        Column(
            "parent",
            pgettext_lazy("locations import column", "Parent code"),
            parse=parse_code(40),
            aliases=("上级编码", "上级位置编码", "上级"),
            help_text=gettext_lazy(
                "Code of the place it is in: an existing place or one in an earlier row. Empty for top-level places."
            ),
            example=("", "N", "N1", "N1-3"),
            as_text=True,
        ),
        Column(
            "note",
            pgettext_lazy("locations import column", "Note"),
            parse=text(200),
            aliases=("备注",),
            help_text=gettext_lazy("Optional."),
        ),
        Column(
            "is_critical",
            pgettext_lazy("locations import column", "Critical place"),
            parse=parse_bool,
            aliases=("关键场所", "是否关键场所", "关键"),
            help_text=gettext_lazy(
                "是 (yes) where deadlines count around the clock, e.g. an operating theatre or ICU; "
                "empty or 否 (no) otherwise."
            ),
            example=("", "", "", "否"),
        ),
        Column(
            "use",
            pgettext_lazy("locations import column", "Use"),
            parse=text(100),
            aliases=("场所用途", "用途"),
            help_text=gettext_lazy(
                "Optional. One of the organisation's uses of places, by name or code "
                "(listed on the instructions sheet)."
            ),
            example=("", "", "", "实验室"),
        ),
    )

    def prepare(self, rows):
        codes = {row.values[k] for row in rows for k in ("code", "parent") if row.values.get(k)}
        self._existing = {loc.code: loc for loc in Location.objects.filter(code__in=codes)} if codes else {}
        self._first_row: dict[str, ImportRow] = {}
        for row in rows:
            if row.values.get("code"):
                self._first_row.setdefault(row.values["code"], row)
        self._created: dict[str, Location] = {}
        self._uses: dict[str, str] = {}  # code, or label in either language → code
        self._use_labels: list[str] = []  # for the error message, in the page's language
        if any(row.values.get("use") for row in rows):
            self._use_labels = [label for _code, label in self._use_choices()]
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    for code, label in self._use_choices():
                        self._uses.setdefault(lookup_key(label), code)
                        self._uses[lookup_key(code)] = code

    def _use_choices(self) -> list[tuple[str, str]]:
        return dictionaries.choices(self.actor.org, dictionaries.LOCATION_USE.key)

    def check_row(self, row):
        self._check_use(row)
        self._check_parent(row)

    def _check_use(self, row):
        """The use as written becomes its dictionary code."""
        written = row.values.get("use")
        if not written:
            return
        row.values["use"] = self._uses.get(lookup_key(written))
        if row.values["use"] is None:
            self.error(row, "use", _("Unknown use; use one of: {choices}.").format(choices=", ".join(self._use_labels)))

    def _check_parent(self, row):
        code, kind, parent_code = row.values.get("code"), row.values.get("kind"), row.values.get("parent")
        parent_kind, known = None, True
        if parent_code:
            in_file = self._first_row.get(parent_code)
            if parent_code == code:
                self.error(row, "parent", _("A place cannot be inside itself."))
                return
            if parent_code in self._existing:
                parent = self._existing[parent_code]
                if not parent.is_active:
                    self.error(row, "parent", _("This location is no longer active."))
                    return
                parent_kind = parent.kind
            elif in_file is not None and in_file.number < row.number:
                parent_kind = in_file.values.get("kind")
                known = parent_kind is not None
            elif in_file is not None:
                self.error(
                    row,
                    "parent",
                    _("Defined in a later row ({row}); list a place after the place it is in.").format(
                        row=in_file.number
                    ),
                )
                return
            else:
                self.error(row, "parent", _("No location with this code, in this organisation or in an earlier row."))
                return
        elif "parent" in row.invalid:
            return
        if kind and known:
            message = _placement_error(kind, parent_kind)
            if message:
                self.error(row, "parent", message)

    def existing(self, key, values):
        if key == "code":
            return {loc.code: loc.name for loc in Location.objects.filter(code__in=values)}
        return {}

    def save_row(self, row):
        values = row.values
        parent_code = values["parent"]
        parent = (self._existing.get(parent_code) or self._created.get(parent_code)) if parent_code else None
        location = services.location_create(
            actor=self.actor,
            name=values["name"],
            code=values["code"],
            kind=values["kind"],
            parent=parent,
            note=values["note"] or "",
            is_critical=bool(values["is_critical"]),
            use=values["use"] or "",
        )
        self._created[location.code] = location
        return location

    def instructions(self):
        rows: list[list] = [[], [str(_("Kinds you can use"))]]
        for value, label in LocationKind.choices:
            rows.append([str(label), value])
        rows += [[], [str(_("Uses you can use"))]]
        for code, label in self._use_choices():
            rows.append([label, code])
        return rows
