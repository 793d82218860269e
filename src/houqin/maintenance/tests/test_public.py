"""报修 without login: off by default, per place (and the places below it), phone required, rate limited per
phone through the database cache; the settings page that turns it on."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from houqin.core.choices import LocationKind, Role
from houqin.core.models import Attachment, Notification, OrgSetting
from houqin.core.models.workflow import WorkflowEvent
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_location

from .. import services
from ..choices import JobSource, JobState
from ..models import Job, PublicReportPlace
from ..services.public import clean_contact_phone
from ..settings import PUBLIC_RATE_LIMIT
from .factories import actor_of

NOT_OPEN = "Reporting without login is not available at this place. Please log in to report."


def _zh(msgid: str) -> str:
    """What zh-Hans readers see (from the catalogue)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


GOOD = {"category": "water", "urgency": "normal", "contact_phone": "13812345678", "reporter_name": "王师傅"}


def _open(world, location, include_children=True):
    with org_scope(world.org_a):
        return services.public_place_add(
            actor=actor_of(world.member(Role.ORG_ADMIN)), location=location, include_children=include_children
        )


def _scan_url(world, location):
    return reverse("core:location_by_token", args=[world.org_a.code, location.qr_token])


def _form_url(world, location):
    return reverse("maintenance:public_report", args=[world.org_a.code, location.qr_token])


def _counts():
    with scopes_disabled():
        return (Job.objects.count(), Attachment.objects.count(), WorkflowEvent.objects.count())


def _report(world, location, client_key="1.2.3.4|phone", **extra):
    with org_scope(world.org_a):
        return services.job_report_public(
            org=world.org_a,
            location=location,
            category="water",
            description=extra.pop("description", "水龙头漏水"),
            contact_phone=extra.pop("contact_phone", "13812345678"),
            client_key=client_key,
            **extra,
        )


# Off by default -------------------------------------------------------------------------------------------


def test_an_anonymous_scan_where_it_is_off_goes_to_the_login_page(world, client):
    response = client.get(_scan_url(world, world.room_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.get(_form_url(world, world.room_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_report_where_it_is_off_is_refused_with_a_clear_message_and_saves_nothing(world, client):
    before = _counts()
    response = client.post(_form_url(world, world.room_a), GOOD)
    assert response.status_code == 403
    assert _zh(NOT_OPEN) in response.content.decode()  # 本场所未开通免登录报修，请登录后报修
    with pytest.raises(ValidationError) as refused, translation.override("zh-hans"):
        _report(world, world.room_a)
    assert refused.value.messages == [_zh(NOT_OPEN)]
    assert _counts() == before


# On, per place ---------------------------------------------------------------------------------------------


def test_an_anonymous_scan_of_an_open_room_reports_without_login(world, client):
    _open(world, world.room_a, include_children=False)
    scan = client.get(_scan_url(world, world.room_a))
    assert scan.status_code == 302 and scan["Location"] == _form_url(world, world.room_a)
    page = client.get(scan["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "101教室" in body and "教学楼" in body
    assert 'name="contact_phone"' in body and 'name="reporter_name"' in body and 'name="department"' not in body
    assert reverse("login") in body  # 已有账号？登录后报修
    response = client.post(scan["Location"], {**GOOD, "description": ""})
    with scopes_disabled():
        [job] = Job.objects.filter(org=world.org_a)
    done = reverse("maintenance:public_report_done", args=[world.org_a.code, world.room_a.qr_token, job.code])
    assert response.status_code == 302 and response["Location"] == done
    assert (job.source, job.state, job.reporter, job.department) == (JobSource.PUBLIC, JobState.NEW, None, None)
    assert (job.reporter_name, job.contact_phone, job.location) == ("王师傅", "13812345678", world.room_a)
    assert job.description  # the category's "no description" text
    with scopes_disabled():
        assert Notification.objects.filter(recipient=world.member(Role.DISPATCHER).user, event="maintenance.reported")
    page = client.get(done)
    assert page.status_code == 200
    assert job.code in page.content.decode()
    assert _zh("Please keep this number to ask about the repair.") in page.content.decode()  # 请保存编号以便查询


def test_a_place_opened_with_everything_below_it_covers_its_rooms(world, client):
    _open(world, world.building_a, include_children=True)
    with org_scope(world.org_a):
        assert services.public_reporting_open(world.org_a, world.room_a)
        assert services.public_reporting_open(world.org_a, world.building_a)
    assert client.get(_scan_url(world, world.room_a))["Location"] == _form_url(world, world.room_a)
    assert client.post(_form_url(world, world.room_a), GOOD).status_code == 302


def test_a_place_opened_alone_does_not_cover_the_rooms_below_it(world, client):
    _open(world, world.building_a, include_children=False)
    with org_scope(world.org_a):
        assert services.public_reporting_open(world.org_a, world.building_a)
        assert not services.public_reporting_open(world.org_a, world.room_a)
    assert client.post(_form_url(world, world.room_a), GOOD).status_code == 403
    with scopes_disabled():
        assert not Job.objects.exists()


def test_another_organisations_open_place_does_not_open_ours(world):
    room_b_open = make_location(world.org_b, "走廊", "B1-C", LocationKind.ROOM, world.building_b)
    with org_scope(world.org_b):
        PublicReportPlace.objects.create(org=world.org_b, location=room_b_open, enabled_by=world.member_b.user)
    with org_scope(world.org_a):
        assert not services.public_reporting_open(world.org_a, world.room_a)


def test_a_logged_in_member_is_sent_to_the_ordinary_form(world, login):
    _open(world, world.room_a)
    client = login(world.member(Role.STAFF))
    response = client.get(_form_url(world, world.room_a))
    expected = "{}?location={}".format(reverse("maintenance:job_report", args=[world.org_a.code]), world.room_a.pk)
    assert response.status_code == 302 and response["Location"] == expected


# The phone ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese keyboard
        ("010-12345678", "010-12345678"),
        ("(0571)88881234", "0571-88881234"),
        ("0571-8888123-8", "0571-8888123-8"),
        ("02112345678", "021-12345678"),
    ],
)
def test_mainland_mobile_and_landline_numbers_are_accepted_and_normalised(typed, stored):
    assert clean_contact_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12345", "12812345678", "1381234567", "138123456789", "12345678", "abc"])
def test_other_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        clean_contact_phone(typed)


@pytest.mark.parametrize("phone,message", [("", "请留下电话"), ("12345", "区号")])
def test_the_phone_is_required_and_checked_on_the_form(world, client, phone, message):
    _open(world, world.room_a)
    response = client.post(_form_url(world, world.room_a), {**GOOD, "contact_phone": phone})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="contact_phone"' in body
    with scopes_disabled():
        assert not Job.objects.exists()
    del message  # the wording is the translators'; the field error is what matters


def test_the_service_refuses_a_bad_phone(world):
    _open(world, world.room_a)
    with pytest.raises(ValidationError) as refused:
        _report(world, world.room_a, contact_phone="110")
    assert "contact_phone" in refused.value.message_dict


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_saved(world, client):
    _open(world, world.room_a)
    before = _counts()
    response = client.post(
        _form_url(world, world.room_a), {**GOOD, "photos": [SimpleUploadedFile("a.jpg", b"not a picture")]}
    )
    assert response.status_code == 200
    assert 'data-field-error="photos"' in response.content.decode()
    assert _counts() == before


def test_a_photo_sent_without_login_is_stored_without_an_uploader(world, client):
    _open(world, world.room_a)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, "JPEG")
    response = client.post(
        _form_url(world, world.room_a), {**GOOD, "photos": [SimpleUploadedFile("a.jpg", buffer.getvalue())]}
    )
    assert response.status_code == 302
    with scopes_disabled():
        [attachment] = Attachment.objects.all()
    assert attachment.uploaded_by is None and attachment.note == "before"


# The rate limit -----------------------------------------------------------------------------------------


def _limit(world, value):
    with scopes_disabled():
        OrgSetting.objects.create(org=world.org_a, key=PUBLIC_RATE_LIMIT.key, value=value)


def test_a_phone_may_send_the_orgs_hourly_limit_and_not_one_more(world):
    _open(world, world.room_a)
    _limit(world, 3)
    start = datetime(2026, 5, 6, 10, 0).astimezone()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            _report(world, world.room_a)
        with pytest.raises(ValidationError) as refused:
            _report(world, world.room_a)
        assert refused.value.code == "rate_limited"
        _report(world, world.room_a, client_key="1.2.3.4|another-phone")  # another phone behind the same IP
    with time_machine.travel(start + timedelta(minutes=59), tick=False), pytest.raises(ValidationError):
        _report(world, world.room_a)
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        _report(world, world.room_a)  # a rolling hour later
    with scopes_disabled():
        assert Job.objects.count() == 5


def test_one_network_address_may_send_ten_times_the_limit_whatever_its_cookies(world):
    """A script that renews its cookie before every report is still stopped by its address."""
    _open(world, world.room_a)
    _limit(world, 1)
    for phone in range(10):
        _report(world, world.room_a, client_key="5.6.7.8|phone-{}".format(phone), network_key="5.6.7.8")
    with pytest.raises(ValidationError) as refused:
        _report(world, world.room_a, client_key="5.6.7.8|phone-10", network_key="5.6.7.8")
    assert refused.value.code == "rate_limited"
    _report(world, world.room_a, client_key="9.9.9.9|phone-0", network_key="9.9.9.9")  # another network


def test_a_refused_report_does_not_use_up_the_limit(world):
    _open(world, world.room_a)
    _limit(world, 1)
    with pytest.raises(ValidationError):
        _report(world, world.room_a, contact_phone="1")
    _report(world, world.room_a)  # the first that was saved


def test_the_rate_limit_counts_per_phone_cookie_over_http(world, client):
    _open(world, world.room_a)
    _limit(world, 2)
    url = _form_url(world, world.room_a)
    client.get(url)  # the phone gets its long-lived id
    assert client.cookies.get("houqin_client")
    assert client.post(url, GOOD).status_code == 302
    assert client.post(url, GOOD).status_code == 302
    refused = client.post(url, GOOD)
    assert refused.status_code == 200
    assert 'data-field-error="__all__"' in refused.content.decode()
    with scopes_disabled():
        assert Job.objects.count() == 2
    client.cookies.pop("houqin_client")  # another phone on the same network
    assert client.post(url, GOOD).status_code == 302
    # Clients that keep no cookie share one count per network address.
    client.cookies.pop("houqin_client")
    assert client.post(url, GOOD).status_code == 302
    client.cookies.pop("houqin_client")
    assert client.post(url, GOOD).status_code == 200


def test_the_rate_limit_lives_in_the_database_cache(world, settings):
    # Rows of the database cache belong to the test's transaction, so every test starts with an empty limit.
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    _open(world, world.room_a)
    _report(world, world.room_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM {}".format(settings.CACHES["default"]["LOCATION"]))
        assert cursor.fetchone()[0] >= 1
    assert cache.get("no-such-key") is None


# The settings page ------------------------------------------------------------------------------------------


def _settings_url(world, name="public_place_list", *args):
    return reverse("maintenance:" + name, args=[world.org_a.code, *args])


def test_the_org_admin_turns_it_on_and_off(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    page = client.get(_settings_url(world))
    assert page.status_code == 200 and 'name="include_children"' in page.content.decode()
    response = client.post(
        _settings_url(world, "public_place_add"), {"location": world.building_a.pk, "include_children": "on"}
    )
    assert response.status_code == 302
    with org_scope(world.org_a):
        place = PublicReportPlace.objects.get()
        assert (place.location, place.include_children) == (world.building_a, True)
        assert place.enabled_by == world.member(Role.ORG_ADMIN).user
        assert services.public_reporting_open(world.org_a, world.room_a)
    again = client.post(_settings_url(world, "public_place_add"), {"location": world.building_a.pk})
    assert again.status_code == 200 and 'data-field-error="location"' in again.content.decode()
    assert "教学楼" in client.get(_settings_url(world)).content.decode()
    assert client.post(_settings_url(world, "public_place_remove", place.pk)).status_code == 302
    with org_scope(world.org_a):
        assert not PublicReportPlace.objects.exists()
        assert PublicReportPlace.history.count() == 2  # turned on, turned off


@pytest.mark.parametrize(
    "role,read,change",
    [
        (Role.ORG_ADMIN, 200, 302),
        (Role.LEADER, 200, 403),
        (Role.LOGISTICS_HEAD, 200, 403),
        (Role.DISPATCHER, 403, 403),
        (Role.STAFF, 403, 403),
    ],
)
def test_who_may_read_and_change_the_places(world, login, role, read, change):
    place = _open(world, world.room_a)
    client = login(world.member(role))
    page = client.get(_settings_url(world))
    assert page.status_code == read
    if read == 200:
        assert ('name="include_children"' in page.content.decode()) == (change == 302)
    add = client.post(_settings_url(world, "public_place_add"), {"location": world.building_a.pk})
    remove = client.post(_settings_url(world, "public_place_remove", place.pk))
    assert (add.status_code, remove.status_code) == (change, change)


def test_the_services_refuse_people_without_settings_manage(world):
    with org_scope(world.org_a), pytest.raises(PermissionDenied):
        services.public_place_add(
            actor=actor_of(world.member(Role.STAFF)), location=world.room_a, include_children=True
        )


def test_the_page_is_listed_in_the_repairs_section_of_the_settings_hub(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    assert _settings_url(world) in client.get(reverse("core:settings_hub", args=[world.org_a.code])).content.decode()


def _list_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_settings_url(world)).status_code == 200
    return len(queries)


def test_the_places_page_runs_the_same_queries_at_10_and_at_200_places(world, login):
    admin = world.member(Role.ORG_ADMIN)
    rooms = [
        make_location(world.org_a, "{}室".format(300 + n), "A1-{}".format(300 + n), LocationKind.ROOM, world.building_a)
        for n in range(200)
    ]
    with org_scope(world.org_a):
        PublicReportPlace.objects.bulk_create(
            [PublicReportPlace(org=world.org_a, location=room, enabled_by=admin.user) for room in rooms[:10]]
        )
    client = login(admin)
    at_10 = _list_queries(client, world)
    with org_scope(world.org_a):
        PublicReportPlace.objects.bulk_create(
            [PublicReportPlace(org=world.org_a, location=room, enabled_by=admin.user) for room in rooms[10:]]
        )
    assert _list_queries(client, world) == at_10
