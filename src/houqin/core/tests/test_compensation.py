"""赔偿 on the person's page: who sees it, the link back to its source, and settling it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from houqin.core import compensation as core_compensation
from houqin.core.choices import Role
from houqin.core.models import Compensation, Location
from houqin.core.tenancy import scopes_disabled


def _make(world, *, source=None, label="", reason="损坏教室门锁"):
    staff = world.member(Role.STAFF)
    with scopes_disabled():
        return Compensation.objects.create(
            org=world.org_a,
            person=staff,
            amount=Decimal("45.50"),
            reason=reason,
            recorded_by=world.member(Role.FINANCE).user,
            content_type_id=None if source is None else _content_type(source).pk,
            object_id=None if source is None else source.pk,
            source_label=label,
        )


def _content_type(obj):
    return ContentType.objects.get_for_model(obj)


def _person_page(world, login, who):
    staff = world.member(Role.STAFF)
    member = world.bureau_member if who == "bureau" else world.member(who)
    return login(member).get(reverse("core:person_detail", args=[world.org_a.code, staff.pk]))


# who → does the panel show the staff member's compensation (None: the person page itself is refused)
SEES = {
    Role.STAFF: True,  # their own
    Role.DEPT_HEAD: True,  # of their department
    Role.FINANCE: True,
    Role.DISPATCHER: True,
    Role.LOGISTICS_HEAD: True,
    Role.ORG_ADMIN: True,
    Role.TECHNICIAN: False,
    "outsider": False,
}


@pytest.mark.parametrize("who,sees", SEES.items())
def test_the_person_page_lists_compensation_for_those_who_may_read_it(world, login, who, sees):
    _make(world)
    response = _person_page(world, login, who)
    if response.status_code != 200:
        assert not sees and response.status_code in (403, 404)
        return
    page = response.content.decode()
    assert ("损坏教室门锁" in page) is sees
    assert ('data-testid="compensations"' in page) is sees


def test_the_source_links_back_only_when_its_module_registered_a_page(world, login, monkeypatch):
    _make(world, source=world.room_a, label="A1-101")
    page = _person_page(world, login, Role.FINANCE).content.decode()
    assert "A1-101" in page and 'data-testid="compensation-source"' not in page
    monkeypatch.setitem(
        core_compensation.SOURCE_URLS, "core.location", lambda pk, org: "/o/{}/locations/{}/".format(org.code, pk)
    )
    page = _person_page(world, login, Role.FINANCE).content.decode()
    assert 'href="/o/org-a/locations/{}/"'.format(world.room_a.pk) in page


def test_finance_settles_a_compensation_as_paid(world, login):
    compensation = _make(world)
    client = login(world.member(Role.FINANCE))
    url = reverse("core:compensation_settle", args=[world.org_a.code, compensation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"state": "paid"})
    assert response.status_code == 302
    with scopes_disabled():
        compensation.refresh_from_db()
    assert compensation.state == "paid" and compensation.settled_at is not None
    # Settled once: a second attempt is refused with a message, nothing changes.
    again = client.post(url, {"state": "waived", "note": "免除"})
    assert again.status_code == 200 and "data-field-error" in again.content.decode()
    with scopes_disabled():
        compensation.refresh_from_db()
    assert compensation.state == "paid"


def test_waiving_needs_a_reason(world, login):
    compensation = _make(world)
    url = reverse("core:compensation_settle", args=[world.org_a.code, compensation.pk])
    response = login(world.member(Role.DISPATCHER)).post(url, {"state": "waived", "note": ""})
    assert 'data-field-error="note"' in response.content.decode()
    with scopes_disabled():
        compensation.refresh_from_db()
    assert compensation.state == "open"


@pytest.mark.parametrize(
    "who,status",
    [(Role.STAFF, 403), (Role.ORG_ADMIN, 403), (Role.DEPT_HEAD, 403), ("outsider", 404), ("bureau", 403)],
)
def test_only_those_who_manage_compensation_may_settle_it(world, login, who, status):
    compensation = _make(world)
    member = world.bureau_member if who == "bureau" else world.member(who)
    client = login(member)
    url = reverse("core:compensation_settle", args=[world.org_a.code, compensation.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"state": "paid"}).status_code == status
    with scopes_disabled():
        compensation.refresh_from_db()
    assert compensation.state == "open"


def test_the_settle_button_shows_for_open_ones_to_those_who_manage(world, login):
    _make(world)
    assert 'data-testid="compensation-settle"' in _person_page(world, login, Role.FINANCE).content.decode()
    assert 'data-testid="compensation-settle"' not in _person_page(world, login, Role.STAFF).content.decode()


def test_a_location_is_not_a_registered_source_by_default():
    assert Location._meta.label_lower not in core_compensation.SOURCE_URLS
