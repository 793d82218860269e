"""数据字典: defaults until the org edits; renames, reorders, retirements and additions; old codes stay readable."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from houqin.core import dictionaries
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import DictionaryItem
from houqin.core.tenancy import org_scope

KEY = "location.use"


def _actor(world, role=Role.ORG_ADMIN):
    return build_actor(world.member(role).user, world.org_a)


def test_the_defaults_apply_until_the_org_edits_and_follow_the_language(world):
    with org_scope(world.org_a):
        with translation.override("en"):
            assert dictionaries.choices(world.org_a, KEY)[0] == ("classroom", "Classroom")
        with translation.override("zh-hans"):
            assert dictionaries.label(world.org_a, KEY, "classroom") == translation.gettext("Classroom")
        assert not DictionaryItem.objects.exists()


def test_the_first_edit_copies_the_defaults_and_renames_reorders_retires_and_adds(world):
    with org_scope(world.org_a):
        dictionaries.dictionary_update(
            actor=_actor(world),
            key=KEY,
            items=[
                {"code": "classroom", "label": "普通教室", "order": 5, "is_active": True},
                {"code": "ward", "label": "", "order": 0, "is_active": False},
                {"code": "", "label": "体育馆", "order": None, "is_active": True},
            ],
        )
        codes = [code for code, _label in dictionaries.choices(world.org_a, KEY)]
        assert codes[0] == "office"  # 0 was taken by the retired ward; office kept its default order 1
        assert "ward" not in codes  # retired: no longer offered
        assert dictionaries.label(world.org_a, KEY, "ward") in ("病房", "Ward")  # still readable
        assert dictionaries.label(world.org_a, KEY, "classroom") == "普通教室"
        new = DictionaryItem.objects.get(label="体育馆")
        assert new.code.startswith("c") and (new.code, "体育馆") in dictionaries.choices(world.org_a, KEY)
        assert DictionaryItem.objects.count() == len(dictionaries.LOCATION_USE.defaults) + 1
        assert DictionaryItem.history.filter(code="classroom").count() == 2  # copied, then renamed
    with org_scope(world.org_b):
        assert dictionaries.label(world.org_b, KEY, "classroom") in ("教室", "Classroom")  # org B untouched


def test_a_label_equal_to_the_default_is_stored_blank_so_it_keeps_translating(world):
    with org_scope(world.org_a), translation.override("zh-hans"):
        shown = dictionaries.LOCATION_USE.default_label("office")  # 办公室 as the reader sees it
        dictionaries.dictionary_update(
            actor=_actor(world), key=KEY, items=[{"code": "office", "label": shown, "is_active": True}]
        )
        assert DictionaryItem.objects.get(code="office").label == ""
        with translation.override("en"):
            assert dictionaries.label(world.org_a, KEY, "office") == "Office"


def test_it_refuses_duplicate_and_malformed_codes_and_labelless_new_entries_saving_nothing(world):
    with org_scope(world.org_a):
        for items in (
            [{"code": "gym", "label": "体育馆"}, {"code": "gym", "label": "健身房"}],
            [{"code": "bad code!", "label": "坏"}],
            [{"code": "gym", "label": ""}],
        ):
            with pytest.raises(ValidationError) as error:
                dictionaries.dictionary_update(actor=_actor(world), key=KEY, items=items)
            assert "items" in error.value.message_dict
        assert not DictionaryItem.objects.exists()  # not even the copied defaults


def test_only_the_admin_edits(world):
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        dictionaries.dictionary_update(actor=_actor(world, Role.LOGISTICS_HEAD), key=KEY, items=[])


def test_validate_code_accepts_active_codes_and_the_records_own_retired_code(world):
    with org_scope(world.org_a):
        dictionaries.dictionary_update(actor=_actor(world), key=KEY, items=[{"code": "ward", "is_active": False}])
        dictionaries.validate_code(world.org_a, KEY, "classroom", field_name="use")
        dictionaries.validate_code(world.org_a, KEY, "ward", field_name="use", current="ward")
        with pytest.raises(ValidationError) as error:
            dictionaries.validate_code(world.org_a, KEY, "ward", field_name="use")
        assert "use" in error.value.message_dict


def test_registering_a_key_twice_is_an_error():
    with pytest.raises(ValueError):
        dictionaries.register(dictionaries.Dictionary(key=KEY, label="again"))


def test_the_page_edits_the_dictionary(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:settings_dictionary", args=["org-a", KEY])
    page = client.get(url)
    assert page.status_code == 200
    total = len(page.context["formset"].forms)
    data = {"items-TOTAL_FORMS": str(total), "items-INITIAL_FORMS": str(total - 2)}
    for index, form in enumerate(page.context["formset"].forms):
        for name in ("label", "order"):
            value = form.initial.get(name)
            data["items-{}-{}".format(index, name)] = "" if value is None else value
        if form.initial.get("is_active", True) and form.initial:
            data["items-{}-is_active".format(index)] = "on"
    data["items-0-label"] = "多媒体教室"
    data.pop("items-1-is_active")  # retire the second entry
    data["items-{}-label".format(total - 1)] = "体育馆"
    data["items-{}-is_active".format(total - 1)] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with org_scope(world.org_a):
        choices = dict(dictionaries.choices(world.org_a, KEY))
        assert choices["classroom"] == "多媒体教室" and "office" not in choices and "体育馆" in choices.values()


def test_the_api_lists_dictionaries_with_their_entries(world, login):
    client = login(world.member(Role.LEADER))
    data = client.get(reverse("api_dictionary-list", kwargs={"org_code": "org-a"})).json()
    use = next(d for d in data if d["key"] == KEY)
    assert use["customised"] is False and use["entries"][0]["code"] == "classroom"


def test_a_place_takes_its_use_from_the_dictionary_and_the_list_filters_by_it(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    form = {"name": "化学实验室", "code": "A1-201", "kind": "room", "parent": world.room_a.parent_id}
    refused = client.post(reverse("core:location_create", args=["org-a"]), {**form, "use": "spaceport"})
    assert refused.status_code == 200 and 'data-field-error="use"' in refused.content.decode()
    created = client.post(reverse("core:location_create", args=["org-a"]), {**form, "use": "laboratory"})
    assert created.status_code == 302
    listed = client.get(reverse("core:location_list", args=["org-a"]) + "?use=laboratory")
    assert [row.code for row in listed.context["page"]["rows"]] == ["A1-201"]
    with org_scope(world.org_a):
        dictionaries.dictionary_update(actor=_actor(world), key=KEY, items=[{"code": "laboratory", "is_active": False}])
    # Retired since: the place keeps it, shows it, and can still be saved with it.
    place_url = reverse("core:location_edit", args=["org-a", listed.context["page"]["rows"][0].pk])
    saved = client.post(place_url, {**form, "use": "laboratory", "is_active": "on"})
    assert saved.status_code == 302
    refused_again = client.post(
        reverse("core:location_create", args=["org-a"]), {**form, "code": "X", "use": "laboratory"}
    )
    assert 'data-field-error="use"' in refused_again.content.decode()
