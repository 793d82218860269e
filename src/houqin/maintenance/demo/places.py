"""Who works where in the demo organisations: the departments whose people report faults in each building
and floor, and which technician takes which kind of job."""

from __future__ import annotations

import re

# (building code, floor or None for the whole building) → departments whose people work there.
SCHOOL = {
    ("JX-A", 1): ("NJ1",), ("JX-A", 2): ("NJ2",), ("JX-A", 3): ("NJ3",), ("JX-A", 4): ("ZHJY", "DYC"),
    ("JX-B", 1): ("NJ4",), ("JX-B", 2): ("NJ5",), ("JX-B", 3): ("NJ6",), ("JX-B", 4): ("ZHJY", "DYC"),
    ("ZH", 1): ("ZHJY", "NJ4"), ("ZH", 2): ("ZHJY",), ("ZH", 3): ("ZHJY", "BGS"), ("ZH", 4): ("BGS", "JWC", "YWJY"),
    ("XZ", 1): ("BGS", "DYC"), ("XZ", 2): ("XZS", "BGS", "JWC", "DYC"), ("XZ", 3): ("ZWC", "CWS"),
    ("ST", None): ("ST",), ("TYG", None): ("TYZ",), ("MW", None): ("BAD",), ("SB", None): ("ZWC",),
    ("", None): ("TYZ", "ZWC", "DYC", "BAD"),
}  # fmt: skip
KINDERGARTEN = {
    ("JXL", 1): ("XB",), ("JXL", 2): ("ZB",), ("JXL", 3): ("DB",),
    ("CF", None): ("HQZ",), ("ZHL", None): ("YZS", "BJS", "BJC"), ("MW", None): ("HQZ",),
    ("", None): ("BJC", "HQZ", "XB", "ZB", "DB"),
}  # fmt: skip
HOSPITAL = {
    ("MZ", 1): ("JZK", "YJK", "HLB"), ("MZ", 2): ("NK", "WK"), ("MZ", 3): ("FCK", "EK"), ("MZ", 4): ("YWK", "FSK"),
    ("ZY", 1): ("HLB", "YJK", "ZWK"), ("ZY", 2): ("NK",), ("ZY", 3): ("NK",), ("ZY", 4): ("WK",),
    ("ZY", 5): ("FCK",), ("ZY", 6): ("EK",),
    ("YJ", 1): ("FSK",), ("YJ", 2): ("JYK",), ("YJ", 3): ("SSS",), ("YJ", 4): ("ICU",),
    ("HQ", 1): ("ZWK",), ("HQ", 2): ("ZWK", "SBK", "BWK", "XXK"),
    ("XZ", 1): ("YB", "DWB"), ("XZ", 2): ("YWK", "HLB", "CWK", "XXK"),
    ("ST", None): ("SSK",), ("", None): ("BWK", "ZWK"),
}  # fmt: skip
TABLES = {"qyzx": SCHOOL, "qyzx-yey": KINDERGARTEN, "qyxrmyy": HOSPITAL}

# Words in a technician's job title → the categories they are sent to first.
TECHNICIAN_WORDS = {
    "s": {"water": ("水",), "electric": ("电",), "hvac": ("水", "电"), "network": ("电",),
          "equipment": ("电", "维修工"), "door_window": ("木",), "building": ("木", "组长"), "other": ("木", "维修工")},
    "h": {"water": ("水暖",), "electric": ("电工",), "hvac": ("空调", "水暖"), "network": ("电工",),
          "equipment": ("电梯", "空调"), "door_window": ("水暖", "电梯"), "building": ("水暖", "班长"),
          "other": ("电梯", "电工")},
}  # fmt: skip

_FLOOR = re.compile(r"^[A-Z]+(?:-[A-Z]+)?-(\d)\d\d$")


def departments_at(org_code: str, building: str, code: str) -> tuple[str, ...]:
    table = TABLES[org_code]
    match = _FLOOR.match(code)
    floor = int(match.group(1)) if match else None
    return table.get((building, floor)) or table.get((building, None)) or table[("", None)]
