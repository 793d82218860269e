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


def test_htmx_filtering_returns_only_the_rows(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(reverse("core:department_list", args=["org-a"]), {"q": "语文"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "语文组" in html and "维修组" not in html


def test_error_pages_are_friendly_and_chinese(world, login):
    client = login(world.member(Role.STAFF))
    missing = client.get(reverse("core:department_detail", args=["org-a", 999999]))
    assert missing.status_code == 404 and "不存在" in missing.content.decode()
    refused = client.get(reverse("core:department_create", args=["org-a"]))
    assert refused.status_code == 403 and "无权" in refused.content.decode()


def test_anonymous_qr_scan_goes_to_login_and_names_the_org(world, client):
    url = reverse("core:location_by_token", args=["org-a", world.room_a.qr_token])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login_page = client.get(response["Location"])
    assert login_page.context["form"].initial["org"] == "org-a"
