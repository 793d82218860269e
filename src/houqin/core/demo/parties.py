"""Demo outside parties: a 物业 company (two of its people work here as technician and security guard), an
elevator maintenance contractor and a food supplier for each school and hospital, with licences — one of
them expiring soon, so the to-do list and the licence reminder have something to show."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ..choices import Role
from ..models import Party, PartyContact, PartyLicence
from ..models.parties import PartyKind, credit_code_check_char
from .loader import DemoContext, register


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# (name suffix, kind, first 17 characters of the credit code, contact, phone, licences as (kind, number, days left))
PARTIES = [
    ("物业服务有限公司", PartyKind.PROPERTY_MANAGER, "91330106MA2CFD81{}", "周建国", "0571-86001234",
     [("business_licence", "", None)]),
    ("电梯维保工程有限公司", PartyKind.MAINTENANCE, "91330105MA2H7K3P{}", "吴海波", "13805716688",
     [("business_licence", "", None), ("special_equipment", "TS3433088-2027", 420)]),
    ("绿源食材配送有限公司", PartyKind.SUPPLIER, "91330110MA27XQ4N{}", "陈丽华", "13906517788",
     [("business_licence", "", None), ("food_business", "JY13301100012345", 20)]),
]  # fmt: skip
# Which demo organisations get them (the first letter of the name keeps them apart between orgs).
ORG_PREFIXES = {"qyzx": ("城南", "1"), "qyxrmyy": ("康宁", "2")}


@register
def load_parties(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for org_code, (prefix, digit) in ORG_PREFIXES.items():
        org = ctx.orgs.get(org_code)
        if org is None:
            continue
        for suffix, kind, code, contact, phone, licences in PARTIES:
            name = prefix + suffix
            if Party.objects.filter(org=org, name=name).exists():
                continue  # added before: edits made on the pages are left alone
            party = Party.objects.create(
                org=org,
                name=name,
                kind=kind,
                credit_code=_credit_code(code.format(digit)),
                address="青阳县青阳街道",
                contact_name=contact,
                contact_phone=phone,
            )
            PartyContact.objects.create(org=org, party=party, name=contact, phone=phone, position="项目经理")
            for licence_kind, number, days_left in licences:
                PartyLicence.objects.create(
                    org=org,
                    party=party,
                    kind=licence_kind,
                    number=number or party.credit_code,
                    issued_on=today - timedelta(days=700),
                    expires_on=today + timedelta(days=days_left) if days_left is not None else None,
                )
            if kind == PartyKind.PROPERTY_MANAGER:
                # The 物业 company's technician and security guard on site.
                for role in (Role.TECHNICIAN, Role.SECURITY):
                    for membership in ctx.members_with_role(org_code, role)[:1]:
                        if membership.party_id is None:
                            membership.party = party
                            membership.save(update_fields=["party"])
