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


def test_contact_details_are_hidden_and_unsearchable_for_roles_that_do_not_need_them(world, login):
    staff = world.member(Role.STAFF)
    staff.user.email = "sun@example.edu.cn"
    staff.user.save()
    clerk = login(world.member(Role.ASSET_CLERK))
    page = clerk.get(reverse("core:person_detail", args=["org-a", staff.pk])).content.decode()
    assert "sun@example.edu.cn" not in page and staff.user.phone not in page
    found = clerk.get(reverse("core:person_list", args=["org-a"]), {"q": staff.user.phone})
    assert found.context["page"]["rows"] == []
    admin = login(world.member(Role.ORG_ADMIN))
    found = admin.get(reverse("core:person_list", args=["org-a"]), {"q": staff.user.phone})
    assert [m.pk for m in found.context["page"]["rows"]] == [staff.pk]


def test_one_time_password_pages_are_never_cached(world, login):
    response = login(world.member(Role.ORG_ADMIN)).post(
        reverse("core:person_reset_password", args=["org-a", world.member(Role.STAFF).pk])
    )
    assert "no-store" in response["Cache-Control"]


def test_a_hand_edited_page_address_starts_from_the_top(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(reverse("core:person_list", args=["org-a"]), {"after": "abc", "role": "staff"})
    assert response.status_code == 200 and response.context["page"]["first_query"] == "role=staff"


def test_the_platform_admin_keeps_tree_paths(world, client):
    from houqin.core.models import Organization, User

    root = User.objects.create_superuser(phone="13699999999", name="平台", password="platform-pass-1")
    client.force_login(root)
    response = client.post(
        "/admin/core/organization/add/",
        {"code": "new-school", "name": "新学校", "kind": "school", "parent": world.bureau.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    school = Organization.objects.get(code="new-school")
    assert school.path.startswith(world.bureau.path) and school.depth == 2
