"""Org settings: registered defaults, the ready-made fields (the TABLE field above all), saving with history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from houqin.core import orgsettings
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import OrgSetting
from houqin.core.tenancy import org_scope

SLA = "test.sla_hours"
ROWS = [("electrical", "电路"), ("plumbing", "水暖")]
COLUMNS = [("normal", "一般"), ("urgent", "紧急")]
SLA_DEFAULT = {"electrical": {"normal": 24, "urgent": 2}, "plumbing": {"normal": 48, "urgent": 4}}


@pytest.fixture
def sla_setting():
    """A TABLE setting registered for this test only (an SLA table category × urgency → hours)."""
    setting = orgsettings.register(
        orgsettings.Setting(
            key=SLA,
            label="SLA",
            default=SLA_DEFAULT,
            section="Test section",
            form_field=orgsettings.table_field(rows=ROWS, columns=COLUMNS, min_value=1, max_value=720),
        )
    )
    yield setting
    del orgsettings.REGISTRY[SLA]


def _actor(world, role=Role.ORG_ADMIN):
    return build_actor(world.member(role).user, world.org_a)


def test_the_table_field_cleans_a_grid_to_a_dict_and_names_the_bad_cell(sla_setting):
    field = sla_setting.form_field()
    assert field.clean(["12", "1", "36", "3"]) == {
        "electrical": {"normal": 12, "urgent": 1},
        "plumbing": {"normal": 36, "urgent": 3},
    }
    with pytest.raises(ValidationError) as error:
        field.clean(["12", "0", "36", "3"])
    assert any(message.startswith("电路 × 紧急:") for message in error.value.messages)


def test_the_table_field_renders_a_grid_that_scrolls_sideways(sla_setting):
    html = orgsettings.SettingsForm([sla_setting], {}, prefix="test").as_div()
    assert "table-responsive" in html and html.count('type="number"') == 4
    assert "电路" in html and "紧急" in html and 'value="48"' in html


def test_decimal_and_hours_fields_store_strings_never_floats():
    assert orgsettings.decimal_field(min_value=Decimal("0"))().clean("5000.5") == "5000.50"
    assert orgsettings.hours_field()().clean("1.5") == "1.50"
    with pytest.raises(ValidationError):
        orgsettings.hours_field()().clean("1.1")  # quarter hours only
    assert orgsettings.choice_field([("a", "A"), ("b", "B")])().clean("b") == "b"
    with pytest.raises(ValidationError):
        orgsettings.integer_field(min_value=180)().clean("179")


def test_saving_stores_differences_only_keeps_history_and_the_default_deletes_the_row(world, sla_setting):
    changed_table = {**SLA_DEFAULT, "plumbing": {"normal": 24, "urgent": 2}}
    with org_scope(world.org_a):
        assert orgsettings.value(world.org_a, SLA) == SLA_DEFAULT
        assert orgsettings.settings_update(actor=_actor(world), values={SLA: changed_table}) == [SLA]
        assert orgsettings.value(world.org_a, SLA) == changed_table
        assert orgsettings.settings_update(actor=_actor(world), values={SLA: changed_table}) == []
        assert orgsettings.settings_update(actor=_actor(world), values={SLA: SLA_DEFAULT}) == [SLA]
        assert not OrgSetting.objects.filter(key=SLA).exists()
        assert OrgSetting.history.filter(key=SLA).count() == 2  # created, deleted
    with org_scope(world.org_b):
        assert orgsettings.value(world.org_b, SLA) == SLA_DEFAULT


def test_saving_checks_every_key_before_writing_anything(world, sla_setting):
    with org_scope(world.org_a):
        with pytest.raises(ValidationError) as error:
            orgsettings.settings_update(
                actor=_actor(world), values={SLA: {"x": {"y": 1}}, "nope.unknown": 1, "test.decimal": Decimal("1")}
            )
        assert set(error.value.message_dict) == {"nope.unknown", "test.decimal"}
        assert not OrgSetting.objects.exists()
        with pytest.raises(PermissionDenied):
            orgsettings.settings_update(actor=_actor(world, Role.LEADER), values={SLA: SLA_DEFAULT})


def test_a_setting_validator_reports_on_its_key(world):
    def at_least_as_long_as_the_law(value):
        if value < 180:
            raise ValidationError("too short")

    setting = orgsettings.register(
        orgsettings.Setting(
            key="test.validated",
            label="v",
            default=200,
            section="Test section",
            form_field=orgsettings.integer_field(),
            validate=at_least_as_long_as_the_law,
        )
    )
    try:
        with org_scope(world.org_a), pytest.raises(ValidationError) as error:
            orgsettings.settings_update(actor=_actor(world), values={setting.key: 10})
        assert error.value.message_dict == {"test.validated": ["too short"]}
    finally:
        del orgsettings.REGISTRY[setting.key]


def test_the_hub_saves_a_section_and_shows_errors_next_to_the_cell(world, login, sla_setting):
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:settings_hub", args=["org-a"])
    page = client.get(url)
    assert page.status_code == 200 and "电路" in page.content.decode()
    cells = {"test-test.sla_hours_{}".format(i): v for i, v in enumerate(["10", "1", "20", "2"])}
    assert client.post(url, {"section": "test", **cells}).status_code == 302
    with org_scope(world.org_a):
        assert orgsettings.value(world.org_a, SLA)["plumbing"] == {"normal": 20, "urgent": 2}
    bad = client.post(url, {"section": "test", **cells, "test-test.sla_hours_3": "0"})
    assert bad.status_code == 200 and "水暖 × 紧急" in bad.content.decode()


def test_readers_see_the_settings_disabled_and_the_api_lists_values(world, login, sla_setting):
    client = login(world.member(Role.LEADER))
    page = client.get(reverse("core:settings_hub", args=["org-a"]))
    assert page.status_code == 200 and "disabled" in page.content.decode()
    rows = client.get(reverse("api_setting-list", kwargs={"org_code": "org-a"})).json()
    sla = next(row for row in rows if row["key"] == SLA)
    assert sla["value"] == SLA_DEFAULT and sla["is_default"] is True
    assert any(row["key"] == "core.security_log_retention_days" for row in rows)
