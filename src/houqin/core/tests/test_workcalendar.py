"""Working days and hours: national calendar where it has data, the org's own table above it, Monday–Friday
where nothing is known; exact results, as deadlines and SLAs are computed from them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from houqin.core import orgsettings, workcalendar
from houqin.core.choices import Role
from houqin.core.models import CalendarDay, CalendarDayKind, Location, OrgSetting
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.workcalendar import CALENDAR_TZ, add_working_days, add_working_hours, is_working_day


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CALENDAR_TZ)


@pytest.fixture
def org(world):
    with org_scope(world.org_a):
        yield world.org_a


def _enter(org, day: date, kind=CalendarDayKind.HOLIDAY, name=""):
    CalendarDay.objects.create(org=org, date=day, kind=kind, name=name)


# Working days ------------------------------------------------------------------------------------


def test_national_day_2026_and_its_make_up_days(org):
    assert is_working_day(org, date(2026, 9, 20))  # Sunday, 调休上班 per chinesecalendar
    assert is_working_day(org, date(2026, 9, 30))
    assert not any(is_working_day(org, date(2026, 10, day)) for day in range(1, 8))
    assert is_working_day(org, date(2026, 10, 8))
    assert is_working_day(org, date(2026, 10, 10))  # Saturday, 调休上班 per chinesecalendar
    assert not is_working_day(org, date(2026, 10, 11))


def test_a_year_the_national_calendar_does_not_cover_falls_back_to_monday_to_friday(org):
    assert not workcalendar.national_calendar_covers(2027)
    assert workcalendar.national_calendar_covers(2026)
    assert is_working_day(org, date(2027, 1, 1))  # Friday; nobody has entered 元旦 2027
    assert not is_working_day(org, date(2027, 1, 2))
    assert add_working_hours(org, at(2027, 3, 5, 17, 0), 2) == at(2027, 3, 8, 9, 30)


def test_the_org_table_covers_january_2027(org):
    _enter(org, date(2027, 1, 1), name="元旦")
    assert not is_working_day(org, date(2027, 1, 1))
    # Thursday 17:00 + 2 h: half an hour on 31 December, then 元旦 Friday and the weekend.
    assert add_working_hours(org, at(2026, 12, 31, 17, 0), 2) == at(2027, 1, 4, 9, 30)
    assert add_working_days(org, date(2026, 12, 31), 1) == date(2027, 1, 4)
    # A make-up working Sunday entered for 2027 counts although no national data exists for that year.
    _enter(org, date(2027, 1, 3), CalendarDayKind.WORKDAY, name="元旦调休上班")
    assert is_working_day(org, date(2027, 1, 3))
    assert add_working_hours(org, at(2026, 12, 31, 17, 0), 2) == at(2027, 1, 3, 9, 30)
    assert add_working_days(org, date(2026, 12, 31), 2) == date(2027, 1, 4)


def test_the_org_table_overrides_the_national_calendar(org):
    _enter(org, date(2026, 6, 3), name="校庆")  # a Wednesday
    _enter(org, date(2026, 6, 7), CalendarDayKind.WORKDAY, name="校庆补班")  # a Sunday
    assert not is_working_day(org, date(2026, 6, 3))
    assert is_working_day(org, date(2026, 6, 7))
    assert add_working_days(org, date(2026, 6, 2), 1) == date(2026, 6, 4)
    assert add_working_days(org, date(2026, 6, 5), 1) == date(2026, 6, 7)


def test_another_orgs_table_does_not_count(world, org):
    with scopes_disabled():
        CalendarDay.objects.create(org=world.org_b, date=date(2026, 6, 3), kind=CalendarDayKind.HOLIDAY)
    assert is_working_day(org, date(2026, 6, 3))


# Working hours ---------------------------------------------------------------------------------------


def test_hours_across_national_day_2026(org):
    # 1.5 h left on Wednesday 30 September, then 1–7 October off; 2.5 h on Thursday 8 October.
    assert add_working_hours(org, at(2026, 9, 30, 16, 0), 4) == at(2026, 10, 8, 10, 30)


def test_a_make_up_saturday_counts(org):
    # Friday 9 October 17:00 + 2 h runs into the make-up Saturday 10 October.
    assert add_working_hours(org, at(2026, 10, 9, 17, 0), 2) == at(2026, 10, 10, 9, 30)


def test_the_lunch_break_does_not_count(org):
    assert add_working_hours(org, at(2026, 6, 3, 11, 30), 1) == at(2026, 6, 3, 14, 30)


def test_friday_evening_continues_on_monday(org):
    assert add_working_hours(org, at(2026, 6, 5, 17, 0), 2) == at(2026, 6, 8, 9, 30)


def test_a_start_outside_working_time_begins_at_the_next_period(org):
    assert add_working_hours(org, at(2026, 6, 3, 7, 0), 1) == at(2026, 6, 3, 9, 0)
    assert add_working_hours(org, at(2026, 6, 3, 12, 30), Decimal("0.5")) == at(2026, 6, 3, 14, 30)
    assert add_working_hours(org, at(2026, 6, 6, 10, 0), 1) == at(2026, 6, 8, 9, 0)  # a Saturday
    assert add_working_hours(org, at(2026, 6, 3, 20, 0), 0) == at(2026, 6, 4, 8, 0)


def test_fractions_and_period_ends(org):
    assert add_working_hours(org, at(2026, 6, 3, 8, 0), 1.5) == at(2026, 6, 3, 9, 30)
    assert add_working_hours(org, at(2026, 6, 3, 8, 0), Decimal("0.25")) == at(2026, 6, 3, 8, 15)
    assert add_working_hours(org, at(2026, 6, 3, 11, 0), 1) == at(2026, 6, 3, 12, 0)  # ends at noon, not 14:00
    assert add_working_hours(org, at(2026, 6, 3, 8, 0), 15) == at(2026, 6, 4, 17, 30)  # two full days


def test_a_critical_place_counts_around_the_clock(world, org):
    with scopes_disabled():
        world.room_b.is_critical = True
        world.room_b.save()
    with org_scope(world.org_b):
        assert add_working_hours(world.org_b, at(2026, 6, 5, 17, 0), 2, location=world.room_b) == at(2026, 6, 5, 19)
        assert add_working_hours(world.org_b, at(2026, 10, 1, 23, 0), 2, location=world.room_b) == at(2026, 10, 2, 1)
    # An ordinary room keeps working hours; wall_clock=True asks for the clock anywhere.
    assert add_working_hours(org, at(2026, 6, 5, 17, 0), 2, location=world.room_a) == at(2026, 6, 8, 9, 30)
    assert add_working_hours(org, at(2026, 6, 5, 17, 0), 2, wall_clock=True) == at(2026, 6, 5, 19, 0)


def test_the_org_working_hours_setting_is_used(org):
    OrgSetting.objects.create(org=org, key=workcalendar.WORKING_HOURS, value=[["09:00", "17:00"]])
    assert add_working_hours(org, at(2026, 6, 3, 16, 0), 2) == at(2026, 6, 4, 10, 0)
    assert add_working_hours(org, at(2026, 6, 3, 12, 30), 1) == at(2026, 6, 3, 13, 30)


def test_other_time_zones_are_read_as_the_same_moment(org):
    # 03:30 UTC is 11:30 in Shanghai.
    assert add_working_hours(org, datetime(2026, 6, 3, 3, 30, tzinfo=UTC), 1) == at(2026, 6, 3, 14, 30)
    with pytest.raises(ValueError):
        add_working_hours(org, datetime(2026, 6, 3, 11, 30), 1)
    with pytest.raises(ValueError):
        add_working_hours(org, at(2026, 6, 3, 11, 30), -1)


def test_a_long_walk_reads_the_table_once_per_year(org, django_assert_num_queries):
    with django_assert_num_queries(2):  # the working hours setting, the org's 2026 days
        add_working_hours(org, at(2026, 3, 2, 8, 0), 300)
    with django_assert_num_queries(3):  # … and its 2027 days
        add_working_hours(org, at(2026, 12, 1, 8, 0), 300)


# Working days added to a moment ------------------------------------------------------------------------


def test_days_across_national_day_2026(org):
    assert add_working_days(org, date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(org, date(2026, 9, 30), 3) == date(2026, 10, 10)  # the make-up Saturday
    assert add_working_days(org, date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_zero_days_is_today_or_the_next_working_day(org):
    assert add_working_days(org, date(2026, 6, 3), 0) == date(2026, 6, 3)
    assert add_working_days(org, date(2026, 10, 3), 0) == date(2026, 10, 8)


def test_a_datetime_keeps_its_time_of_day_inside_working_hours(org):
    assert add_working_days(org, at(2026, 6, 3, 10, 15), 2) == at(2026, 6, 5, 10, 15)
    assert add_working_days(org, at(2026, 6, 5, 19, 0), 1) == at(2026, 6, 8, 17, 30)
    assert add_working_days(org, at(2026, 6, 5, 12, 30), 1) == at(2026, 6, 8, 14, 0)
    assert add_working_days(org, at(2026, 6, 5, 7, 0), 1) == at(2026, 6, 8, 8, 0)


# The working hours form field ---------------------------------------------------------------------------


def test_working_hours_are_typed_as_one_line():
    field = workcalendar.WorkingHoursField()
    assert field.clean("08:00-12:00, 14:00-17:30") == [["08:00", "12:00"], ["14:00", "17:30"]]
    assert field.clean("8:00～11:30，13：30 至 17:00") == [["08:00", "11:30"], ["13:30", "17:00"]]
    assert field.prepare_value([["08:00", "12:00"], ["14:00", "17:30"]]) == "08:00-12:00, 14:00-17:30"


@pytest.mark.parametrize(
    "text,message",
    [
        ("12:00-08:00", "the end must come after the start"),
        ("08:00-12:00, 11:00-13:00", "must start after the period before it ends (12:00)"),
        ("14:00-17:30, 08:00-12:00", "must start after the period before it ends (17:30)"),
        ("08:00-25:00", "“25:00” is not a time of day"),
        ("08:00", "needs a start and an end"),
    ],
)
def test_working_hours_that_make_no_sense_are_refused_with_the_reason(text, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        workcalendar.WorkingHoursField().clean(text)
    assert message in error.value.messages[0]


def test_the_working_hours_setting_is_registered_with_its_default():
    setting = orgsettings.REGISTRY[workcalendar.WORKING_HOURS]
    assert setting.default == [["08:00", "12:00"], ["14:00", "17:30"]]
    assert setting.form_field().clean("07:30-11:30") == [["07:30", "11:30"]]


def test_an_admin_marks_a_place_critical_on_its_page_and_in_the_api(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    url = reverse("core:location_edit", args=["org-a", world.room_a.pk])
    form = client.get(url).context["form"]
    assert "is_critical" in form.fields
    data = {"name": "101教室", "code": "A1-101", "kind": "room", "parent": world.room_a.parent_id, "is_active": "on"}
    assert client.post(url, {**data, "is_critical": "on"}).status_code == 302
    api = reverse("api_location-detail", kwargs={"org_code": "org-a", "pk": world.room_a.pk})
    assert client.get(api).json()["is_critical"] is True
    assert client.patch(api, {"is_critical": False}, content_type="application/json").json()["is_critical"] is False
    client.patch(api, {"is_critical": True}, content_type="application/json")
    with org_scope(world.org_a):
        room = Location.objects.get(pk=world.room_a.pk)
        assert add_working_hours(world.org_a, at(2026, 6, 5, 17, 0), 2, location=room) == at(2026, 6, 5, 19, 0)
