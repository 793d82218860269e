"""Importing people: one row a person, a one-time password for each new account."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .. import services
from ..choices import OrgKind, Role
from ..excel import Column, Importer, choice_lookup, lookup_key, parse_email, parse_phone, text
from ..models import Department, Membership

# What people write in a spreadsheet for each role, beside the codes and the labels in either language
# (the names of DESIGN.md "who uses it"): input vocabulary, not text we show.
ROLE_ALIASES = {
    Role.LEADER: ("校长", "院长"),
    Role.LOGISTICS_HEAD: ("后勤主管", "后勤校长", "总务主任", "后勤主任"),
    Role.ORG_ADMIN: ("系统管理员", "管理员"),
    Role.DISPATCHER: ("调度", "调度员", "派单员"),
    Role.ASSET_CLERK: ("资产管理员",),
    Role.STOREKEEPER: ("库管员", "库管", "仓管员"),
    Role.PURCHASER: ("采购员",),
    Role.TECHNICIAN: ("维修工", "维修员"),
    Role.SECURITY: ("安保", "门卫", "保安"),
    Role.CANTEEN: ("食堂管理员",),
    Role.DEPT_HEAD: ("部门负责人", "科室主任"),
    Role.STAFF: ("教职工", "医护", "职工", "员工"),
    Role.FINANCE: ("财务",),
    Role.BUREAU: ("上级主管",),
}


@lru_cache(maxsize=8)
def _role_lookup(language: str | None) -> dict[str, str]:
    return choice_lookup(Role, ROLE_ALIASES)


def parse_roles(value: str) -> list[str]:
    """Role codes from "维修工、部门负责人" or "technician, dept_head", in the order written, each once."""
    lookup = _role_lookup(translation.get_language())
    roles, unknown = [], []
    for part in re.split(r"[,;、\n]+", unicodedata.normalize("NFKC", value)):
        if not part.strip():
            continue
        role = lookup.get(lookup_key(part))
        if role is None:
            unknown.append(_("Unknown role: {role}.").format(role=part.strip()))
        elif role not in roles:
            roles.append(role)
    if unknown:
        raise ValidationError(unknown)
    return roles


@dataclass
class ImportedPerson:
    """One imported person as the result page shows them."""

    membership: Membership
    password: str | None  # None: the phone already had an account (another organisation)
    roles: list[str]
    department: Department | None


class PersonImporter(Importer):
    """People: a new account (with a one-time password) or, for a phone known elsewhere, a membership."""

    sheet_title = gettext_lazy("People")
    instructions_intro = gettext_lazy(
        "Each new person gets a one-time password, shown once after the import; they choose their own at first login."
    )
    columns = (
        Column(
            "name",
            pgettext_lazy("people import column", "Name"),
            required=True,
            parse=text(50),
            aliases=("姓名",),
            help_text=gettext_lazy("Full name."),
            example=("张伟", "李娜"),
        ),
        Column(
            "phone",
            pgettext_lazy("people import column", "Mobile number"),
            required=True,
            parse=parse_phone,
            aliases=("手机号", "手机号码", "手机", "Phone"),
            unique=True,
            help_text=gettext_lazy("11-digit mainland mobile number; it is the login name."),
            example=("13800138000", "13900139000"),
            as_text=True,
        ),
        Column(
            "employee_no",
            pgettext_lazy("people import column", "Employee number"),
            parse=text(30),
            aliases=("工号", "职工号", "员工编号"),
            unique=True,
            help_text=gettext_lazy("Optional; unique in the organisation; can also be used to log in."),
            example=("T001", ""),
            as_text=True,
        ),
        Column(
            "department",
            pgettext_lazy("people import column", "Department code"),
            parse=text(100),
            aliases=("部门编码", "部门代码", "部门", "科室", "Department"),
            help_text=gettext_lazy("Optional; the code (or the exact name) of a department of this organisation."),
            example=("ZWC", ""),
            as_text=True,
        ),
        Column(
            "title",
            pgettext_lazy("people import column", "Job title"),
            parse=text(50),
            aliases=("职务", "岗位"),
            help_text=gettext_lazy("Optional."),
            example=("维修组长", ""),
        ),
        Column(
            "roles",
            pgettext_lazy("people import column", "Roles"),
            parse=parse_roles,
            aliases=("角色",),
            help_text=gettext_lazy("Optional; several separated by 、 or commas. Empty means staff member."),
            example=("维修工、部门负责人", ""),
        ),
        Column(
            "email",
            pgettext_lazy("people import column", "Email"),
            parse=parse_email,
            aliases=("邮箱", "电子邮箱", "E-mail"),
            help_text=gettext_lazy("Optional."),
            example=("", "lina@example.com"),
        ),
    )

    def prepare(self, rows):
        refs = {row.values["department"] for row in rows if row.values.get("department")}
        self._departments: dict[str, list[Department]] = defaultdict(list)
        self._departments_by_code: dict[str, Department] = {}
        if refs:
            for department in Department.objects.filter(Q(code__in=refs) | Q(name__in=refs)):
                self._departments_by_code[department.code] = department
                self._departments[department.name].append(department)

    def check_row(self, row):
        ref = row.values.get("department")
        if ref:
            row.values["department"] = self._department(row, ref)
        roles = row.values.get("roles") or []
        if Role.BUREAU in roles and self.actor.org.kind != OrgKind.BUREAU:
            self.error(row, "roles", _("The bureau role can only be given in a supervising bureau."))

    def _department(self, row, ref: str) -> Department | None:
        department = self._departments_by_code.get(ref)
        if department is None:
            named = self._departments.get(ref, [])
            if len(named) > 1:
                self.error(row, "department", _("Several departments have this name; use the code."))
                return None
            department = named[0] if named else None
        if department is None:
            self.error(row, "department", _("No department with this code or name."))
        elif not department.is_active:
            self.error(row, "department", _("This department is no longer active."))
        return department

    def existing(self, key, values):
        if key == "phone":
            members = Membership.objects.filter(user__phone__in=values).select_related("user")
            return {m.user.phone: m.user.name for m in members}
        if key == "employee_no":
            members = Membership.objects.filter(employee_no__in=values).select_related("user")
            return {m.employee_no: m.user.name for m in members}
        return {}

    def save_row(self, row):
        values = row.values
        roles = values["roles"] or [Role.STAFF]
        membership, password = services.person_create(
            actor=self.actor,
            name=values["name"],
            phone=values["phone"],
            employee_no=values["employee_no"] or "",
            department=values["department"],
            title=values["title"] or "",
            email=values["email"] or "",
            roles=[(role, None) for role in roles],
        )
        return ImportedPerson(membership=membership, password=password, roles=roles, department=values["department"])

    def instructions(self):
        rows: list[list] = [[], [str(_("Roles you can use"))]]
        for value, label in Role.choices:
            if value != Role.BUREAU or self.actor.org.kind == OrgKind.BUREAU:
                rows.append([str(label), value])
        departments = Department.objects.filter(is_active=True).order_by("path").values_list("code", "name")
        rows += [[], [str(_("Departments of this organisation"))], [str(_("Code")), str(_("Name"))]]
        rows += [[code, name] for code, name in departments]
        return rows
