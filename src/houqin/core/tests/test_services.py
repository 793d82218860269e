import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from houqin.core import services
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Membership, RoleGrant
from houqin.core.tenancy import org_scope
from houqin.core.tests.factories import make_member


def _actor(membership):
    return build_actor(membership.user, membership.org)


def test_an_account_shared_with_another_org_cannot_be_taken_over(world):
    victim = world.member(Role.ORG_ADMIN)
    with org_scope(world.org_b):
        actor = _actor(world.member_b)
        membership, password = services.person_create(actor=actor, name="任意", phone=victim.user.phone)
        assert password is None  # the existing account joins; its password is untouched
        with pytest.raises(ValidationError):
            services.person_reset_password(actor=actor, membership=membership)
        with pytest.raises(ValidationError):
            services.person_update(
                actor=actor,
                membership=membership,
                name="改名",
                employee_no="",
                department=None,
                title="",
                email="attacker@example.com",
                is_active=True,
            )
    victim.user.refresh_from_db()
    assert victim.user.email == "" and victim.user.name != "改名"


def test_a_platform_account_cannot_be_reset_from_an_org(world):
    staff = world.member(Role.STAFF)
    staff.user.is_staff = True
    staff.user.save()
    with org_scope(world.org_a), pytest.raises(ValidationError):
        services.person_reset_password(actor=_actor(world.member(Role.ORG_ADMIN)), membership=world.member(Role.STAFF))


def test_an_org_wide_role_is_not_narrowed_by_the_holders_own_department(world, login):
    leader = make_member(world.org_a, Role.LEADER, department=world.dept_a_other, employee_no="L900")
    response = login(leader).get(reverse("core:person_list", args=["org-a"]), {"is_active": ""})
    with org_scope(world.org_a):
        everyone = set(Membership.objects.values_list("pk", flat=True))
    assert {m.pk for m in response.context["page"]["rows"]} == everyone


def test_a_department_limited_admin_stays_inside_its_department(world):
    limited = make_member(world.org_a, department=world.dept_a, employee_no="L901")
    with org_scope(world.org_a):
        RoleGrant.objects.create(org=world.org_a, membership=limited, role=Role.ORG_ADMIN, department=world.dept_a)
        actor = _actor(limited)
        target = world.member(Role.STAFF)  # in dept_a
        with pytest.raises(ValidationError):
            services.person_set_roles(actor=actor, membership=limited, roles=[(Role.ORG_ADMIN, None)])
        with pytest.raises(ValidationError):
            services.person_set_roles(actor=actor, membership=target, roles=[(Role.TECHNICIAN, world.dept_a_other)])
        services.person_set_roles(actor=actor, membership=target, roles=[(Role.TECHNICIAN, world.dept_a_child)])
        assert [g.role for g in target.role_grants.all()] == [Role.TECHNICIAN]
        with pytest.raises(PermissionDenied):
            services.department_update(actor=actor, department=world.dept_a_other, name="改名")


def test_changing_ones_password_revokes_api_tokens(world):
    user = world.member(Role.STAFF).user
    Token.objects.create(user=user)
    services.user_change_password(user=user, new_password="qingyang2026")
    assert not Token.objects.filter(user=user).exists()


def test_my_recent_changes_compare_with_the_true_previous_version(world, login):
    from houqin.core.history import history_entries
    from houqin.core.models import Location

    admin, head = world.member(Role.ORG_ADMIN), world.member(Role.LOGISTICS_HEAD)
    with org_scope(world.org_a):
        room = Location.objects.get(pk=world.room_a.pk)
        services.location_update(actor=_actor(admin), location=room, name="N1")
        room.history.filter(history_type="~").update(history_user=admin.user)
        services.location_update(actor=_actor(head), location=room, name="N2")
        room.history.filter(history_type="~", history_user__isnull=True).update(history_user=head.user)
        mine = history_entries(Location.history.filter(history_user=head.user))
    assert [change[1:] for entry in mine for change in entry.changes] == [("N1", "N2")]
