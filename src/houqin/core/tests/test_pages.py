from django.urls import reverse

from houqin.core.choices import Role


def test_home_shows_my_roles(world, login):
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.get(reverse("core:home", args=["org-a"]))
    assert response.status_code == 200
    assert "后勤主管" in response.content.decode() or "Head of logistics" in response.content.decode()


def test_department_and_location_pages(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    for name, args in [
        ("core:department_list", []),
        ("core:department_detail", [world.dept_a.pk]),
        ("core:department_create", []),
        ("core:department_edit", [world.dept_a.pk]),
        ("core:location_list", []),
        ("core:location_detail", [world.room_a.pk]),
        ("core:location_create", []),
        ("core:location_edit", [world.room_a.pk]),
        ("core:location_qr_sheet", []),
        ("core:location_by_token", [world.room_a.qr_token]),
        ("core:security_log", []),
    ]:
        response = client.get(reverse(name, args=["org-a", *args]))
        assert response.status_code == 200, name
