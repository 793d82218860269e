"""Jobs and plans name an asset (maintenance → assets): 报修 from an asset's label, the office setting it on a job,
the API field and filter, plans for one asset and the jobs their tick makes, and the asset card's repairs panel."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from houqin.assets.choices import AssetStatus
from houqin.assets.tests.factories import make_asset
from houqin.core.choices import Role
from houqin.core.tenancy import org_scope, scopes_disabled

from .. import services
from ..choices import IntervalUnit, JobState, PlanSchedule
from ..models import Job, MaintenancePlan
from ..services.plans import generate_plan_jobs
from .factories import actor_of, advance, make_job

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def assets(world):
    """The staff member keeps the projector in 101教室; the clerk's printer has no place; one scrapped; one of B."""
    return {
        "kept": make_asset(world, name="投影仪", custodian=world.member(Role.STAFF)),
        "unkept": make_asset(world, name="打印机", location=None),
        "scrapped": make_asset(world, name="旧电脑", status=AssetStatus.DISPOSED, left_on=world_today()),
        "other": make_asset(world, org=world.org_b, name="监护仪"),
    }


def world_today():
    from django.utils import timezone

    return timezone.localdate()


def report_url(world, **params):
    query = "&".join("{}={}".format(k, v) for k, v in params.items())
    return reverse("maintenance:job_report", args=[world.org_a.code]) + ("?" + query if query else "")


def _jobs():
    with scopes_disabled():
        return list(Job.objects.order_by("id"))


# 报修 from an asset ------------------------------------------------------------------------------------------


def test_the_report_from_an_asset_fills_in_the_asset_and_its_place(world, assets, login):
    client = login(world.member(Role.STAFF))
    page = client.get(report_url(world, asset=assets["kept"].pk))
    assert page.status_code == 200 and page.context["location"] == world.room_a
    html = page.content.decode()
    assert 'data-testid="report-asset" data-asset="{}"'.format(assets["kept"].pk) in html
    assert 'name="asset" value="{}"'.format(assets["kept"].pk) in html
    posted = client.post(
        report_url(world),
        {"location": world.room_a.pk, "asset": assets["kept"].pk, "category": "electric", "urgency": "normal"},
    )
    assert posted.status_code == 302
    (job,) = _jobs()
    assert (job.asset_id, job.location_id, job.reporter_id) == (
        assets["kept"].pk,
        world.room_a.pk,
        world.member(Role.STAFF).user_id,
    )


def test_another_place_keeps_the_asset(world, assets, login):
    client = login(world.member(Role.STAFF))
    page = client.get(report_url(world, asset=assets["kept"].pk, pick=1))
    assert 'data-testid="report-pick"' in page.content.decode()
    assert "location={}&amp;asset={}".format(world.room_a.pk, assets["kept"].pk) in page.content.decode()


@pytest.mark.parametrize("which", ["unkept", "scrapped", "other", "nonsense"])
def test_a_staff_member_cannot_name_an_asset_they_may_not_see_or_that_left_the_books(world, assets, login, which):
    """A staff member sees the assets they keep or use: another's asset, a scrapped one, another organisation's or
    no asset at all is not prefilled (the report goes on without it), and posting its id saves nothing."""
    client = login(world.member(Role.STAFF))
    pk = assets[which].pk if which in assets else "x1"
    page = client.get(report_url(world, asset=pk, location=world.room_a.pk))
    assert page.status_code == 200 and page.context["asset"] is None
    assert 'data-testid="report-asset"' not in page.content.decode()
    posted = client.post(
        report_url(world), {"location": world.room_a.pk, "asset": pk, "category": "electric", "urgency": "normal"}
    )
    assert posted.status_code == 200 and "asset" in posted.context["form"].errors
    assert _jobs() == []


def test_the_office_may_name_any_asset_of_its_organisation_but_not_a_scrapped_one(world, assets):
    office = actor_of(world.member(Role.DISPATCHER))
    with org_scope(world.org_a):
        job = services.job_report(
            actor=office, location=world.room_a, category="electric", description="不亮", asset=assets["unkept"]
        )
        assert job.asset == assets["unkept"]
        with pytest.raises(ValidationError) as refused:
            services.job_report(
                actor=office, location=world.room_a, category="electric", description="不亮", asset=assets["scrapped"]
            )
    assert "asset" in refused.value.message_dict
    assert len(_jobs()) == 1


# The job's page and its edit form -------------------------------------------------------------------------------


def _job_with(world, asset, reporter=Role.STAFF):
    with org_scope(world.org_a):
        return services.job_report(
            actor=actor_of(world.member(reporter)),
            location=world.room_a,
            category="electric",
            description="投影仪不亮",
            asset=asset,
        )


def test_the_job_page_shows_the_asset_with_a_link_for_those_who_may_open_its_card(world, assets, login):
    job = _job_with(world, assets["kept"])
    card = reverse("assets:asset_detail", args=[world.org_a.code, assets["kept"].pk])
    detail = reverse("maintenance:job_detail", args=[world.org_a.code, job.pk])
    html = login(world.member(Role.STAFF)).get(detail).content.decode()  # keeps it: may open it
    assert 'data-testid="job-asset"' in html and card in html
    html = login(world.member(Role.DISPATCHER)).get(detail).content.decode()  # sees the job, not the ledger
    assert 'data-testid="job-asset"' in html and assets["kept"].code in html and card not in html


def test_the_dispatcher_sets_changes_and_clears_the_asset_by_its_code(world, assets, login):
    job = make_job(world)
    client = login(world.member(Role.DISPATCHER))
    url = reverse("maintenance:job_edit", args=[world.org_a.code, job.pk])
    form = {"category": job.category, "urgency": job.urgency, "department": job.department_id or ""}
    assert client.post(url, {**form, "asset": assets["unkept"].code}).status_code == 302
    job.refresh_from_db()
    assert job.asset_id == assets["unkept"].pk
    page = client.get(url)
    assert page.context["form"].initial["asset"] == assets["unkept"].code
    for bad, words in (("NO-SUCH", "NO-SUCH"), (assets["scrapped"].code, assets["scrapped"].code)):
        refused = client.post(url, {**form, "asset": bad})
        assert refused.status_code == 200 and words in str(refused.context["form"].errors["asset"])
    assert client.post(url, {**form, "asset": assets["other"].code}).status_code == 200  # org B's: no such code here
    job.refresh_from_db()
    assert job.asset_id == assets["unkept"].pk
    assert client.post(url, {**form, "asset": ""}).status_code == 302
    job.refresh_from_db()
    assert job.asset_id is None


def test_changing_other_fields_keeps_an_asset_that_left_the_books_since(world, assets, login):
    job = _job_with(world, assets["kept"])
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(asset=assets["scrapped"])
    client = login(world.member(Role.DISPATCHER))
    url = reverse("maintenance:job_edit", args=[world.org_a.code, job.pk])
    posted = client.post(url, {"category": job.category, "urgency": "urgent", "asset": assets["scrapped"].code})
    assert posted.status_code == 302
    job.refresh_from_db()
    assert (job.urgency, job.asset_id) == ("urgent", assets["scrapped"].pk)


def test_the_job_list_filters_by_asset(world, assets, login):
    mine = _job_with(world, assets["kept"])
    make_job(world)
    client = login(world.member(Role.DISPATCHER))
    response = client.get(
        reverse("maintenance:job_list", args=[world.org_a.code]) + "?asset={}".format(assets["kept"].pk)
    )
    assert [job.pk for job in response.context["page"]["rows"]] == [mine.pk]
    html = response.content.decode()
    assert 'name="asset" value="{}"'.format(assets["kept"].pk) in html
    assert 'data-testid="asset-filter"' in html and assets["kept"].code in html
    # Someone who may not see an asset does not learn its name from the address.
    staff = login(world.member(Role.STAFF)).get(
        reverse("maintenance:job_list", args=[world.org_a.code]) + "?asset={}".format(assets["unkept"].pk)
    )
    assert (
        'data-testid="asset-filter"' not in staff.content.decode()
        and assets["unkept"].code not in staff.content.decode()
    )


# The API ----------------------------------------------------------------------------------------------------


def _jobs_api(world, pk=None):
    if pk is None:
        return reverse("api_job-list", kwargs={"org_code": world.org_a.code})
    return reverse("api_job-detail", kwargs={"org_code": world.org_a.code, "pk": pk})


def test_the_api_reads_writes_and_filters_the_asset(world, assets, login):
    staff = login(world.member(Role.STAFF))
    body = {"location": world.room_a.pk, "category": "electric", "description": "不亮", "asset": assets["kept"].pk}
    created = staff.post(_jobs_api(world), body, content_type="application/json")
    assert created.status_code == 201 and created.json()["asset"] == assets["kept"].pk
    refused = staff.post(_jobs_api(world), {**body, "asset": assets["unkept"].pk}, content_type="application/json")
    assert refused.status_code == 400 and "asset" in refused.json()
    missing = staff.post(_jobs_api(world), {**body, "asset": assets["other"].pk}, content_type="application/json")
    assert missing.status_code == 400 and "asset" in missing.json()
    job_id = created.json()["id"]
    office = login(world.member(Role.DISPATCHER))
    assert office.get(_jobs_api(world, job_id)).json()["asset"] == assets["kept"].pk
    changed = office.patch(_jobs_api(world, job_id), {"asset": assets["unkept"].pk}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["asset"] == assets["unkept"].pk
    make_job(world)
    listed = office.get(_jobs_api(world) + "?asset={}".format(assets["unkept"].pk)).json()["results"]
    assert [row["id"] for row in listed] == [job_id]
    assert [row["asset"] for row in office.get(_jobs_api(world)).json()["results"]] == [None, assets["unkept"].pk]
    cleared = office.patch(_jobs_api(world, job_id), {"asset": None}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["asset"] is None
    scrapped = office.patch(_jobs_api(world, job_id), {"asset": assets["scrapped"].pk}, content_type="application/json")
    assert scrapped.status_code == 400 and "asset" in scrapped.json()


# Plans ----------------------------------------------------------------------------------------------------


NOW = datetime(2026, 11, 5, 9, 30, tzinfo=SHANGHAI)


def _plan(world, **fields):
    data = {
        "name": "投影仪保养",
        "category": "electric",
        "description": "清洁滤网、检查灯泡",
        "schedule": PlanSchedule.INTERVAL,
        "interval_count": 1,
        "interval_unit": IntervalUnit.WEEK,
        "starts_on": NOW.date() - timedelta(days=3),
        **fields,
    }
    with org_scope(world.org_a):
        return services.plan_create(actor=actor_of(world.member(Role.DISPATCHER)), **data)


def test_a_plan_for_an_asset_takes_its_place_and_its_jobs_carry_the_asset(world, assets):
    plan = _plan(world, asset=assets["kept"])
    assert (plan.asset, plan.location) == (assets["kept"], world.room_a)
    with time_machine.travel(NOW, tick=False):
        assert generate_plan_jobs(NOW) == 1
    (job,) = _jobs()
    assert (job.plan_id, job.asset_id, job.location_id) == (plan.pk, assets["kept"].pk, world.room_a.pk)


def test_a_plan_needs_a_place_from_itself_or_its_asset_and_an_asset_on_the_books(world, assets):
    with pytest.raises(ValidationError) as no_place:
        _plan(world, asset=assets["unkept"])
    assert "location" in no_place.value.message_dict
    plan = _plan(world, asset=assets["unkept"], location=world.room_a)  # a place of its own
    assert plan.location == world.room_a
    with pytest.raises(ValidationError) as scrapped:
        _plan(world, asset=assets["scrapped"], location=world.room_a)
    assert "asset" in scrapped.value.message_dict
    with scopes_disabled():
        assert MaintenancePlan.objects.count() == 1


def test_the_plan_form_and_api_take_the_asset(world, assets, login):
    client = login(world.member(Role.DISPATCHER))
    posted = client.post(
        reverse("maintenance:plan_create", args=[world.org_a.code]),
        {
            "name": "投影仪保养",
            "asset": assets["kept"].code,
            "location": "",
            "category": "electric",
            "description": "清洁滤网",
            "urgency": "normal",
            "schedule": "interval",
            "interval_count": "3",
            "interval_unit": "month",
            "starts_on": "2026-01-01",
            "lead_days": "0",
        },
    )
    assert posted.status_code == 302, posted.context["form"].errors if posted.context else posted
    with scopes_disabled():
        plan = MaintenancePlan.objects.get()
    assert (plan.asset_id, plan.location_id) == (assets["kept"].pk, world.room_a.pk)
    detail = client.get(reverse("maintenance:plan_detail", args=[world.org_a.code, plan.pk])).content.decode()
    assert 'data-testid="plan-asset"' in detail and assets["kept"].code in detail
    edit = client.get(reverse("maintenance:plan_edit", args=[world.org_a.code, plan.pk]))
    assert edit.context["form"].initial["asset"] == assets["kept"].code
    api = reverse("api_plan-list", kwargs={"org_code": world.org_a.code})
    body = {
        "name": "打印机保养",
        "asset": assets["unkept"].pk,
        "location": world.room_a.pk,
        "category": "electric",
        "description": "清洁",
        "interval_count": 1,
        "interval_unit": "month",
        "starts_on": "2026-01-31",
    }
    created = client.post(api, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["asset"] == assets["unkept"].pk
    body.pop("location")
    body["asset"] = assets["kept"].pk
    defaulted = client.post(api, body, content_type="application/json")
    assert defaulted.status_code == 201 and defaulted.json()["location"] == world.room_a.pk
    other = client.post(api, {**body, "asset": assets["other"].pk}, content_type="application/json")
    assert other.status_code == 400 and "asset" in other.json()


# The asset card's repairs -----------------------------------------------------------------------------------------


def test_the_asset_card_lists_the_repairs_the_viewer_may_see_and_their_cost(world, assets, login):
    asset = assets["kept"]
    done = _job_with(world, asset)  # reported by the staff member who keeps it
    advance(world, done, "done")  # 25.00 part + 1.5 h labour
    finished = _job_with(world, asset, reporter=Role.DISPATCHER)
    advance(world, finished, "finished")
    _job_with(world, asset, reporter=Role.DISPATCHER)  # open: no cost yet
    make_job(world)  # another job without the asset
    with scopes_disabled():
        costs = {job.pk: job.total_cost for job in Job.objects.filter(pk__in=[done.pk, finished.pk])}
    assert all(cost > 0 for cost in costs.values())
    card = reverse("assets:asset_detail", args=[world.org_a.code, asset.pk])

    head = login(world.member(Role.LOGISTICS_HEAD)).get(card)
    html = head.content.decode()
    assert 'data-panel="maintenance.repairs"' in html
    assert html.count('data-testid="repair-row"') == 3
    assert 'data-testid="repair-count">3<' in html
    total = sum(costs.values(), Decimal("0"))
    assert "¥{:,.2f}".format(total) in html or "¥{:.2f}".format(total) in html
    assert "?asset={}".format(asset.pk) in html and "state=finished&amp;state=done" in html

    staff = login(world.member(Role.STAFF)).get(card).content.decode()  # sees only the repair they reported
    assert staff.count('data-testid="repair-row"') == 1 and done.code in staff
    assert 'data-testid="repair-count">1<' in staff
    assert "¥{:.2f}".format(costs[done.pk]) in staff


def test_the_panel_link_lists_exactly_the_assets_repairs(world, assets, login):
    for _ in range(2):
        _job_with(world, assets["kept"])
    make_job(world)
    client = login(world.member(Role.LOGISTICS_HEAD))
    listed = client.get(
        reverse("maintenance:job_list", args=[world.org_a.code]) + "?asset={}".format(assets["kept"].pk)
    )
    assert len(listed.context["page"]["rows"]) == 2
    assert all(job.asset_id == assets["kept"].pk for job in listed.context["page"]["rows"])
    assert JobState.NEW in {job.state for job in listed.context["page"]["rows"]}


def test_the_card_runs_the_same_queries_with_1_and_15_repairs(world, assets, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.member(Role.LOGISTICS_HEAD))
    card = reverse("assets:asset_detail", args=[world.org_a.code, assets["kept"].pk])
    client.get(card)  # the first request of a session writes it
    counts = []
    for jobs in (1, 14):
        for _ in range(jobs):
            _job_with(world, assets["kept"], reporter=Role.DISPATCHER)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(card).content.decode()
        assert html.count('data-testid="repair-row"') == min(len(_jobs()), 10)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
