"""Outside parties (外部单位): suppliers, contractors, 物业 companies, tenants — their writes and reminders.

Later modules refer to a ``Party`` (a purchase order's supplier, a job's contractor) and read its licences;
its people are memberships with ``party`` set, holding roles (technician, security) like anyone else.
Licence expiry is watched twice: the to-do list of whoever keeps parties, and the tick job
``parties.licence_expiry`` that notifies once per licence and expiry date, the org's warning days before
(setting ``parties.licence_warning_days``, 30 by default) and on expiry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import attachments, dictionaries, orgsettings, tick, todos
from . import permissions as p
from .choices import Role
from .models import LicenceReminder, Party, PartyContact, PartyLicence, User
from .models.parties import MAX_WARNING_DAYS, WARNING_DAYS_SETTING, expiry_state, parties_with_licences_in_state
from .notifications import notify
from .permissions import Actor, restrict
from .tenancy import scopes_disabled

LICENCE_KIND = dictionaries.register(
    dictionaries.Dictionary(
        key="party.licence_kind",
        label=gettext_lazy("Licence kinds of outside parties"),
        defaults=[
            ("business_licence", gettext_lazy("Business licence")),
            ("food_business", gettext_lazy("Food business licence")),
            ("construction_qualification", gettext_lazy("Construction enterprise qualification certificate")),
            ("safety_production", gettext_lazy("Work safety licence")),
            ("special_equipment", gettext_lazy("Special equipment installation, alteration and repair licence")),
            ("fire_maintenance", gettext_lazy("Fire protection facility maintenance qualification")),
            ("other", gettext_lazy("Other")),
        ],
    )
)
LICENCE_WARNING_DAYS = orgsettings.register(
    orgsettings.Setting(
        key=WARNING_DAYS_SETTING,
        label=gettext_lazy("Warn of expiring licences (days before)"),
        default=30,
        section=gettext_lazy("Outside parties"),
        form_field=orgsettings.integer_field(min_value=1, max_value=MAX_WARNING_DAYS),
        help_text=gettext_lazy(
            "A licence of an outside party expiring within this many days is shown orange, listed as a to-do "
            "and reminded of once to the head of logistics and the system administrator."
        ),
    )
)
# Who hears about expiring licences: the head of logistics and the system administrator.
LICENCE_REMINDER_ROLES = (Role.LOGISTICS_HEAD, Role.ORG_ADMIN)

attachments.register_owner(Party, view_action=p.PARTY_VIEW, change_action=p.PARTY_MANAGE)
attachments.register_owner(PartyLicence, view_action=p.PARTY_VIEW, change_action=p.PARTY_MANAGE)  # scans


def _require(actor: Actor, obj=None) -> None:
    if actor.via_bureau or not actor.can(p.PARTY_MANAGE):
        raise PermissionDenied
    if obj is not None and obj.pk and not restrict(type(obj).objects.filter(pk=obj.pk), actor, p.PARTY_MANAGE).exists():
        raise PermissionDenied


def _save(obj, data: dict) -> None:
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()


# Parties --------------------------------------------------------------------------------------

PARTY_FIELDS = (
    "name",
    "kind",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "bank_name",
    "bank_account",
    "note",
)


@transaction.atomic
def party_create(*, actor: Actor, name: str, kind: str, **details) -> Party:
    """Add an outside party; ``details`` are the other fields of ``PARTY_FIELDS``."""
    _require(actor)
    unknown = set(details) - set(PARTY_FIELDS)
    if unknown:
        raise TypeError("unknown party fields: {}".format(sorted(unknown)))
    party = Party(org=actor.org)
    _save(party, {"name": name, "kind": kind, **details})
    return party


@transaction.atomic
def party_update(*, actor: Actor, party: Party, **data) -> Party:
    """Change fields of ``PARTY_FIELDS`` and ``is_active`` (parties are deactivated, never deleted)."""
    _require(actor, party)
    unknown = set(data) - {*PARTY_FIELDS, "is_active"}
    if unknown:
        raise TypeError("unknown party fields: {}".format(sorted(unknown)))
    _save(party, data)
    return party


# Licences -------------------------------------------------------------------------------------


def _check_licence_kind(actor: Actor, kind: str, current: str | None = None) -> None:
    if not kind:
        raise ValidationError({"kind": _("Choose a licence kind.")})
    dictionaries.validate_code(actor.org, LICENCE_KIND.key, kind, field_name="kind", current=current)


@transaction.atomic
def party_licence_create(
    *,
    actor: Actor,
    party: Party,
    kind: str,
    number: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    note: str = "",
) -> PartyLicence:
    _require(actor, party)
    _check_licence_kind(actor, kind)
    licence = PartyLicence(org=actor.org, party=party)
    _save(licence, {"kind": kind, "number": number, "issued_on": issued_on, "expires_on": expires_on, "note": note})
    return licence


@transaction.atomic
def party_licence_update(*, actor: Actor, licence: PartyLicence, **data) -> PartyLicence:
    """Change a licence (renewing it is a new expiry date: reminders start over for that date)."""
    _require(actor, licence)
    if "kind" in data:
        _check_licence_kind(actor, data["kind"], current=licence.kind)
    _save(licence, data)
    return licence


def licence_kind_label(org, code: str) -> str:
    return dictionaries.label(org, LICENCE_KIND.key, code)


# Contacts -------------------------------------------------------------------------------------


@transaction.atomic
def party_contact_create(*, actor: Actor, party: Party, name: str, phone: str = "", position: str = "") -> PartyContact:
    _require(actor, party)
    contact = PartyContact(org=actor.org, party=party)
    _save(contact, {"name": name, "phone": phone, "position": position})
    return contact


@transaction.atomic
def party_contact_update(*, actor: Actor, contact: PartyContact, **data) -> PartyContact:
    _require(actor, contact)
    _save(contact, data)
    return contact


@transaction.atomic
def party_contact_delete(*, actor: Actor, contact: PartyContact) -> None:
    """A contact who left is deleted (history keeps who and when)."""
    _require(actor, contact)
    contact.delete()


# Expiry ---------------------------------------------------------------------------------------


@todos.register
def licence_todos(actor: Actor) -> list[todos.Todo]:
    """Parties with an expired licence, and with one expiring within the org's warning days (the list's own
    filter, so the to-do's count is what its link lists)."""
    if actor.via_bureau or not actor.can(p.PARTY_MANAGE):
        return []
    base = reverse("core:party_list", args=[actor.org.code])
    parties = restrict(Party.objects.all(), actor, p.PARTY_VIEW)
    warning_days = orgsettings.value(actor.org, LICENCE_WARNING_DAYS.key)
    today = timezone.localdate()
    found = []
    for state, title, level in (
        (LicenceReminder.EXPIRED, _("Outside parties with an expired licence"), "danger"),
        (
            LicenceReminder.EXPIRING,
            _("Outside parties with a licence expiring within {days} days").format(days=warning_days),
            "warning",
        ),
    ):
        count = parties_with_licences_in_state(parties, state, today, warning_days).count()
        found.append(todos.Todo(title, count, "{}?licence={}".format(base, state), level))
    return found


def _reminder_recipients(org) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__org=org,
            memberships__is_active=True,
            memberships__role_grants__role__in=LICENCE_REMINDER_ROLES,
        ).distinct()
    )


REMINDER_RANK = {LicenceReminder.NONE: 0, LicenceReminder.EXPIRING: 1, LicenceReminder.EXPIRED: 2}


@tick.job("parties.licence_expiry")
def remind_licence_expiry(now: datetime) -> int:
    """Notify once per licence and expiry date: when it comes within its org's warning days, and when it has
    expired. What was sent is stored on the licence (``reminded``, ``reminded_for``), so a second run sends
    nothing; a licence entered already expired gets only the "expired" notice.

    One query finds the licences within the largest warning days any org may choose; each org's own setting
    (read once per org) then decides which of them are due."""
    today = timezone.localdate(now)
    sent = 0
    recipients: dict[int, list[User]] = {}
    warning_days: dict[int, int] = {}
    with scopes_disabled():
        due = (
            PartyLicence.objects.filter(party__is_active=True, expires_on__lte=today + timedelta(days=MAX_WARNING_DAYS))
            .exclude(Q(reminded=LicenceReminder.EXPIRED) & Q(reminded_for=F("expires_on")))
            .select_related("party", "org")
            .order_by("pk")
        )
        for licence in due:
            org = licence.org
            if org.pk not in warning_days:
                warning_days[org.pk] = orgsettings.value(org, LICENCE_WARNING_DAYS.key)
            state = expiry_state(licence.expires_on, today, warning_days[org.pk])
            already = licence.reminded if licence.reminded_for == licence.expires_on else LicenceReminder.NONE
            if REMINDER_RANK[state] <= REMINDER_RANK[already]:
                continue
            if org.pk not in recipients:
                recipients[org.pk] = _reminder_recipients(org)
            kind = licence_kind_label(org, licence.kind)
            if state == LicenceReminder.EXPIRED:
                title = _("Licence expired: {party}, {kind}").format(party=licence.party.name, kind=kind)
            else:
                title = _("Licence expires on {date}: {party}, {kind}").format(
                    date=licence.expires_on.isoformat(), party=licence.party.name, kind=kind
                )
            notify(
                org=org,
                recipients=recipients[org.pk],
                event="parties.licence_expiring" if state == LicenceReminder.EXPIRING else "parties.licence_expired",
                title=title,
                body=_("Licence number: {number}").format(number=licence.number or "—"),
                url=reverse("core:party_detail", args=[org.code, licence.party_id]),
            )
            PartyLicence.objects.filter(pk=licence.pk).update(reminded=state, reminded_for=licence.expires_on)
            sent += 1
    return sent
