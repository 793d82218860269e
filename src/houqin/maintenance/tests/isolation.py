"""Maintenance routes for the org-isolation walk (core/tests/test_isolation.py; see isolation_support.py).

Each page or endpoint of the module is mapped here with how org A's control member reaches an org-A row
and a valid write. ``make_rows`` makes those rows (stored on ``world``) before any state is taken.
"""

from houqin.core.choices import Role
from houqin.core.tests.isolation_support import T

from .. import permissions as p
from .factories import advance, make_job

# The reads a bureau has on the organisations below it (a literal, not read from permissions.TABLE).
BUREAU_READS = {p.JOB_VIEW, p.STATS_VIEW, p.INCIDENT_VIEW, p.PATROL_VIEW, p.PLAN_VIEW}


def make_rows(world):
    # A new job, and one being repaired by the technician (reported by the staff member).
    world.job_new = make_job(world, description="走廊灯不亮", category="electric")
    world.job_working = advance(world, make_job(world), "in_progress")
    # A finished job waiting for the staff member's confirmation (job pages: confirm, compensation).
    world.job_finished = advance(world, make_job(world, description="门锁坏了", category="door_window"), "finished")
    # A dispatched job (accept, start) and one on hold (resume) for the job API (api helper).
    world.job_assigned = advance(world, make_job(world, description="空调不制冷", category="hvac"), "assigned")
    world.job_on_hold = _on_hold(
        world, advance(world, make_job(world, description="网口不通", category="network"), "in_progress")
    )
    # 报修 without login: 201室 opened for it, with one report sent from it (report helper).
    world.public_place, world.public_job = _public_rows(world)
    # A maintenance plan (定期检修) every 3 months at 101教室 (plans helper).
    world.plan = _plan_row(world)
    # A patrol route with a checkpoint at 101教室 and a round open now (patrols helper).
    world.patrol_route, world.checkpoint, world.patrol_round = _patrol_rows(world)
    # An emergency the night guard recorded at 101教室 (incidents helper).
    world.incident = _incident_row(world)


def _on_hold(world, job):
    from houqin.core.tenancy import org_scope

    from .. import services
    from .factories import actor_of

    with org_scope(world.org_a):
        return services.job_hold(actor=actor_of(world.member(Role.TECHNICIAN)), job=job, reason="等配件")


def _public_rows(world):
    from houqin.core.choices import LocationKind
    from houqin.core.tenancy import org_scope
    from houqin.core.tests.factories import make_location

    from .. import services
    from ..models import PublicReportPlace

    room = make_location(world.org_a, "201室", "A1-201", LocationKind.ROOM, world.building_a)
    with org_scope(world.org_a):
        place = PublicReportPlace.objects.create(
            org=world.org_a, location=room, include_children=False, enabled_by=world.member(Role.ORG_ADMIN).user
        )
        job = services.job_report_public(
            org=world.org_a,
            location=room,
            category="water",
            description="洗手池漏水",
            contact_phone="13900001111",
            client_key="isolation",
        )
    return place, job


def _plan_row(world):
    from datetime import date

    from houqin.core.tenancy import org_scope

    from .. import services
    from .factories import actor_of

    with org_scope(world.org_a):
        return services.plan_create(
            actor=actor_of(world.member(Role.DISPATCHER)),
            name="空调滤网清洗",
            category="hvac",
            location=world.room_a,
            description="清洗空调滤网",
            schedule="interval",
            interval_count=3,
            interval_unit="month",
            starts_on=date(2026, 1, 31),
        )


def _patrol_rows(world):
    from datetime import time, timedelta

    from django.utils import timezone

    from houqin.core.tenancy import org_scope

    from .. import services
    from ..models import PatrolRound
    from .factories import actor_of

    with org_scope(world.org_a):
        route = services.route_create(
            actor=actor_of(world.member(Role.LOGISTICS_HEAD)),
            name="教学楼夜间巡查",
            start_time=time(8, 0),
            checkpoints=[{"location": world.room_a, "instructions": "门窗、水电"}],
        )
        now = timezone.now()
        patrol_round = PatrolRound.objects.create(
            org=world.org_a,
            route=route,
            scheduled_for=now - timedelta(hours=1),
            due_by=now + timedelta(hours=1),
            checkpoint_count=1,
        )
        return route, route.checkpoints.get(), patrol_round


def _incident_row(world):
    from houqin.core.tenancy import org_scope

    from .. import services
    from .factories import actor_of

    with org_scope(world.org_a):
        return services.incident_create(
            actor=actor_of(world.member(Role.SECURITY)), kind="burst_pipe", title="锅炉房爆管", location=world.room_a
        )


def _incident_form(w, occurred=None, **extra):
    from django.utils import timezone

    occurred = timezone.localtime(occurred or timezone.now())
    return {"kind": "leak", "location": w.room_a.pk, "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"), **extra}


def _route_form(w, checkpoint=None, **extra):
    return {
        "name": "食堂巡查",
        "schedule": "daily",
        "start_time": "07:30",
        "window_hours": "2.0",
        "is_active": "on",
        "checkpoints-TOTAL_FORMS": "1",
        "checkpoints-INITIAL_FORMS": "1" if checkpoint else "0",
        "checkpoints-MIN_NUM_FORMS": "0",
        "checkpoints-MAX_NUM_FORMS": "1000",
        "checkpoints-0-id": checkpoint.pk if checkpoint else "",
        "checkpoints-0-location": w.room_a.pk,
        "checkpoints-0-instructions": "灭火器",
        "checkpoints-0-ORDER": "1",
        **extra,
    }


def _plan_form(w, **extra):
    return {
        "name": "锅炉房供暖前检修",
        "location": w.room_a.pk,
        "category": "hvac",
        "description": "检查锅炉与管道",
        "urgency": "normal",
        "schedule": "dates",
        "fixed_dates": "11-10",
        "starts_on": "2026-01-01",
        "lead_days": "3",
        **extra,
    }


PAGES = {
    "maintenance:stats": T(control_role=Role.LOGISTICS_HEAD),
    # Board, my repairs, job list and export (reads only).
    "maintenance:board": T(control_role=Role.DISPATCHER),
    "maintenance:my_jobs": T(control_role=Role.TECHNICIAN),
    "maintenance:job_list": T(),
    "maintenance:job_export": T(),
    # A job's own pages (views/jobs.py).
    "maintenance:job_detail": T(lambda w: {"pk": w.job_new.pk}, control_role=Role.DISPATCHER),
    "maintenance:job_print": T(lambda w: {"pk": w.job_working.pk}, control_role=Role.TECHNICIAN),
    "maintenance:job_dispatch": T(
        lambda w: {"pk": w.job_new.pk},
        post=lambda w: {"technicians": [w.member(Role.TECHNICIAN).pk], "note": "尽快"},
        control_role=Role.DISPATCHER,
    ),
    "maintenance:job_edit": T(
        lambda w: {"pk": w.job_new.pk},
        post=lambda w: {"category": "electric", "urgency": "urgent", "department": w.dept_a.pk},
        control_role=Role.DISPATCHER,
    ),
    "maintenance:job_action": T(
        lambda w: {"pk": w.job_working.pk, "action": "hold"},
        post=lambda w: {"note": "等配件"},
        control_role=Role.TECHNICIAN,
    ),
    "maintenance:job_finish": T(
        lambda w: {"pk": w.job_working.pk},
        post=lambda w: {
            "work_done": "更换阀芯",
            "cause": "aging",
            "labour_hours": "1",
            "part_name": ["阀芯"],
            "part_spec": [""],
            "part_unit": ["个"],
            "part_quantity": ["1"],
            "part_unit_cost": ["20"],
        },
        control_role=Role.TECHNICIAN,
    ),
    "maintenance:job_confirm": T(
        lambda w: {"pk": w.job_finished.pk}, post=lambda w: {"rating": "5", "comment": "好"}, control_role=Role.STAFF
    ),
    "maintenance:job_compensation": T(
        lambda w: {"pk": w.job_finished.pk},
        post=lambda w: {"person": w.member(Role.STAFF).pk, "amount": "50", "reason": "踢坏门锁"},
        control_role=Role.DISPATCHER,
    ),
    # 报修 (report helper): the form, the duplicate hint, reporting without login and its settings page.
    "maintenance:job_report": T(
        post=lambda w: {"location": w.room_a.pk, "category": "water", "urgency": "normal", "description": "水管漏水"},
        control_role=Role.STAFF,
    ),
    "maintenance:job_similar": T(control_role=Role.STAFF),
    # Logged in, members are sent on to the ordinary form (302); anonymous use is tested in test_public.py.
    "maintenance:public_report": T(
        lambda w: {"token": w.public_place.location.qr_token}, get_status=302, control_role=Role.STAFF, public=True
    ),
    "maintenance:public_report_done": T(
        lambda w: {"token": w.public_place.location.qr_token, "code": w.public_job.code},
        control_role=Role.STAFF,
        public=True,
    ),
    "maintenance:public_place_list": T(),
    "maintenance:public_place_add": T(
        post=lambda w: {"location": w.room_a.pk, "include_children": "on"}, get_status=405
    ),
    "maintenance:public_place_remove": T(lambda w: {"pk": w.public_place.pk}, post=lambda w: {}, get_status=405),
    # 定期检修 (plans helper).
    "maintenance:plan_list": T(control_role=Role.DISPATCHER),
    "maintenance:plan_create": T(post=_plan_form, control_role=Role.DISPATCHER),
    "maintenance:plan_detail": T(lambda w: {"pk": w.plan.pk}, control_role=Role.DISPATCHER),
    "maintenance:plan_edit": T(
        lambda w: {"pk": w.plan.pk}, post=lambda w: _plan_form(w, is_active="on"), control_role=Role.DISPATCHER
    ),
    # 巡查 (patrols helper): routes, their labels, the scan behind a checkpoint's QR code, rounds.
    "maintenance:route_list": T(control_role=Role.LOGISTICS_HEAD),
    "maintenance:route_create": T(post=_route_form, control_role=Role.LOGISTICS_HEAD),
    "maintenance:route_detail": T(lambda w: {"pk": w.patrol_route.pk}, control_role=Role.LOGISTICS_HEAD),
    "maintenance:route_edit": T(
        lambda w: {"pk": w.patrol_route.pk},
        post=lambda w: _route_form(w, w.checkpoint, name="教学楼巡查"),
        control_role=Role.LOGISTICS_HEAD,
    ),
    "maintenance:route_labels": T(lambda w: {"pk": w.patrol_route.pk}, control_role=Role.LOGISTICS_HEAD),
    "maintenance:checkpoint_scan": T(
        lambda w: {"token": w.checkpoint.qr_token}, post=lambda w: {"result": "ok"}, control_role=Role.TECHNICIAN
    ),
    "maintenance:round_list": T(control_role=Role.LOGISTICS_HEAD),
    "maintenance:round_detail": T(lambda w: {"pk": w.patrol_round.pk}, control_role=Role.LOGISTICS_HEAD),
    # 突发事件 (incidents helper): the night guard records and marks; the office links jobs.
    "maintenance:incident_list": T(control_role=Role.SECURITY),
    "maintenance:incident_export": T(control_role=Role.SECURITY),
    "maintenance:incident_create": T(post=lambda w: _incident_form(w, title="三楼漏水"), control_role=Role.SECURITY),
    "maintenance:incident_detail": T(lambda w: {"pk": w.incident.pk}, control_role=Role.SECURITY),
    "maintenance:incident_edit": T(
        lambda w: {"pk": w.incident.pk},
        post=lambda w: _incident_form(w, w.incident.occurred_at, impact="停水 2 小时"),
        control_role=Role.SECURITY,
    ),
    "maintenance:incident_mark": T(
        lambda w: {"pk": w.incident.pk, "what": "on_site"},
        post=lambda w: {},
        get_status=405,
        control_role=Role.SECURITY,
    ),
    "maintenance:incident_link_job": T(
        lambda w: {"pk": w.incident.pk},
        post=lambda w: {"code": w.job_new.code},
        get_status=405,
        control_role=Role.LOGISTICS_HEAD,
    ),
}

API = {
    # Repair jobs (api/jobs.py): list and 报修, one job and the office's corrections, each workflow step.
    "api_job-list": T(
        post=lambda w: {"location": w.room_a.pk, "category": "water", "description": "水管漏水"},
        control_role=Role.DISPATCHER,
    ),
    "api_job-detail": T(
        lambda w: {"pk": w.job_new.pk}, patch=lambda w: {"urgency": "urgent"}, control_role=Role.DISPATCHER
    ),
    "api_job_timeline-list": T(lambda w: {"pk": w.job_working.pk}),
    "api_job-dispatch": T(
        lambda w: {"pk": w.job_new.pk},
        post=lambda w: {"technicians": [w.member(Role.TECHNICIAN).pk], "note": "尽快"},
        control_role=Role.DISPATCHER,
    ),
    "api_job-reject": T(
        lambda w: {"pk": w.job_new.pk}, post=lambda w: {"note": "重复报修"}, control_role=Role.DISPATCHER
    ),
    "api_job-cancel": T(lambda w: {"pk": w.job_new.pk}, post=lambda w: {"note": "已修好"}, control_role=Role.STAFF),
    "api_job-accept": T(lambda w: {"pk": w.job_assigned.pk}, post=lambda w: {}, control_role=Role.TECHNICIAN),
    "api_job-start": T(lambda w: {"pk": w.job_assigned.pk}, post=lambda w: {}, control_role=Role.TECHNICIAN),
    "api_job-hold": T(
        lambda w: {"pk": w.job_working.pk}, post=lambda w: {"note": "等配件"}, control_role=Role.TECHNICIAN
    ),
    "api_job-resume": T(lambda w: {"pk": w.job_on_hold.pk}, post=lambda w: {}, control_role=Role.TECHNICIAN),
    "api_job-finish": T(
        lambda w: {"pk": w.job_working.pk},
        post=lambda w: {
            "work_done": "更换阀芯",
            "cause": "aging",
            "labour_hours": "1.00",
            "parts": [{"name": "阀芯", "unit": "个", "quantity": "1", "unit_cost": "20.00"}],
        },
        control_role=Role.TECHNICIAN,
    ),
    "api_job-confirm": T(
        lambda w: {"pk": w.job_finished.pk}, post=lambda w: {"rating": 5, "comment": "好"}, control_role=Role.STAFF
    ),
    "api_job-reopen": T(
        lambda w: {"pk": w.job_finished.pk}, post=lambda w: {"note": "还在漏"}, control_role=Role.STAFF
    ),
    # 定期检修 (plans helper).
    "api_plan-list": T(
        post=lambda w: {
            "name": "消防栓月检",
            "location": w.room_a.pk,
            "category": "equipment",
            "description": "检查消防栓",
            "schedule": "interval",
            "interval_count": 1,
            "interval_unit": "month",
            "starts_on": "2026-01-05",
        },
        control_role=Role.DISPATCHER,
    ),
    "api_plan-detail": T(
        lambda w: {"pk": w.plan.pk}, patch=lambda w: {"name": "空调滤网季度清洗"}, control_role=Role.DISPATCHER
    ),
    # 巡查 (patrols helper).
    "api_patrol_route-list": T(
        post=lambda w: {
            "name": "食堂巡查",
            "schedule": "weekly",
            "weekday": 5,
            "start_time": "14:00",
            "checkpoints": [{"location": w.room_a.pk, "instructions": "灭火器"}],
        },
        control_role=Role.LOGISTICS_HEAD,
    ),
    "api_patrol_route-detail": T(
        lambda w: {"pk": w.patrol_route.pk},
        put=lambda w: {
            "name": "教学楼巡查",
            "schedule": "working_days",
            "start_time": "07:30",
            "window_hours": "1.5",
            "checkpoints": [{"id": w.checkpoint.pk, "location": w.room_a.pk, "instructions": "门窗"}],
        },
        patch=lambda w: {"name": "教学楼日间巡查"},
        control_role=Role.LOGISTICS_HEAD,
    ),
    "api_patrol_round-list": T(control_role=Role.LOGISTICS_HEAD),
    "api_patrol_round-detail": T(lambda w: {"pk": w.patrol_round.pk}, control_role=Role.LOGISTICS_HEAD),
    # 突发事件 (incidents helper).
    "api_incident-list": T(
        post=lambda w: {"kind": "leak", "title": "三楼漏水", "location": w.room_a.pk}, control_role=Role.SECURITY
    ),
    "api_incident-detail": T(
        lambda w: {"pk": w.incident.pk}, patch=lambda w: {"impact": "停水 2 小时"}, control_role=Role.SECURITY
    ),
    "api_incident-mark": T(
        lambda w: {"pk": w.incident.pk}, post=lambda w: {"what": "resolved"}, control_role=Role.SECURITY
    ),
    "api_incident-link-job": T(
        lambda w: {"pk": w.incident.pk}, post=lambda w: {"code": w.job_new.code}, control_role=Role.LOGISTICS_HEAD
    ),
}
