"""Bulk import of people and places from .xlsx: every problem listed with row, column and reason, all or nothing."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from houqin.core import dictionaries, services
from houqin.core.access import build_actor
from houqin.core.choices import LocationKind, Role
from houqin.core.models import Location, Membership, RoleGrant, SecurityEvent, User
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import PASSWORD
from houqin.core.views import imports as import_views

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE_HEADER = ["姓名", "手机号", "工号", "部门编码", "职务", "角色", "邮箱"]
LOCATION_HEADER = ["编码", "名称", "类型", "上级编码", "备注"]
# The reasons are asserted in English (the msgids); the requests ask for English so that the
# zh_Hans catalogue, once complete, does not change what these tests read.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def xlsx_upload(rows, *, name="import.xlsx", title=None, merge_to=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:{}1".format(merge_to))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def url(name, org="org-a"):
    return reverse("core:" + name, args=[org])


def counts():
    with scopes_disabled():
        return {
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "grants": RoleGrant.objects.count(),
            "locations": Location.objects.count(),
            "security_events": SecurityEvent.objects.count(),
        }


def error_list(response):
    assert response.status_code == 200
    return [(e.row, e.column, e.message) for e in response.context["errors"]]


def file_errors(response):
    assert response.status_code == 200
    return response.context["form"].errors.get("file")


# People ------------------------------------------------------------------------------------------


def test_broken_people_file_lists_every_problem_and_saves_nothing(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    in_org = world.member(Role.STAFF)  # their phone is taken in org A
    taken_no = world.member(Role.TECHNICIAN)  # and this 工号
    before = counts()
    rows = [
        PEOPLE_HEADER,
        ["张三", "13800000001", "T001", "ZWC", "", "维修工、部门负责人", ""],  # 2: only the 工号 repeats below
        ["", "13800000002", "", "", "", "", ""],  # 3: no name
        ["李四", "1380000", "", "", "", "", ""],  # 4: short phone
        ["王五", "13800000005", "", "", "", "", ""],  # 5 and 6: same phone
        ["赵六", "138 0000 0005", "", "", "", "", ""],
        ["钱七", in_org.user.phone, "", "", "", "", ""],  # 7: phone of a member of org A
        ["孙八", "13800000008", "", "NOPE", "", "", ""],  # 8: unknown department
        ["周九", "13800000009", "", "", "", "校长, 魔法师", ""],  # 9: one unknown role
        ["吴十", "13800000010", "T001", "", "", "", ""],  # 10: 工号 of row 2
        ["郑十一", "13800000011", taken_no.employee_no, "", "", "", ""],  # 11: 工号 taken in org A
        ["冯十二", "１３８００００００１２", "Ｔ０１２", "语文组", "", "technician", ""],  # 12: full-width, valid
        ["陈十三", 13800000013.0, "", "", "", "", "not-an-email"],  # 13: number stored as float is fine
        ["褚十四", "13800000014", "", "", "", "bureau", ""],  # 14: bureau role outside a bureau
        [None, None, None, None, None, None, None],
        ["", "  ", "\u3000", "", "", "", ""],
        [],
    ]
    response = client.post(url("person_import"), {"file": xlsx_upload(rows)}, **EN)
    assert error_list(response) == [
        (2, "工号", "Appears more than once in this file (rows 2, 10)."),
        (3, "姓名", "This field is required."),
        (4, "手机号", "Enter an 11-digit mainland mobile number."),
        (5, "手机号", "Appears more than once in this file (rows 5, 6)."),
        (6, "手机号", "Appears more than once in this file (rows 5, 6)."),
        (7, "手机号", "Already used by {}.".format(in_org.user.name)),
        (8, "部门编码", "No department with this code or name."),
        (9, "角色", "Unknown role: 魔法师."),
        (10, "工号", "Appears more than once in this file (rows 2, 10)."),
        (11, "工号", "Already used by {}.".format(taken_no.user.name)),
        (13, "邮箱", "Enter a valid email address."),
        (14, "角色", "The bureau role can only be given in a supervising bureau."),
    ]
    content = response.content.decode()
    assert content.count("data-import-error") == 12
    assert 'class="table-responsive"' in content
    assert counts() == before


def test_good_people_file_creates_people_and_shows_each_password_once(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    elsewhere = world.member_b.user  # has an account in org B: joins org A with their own password
    before = counts()
    rows = [
        PEOPLE_HEADER,
        ["张三", "13700000001", "T001", "ZWC", "维修组长", "维修工、部门负责人", "zs@example.com"],
        ["李四", 13700000002.0, None, "语文组", None, None, None],
        ["王五", "137 0000 0003", "Ｔ００３", "", "", "technician，Dispatcher", ""],
        ["外院", elsewhere.phone, "B-1", "", "", "finance", ""],
    ]
    response = client.post(url("person_import"), {"file": xlsx_upload(rows)}, **EN)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    people = response.context["people"]
    assert [p.membership.user.phone for p in people] == ["13700000001", "13700000002", "13700000003", elsewhere.phone]
    after = counts()
    assert after["users"] == before["users"] + 3
    assert after["memberships"] == before["memberships"] + 4
    content = response.content.decode()
    with org_scope(world.org_a):
        expected = {
            "13700000001": ("T001", world.dept_a, "维修组长", {Role.TECHNICIAN, Role.DEPT_HEAD}),
            "13700000002": ("", world.dept_a_other, "", {Role.STAFF}),
            "13700000003": ("T003", None, "", {Role.TECHNICIAN, Role.DISPATCHER}),
            elsewhere.phone: ("B-1", None, "", {Role.FINANCE}),
        }
        for phone, (employee_no, department, title, roles) in expected.items():
            membership = Membership.objects.select_related("user").get(user__phone=phone)
            assert (membership.employee_no, membership.department, membership.title) == (employee_no, department, title)
            assert {g.role for g in membership.role_grants.all()} == roles
    for person in people[:3]:
        user = User.objects.get(pk=person.membership.user_id)
        assert person.password and user.must_change_password
        assert user.check_password(person.password)
        assert content.count(person.password) == 1
    assert User.objects.get(phone="13700000001").email == "zs@example.com"
    assert people[3].password is None
    elsewhere.refresh_from_db()
    assert elsewhere.check_password(PASSWORD) and not elsewhere.must_change_password
    assert "Already has an account in another organisation" in content


def test_new_person_logs_in_with_the_one_time_password_and_must_change_it(world, login, client):
    admin_client = login(world.member(Role.ORG_ADMIN))
    response = admin_client.post(
        url("person_import"), {"file": xlsx_upload([PEOPLE_HEADER, ["张三", "13700000001"]])}, **EN
    )
    password = response.context["people"][0].password
    admin_client.logout()
    response = client.post(reverse("login"), {"username": "13700000001", "password": password})
    assert response.status_code == 302
    assert client.get(url("home")).url == reverse("password_change")


def test_title_row_above_the_header_and_english_headers(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    header = ["Name", "Mobile number", "Employee number", "Department code", "Job title", "Roles", "Email"]
    rows = [header, ["张三", "13700000001", "", "WXZ", "", "", ""], ["李四", "13700000002", "", "", "", "", "x@"]]
    upload = xlsx_upload(rows, title="2025年教职工名单", merge_to="G")
    response = client.post(url("person_import"), {"file": upload}, **EN)
    assert error_list(response) == [(4, "Email", "Enter a valid email address.")]  # rows as Excel numbers them
    rows[2][6] = "lisi@example.com"
    upload = xlsx_upload(rows, title="2025年教职工名单", merge_to="G")
    response = client.post(url("person_import"), {"file": upload}, **EN)
    assert [p.membership.user.name for p in response.context["people"]] == ["张三", "李四"]
    assert response.context["people"][0].membership.department == world.dept_a_child


def test_missing_required_column_is_reported_on_the_header_row(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    rows = [["说明：请勿修改表头"], ["姓名", "工号"], ["张三", "T001"]]
    before = counts()
    response = client.post(url("person_import"), {"file": xlsx_upload(rows)}, **EN)
    assert error_list(response) == [(2, "Mobile number", "This column is missing.")]
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"name,phone\n", "Save the file as an Excel workbook (.xlsx) and upload it again."),
        ("people.pdf", b"%PDF-1.4", "Upload an Excel workbook (.xlsx)."),
        ("people.xlsx", b"this is not a zip archive", "This file could not be read as an Excel workbook (.xlsx)."),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(world, login, name, content, message):
    client = login(world.member(Role.ORG_ADMIN))
    before = counts()
    response = client.post(url("person_import"), {"file": SimpleUploadedFile(name, content)}, **EN)
    assert file_errors(response) == [message]
    assert response.context["errors"] is None
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(world, login, monkeypatch):
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 1024 * 1024)
    client = login(world.member(Role.ORG_ADMIN))
    upload = SimpleUploadedFile("big.xlsx", b"0" * (1024 * 1024 + 1))
    response = client.post(url("person_import"), {"file": upload}, **EN)
    assert file_errors(response) == ["The file is larger than 1 MB; split it into several files."]


def test_a_sheet_without_data_rows_or_header_is_refused(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.post(url("person_import"), {"file": xlsx_upload([PEOPLE_HEADER, [], []])}, **EN)
    assert file_errors(response) == ["The file has no rows to import below the header row."]
    response = client.post(url("person_import"), {"file": xlsx_upload([["a", "b"], ["c", "d"]])}, **EN)
    assert file_errors(response)[0].startswith("No header row found.")


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (ValidationError({"phone": ["Simulated failure."]}), (4, "手机号", "Simulated failure.")),
        (IntegrityError("simulated"), (4, "", "This row could not be saved because of a database error.")),
    ],
)
def test_a_failure_while_writing_the_last_rows_undoes_the_whole_file(world, login, monkeypatch, failure, expected):
    client = login(world.member(Role.ORG_ADMIN))
    real_create = services.person_create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["phone"])
        if len(calls) == 3:
            raise failure
        return real_create(**kwargs)

    monkeypatch.setattr(services, "person_create", failing_create)
    before = counts()
    rows = [PEOPLE_HEADER] + [["人{}".format(i), "1370000000{}".format(i), "", "", "", "", ""] for i in range(1, 5)]
    response = client.post(url("person_import"), {"file": xlsx_upload(rows)}, **EN)
    assert error_list(response) == [expected]
    assert len(calls) == 3
    assert counts() == before


# Locations ---------------------------------------------------------------------------------------


def test_broken_locations_file_lists_every_problem_and_saves_nothing(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    before = counts()
    rows = [
        LOCATION_HEADER,
        ["S", "南校区", "校区", "", ""],  # 2
        ["S1", "图书馆", "楼栋", "S", ""],  # 3: code repeated in row 6
        ["S-101", "直属房间", "房间", "S", ""],  # 4: a room directly on a campus
        ["S2", "体育馆", "楼栋", "ZZZ", ""],  # 5: unknown parent
        ["S1", "重复", "楼栋", "", ""],  # 6
        ["A1", "教学楼二", "building", "", ""],  # 7: code of an existing place
        ["S3-1", "三层", "楼层", "S3", ""],  # 8: its parent comes later
        ["S3", "实验楼", "楼栋", "S", ""],  # 9
        ["S9", "", "宿舍", "", ""],  # 10: no name, unknown kind
        ["bad code!", "杂物间", "房间", "A1-1", ""],  # 11: bad code; parent is an existing floor
        ["", "", "", "", ""],
    ]
    response = client.post(url("location_import"), {"file": xlsx_upload(rows)}, **EN)
    assert error_list(response) == [
        (3, "编码", "Appears more than once in this file (rows 3, 6)."),
        (4, "上级编码", "A Room cannot be placed here; choose a parent of kind: Building, Floor."),
        (5, "上级编码", "No location with this code, in this organisation or in an earlier row."),
        (6, "编码", "Appears more than once in this file (rows 3, 6)."),
        (7, "编码", "Already used by 教学楼."),
        (8, "上级编码", "Defined in a later row (9); list a place after the place it is in."),
        (10, "名称", "This field is required."),
        (10, "类型", "Unknown kind; use one of: Campus, Building, Floor, Room, Outdoor area."),
        (11, "编码", "Use letters, digits, '-', '_' or '.', starting with a letter or digit."),
    ]
    assert counts() == before


def test_good_locations_file_builds_the_tree_with_parents_from_earlier_rows(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    rows = [
        LOCATION_HEADER,
        ["N", "北校区", "校区", "", ""],
        ["N1", "实验楼", "楼栋", "Ｎ", "新建"],
        ["N1-3", "三层", "floor", "N1", ""],
        ["N1-301", "化学实验室", "房间", "N1-3", ""],
        ["N-PLAY", "操场", "室外区域", "N", ""],
        ["A1-102", "102教室", "Room", "A1", ""],  # under an existing building
        [None, None, None, None, None],
    ]
    response = client.post(url("location_import"), {"file": xlsx_upload(rows)}, **EN, follow=True)
    assert response.redirect_chain[-1][0] == url("location_list")
    assert "6 locations imported." in response.content.decode()
    with org_scope(world.org_a):
        places = {loc.code: loc for loc in Location.objects.filter(code__in=[r[0] for r in rows[1:] if r[0]])}
    assert len(places) == 6
    campus, building, floor, room, area, extra = (places[c] for c in ("N", "N1", "N1-3", "N1-301", "N-PLAY", "A1-102"))
    assert (campus.parent, building.parent, floor.parent, room.parent, area.parent) == (
        None,
        campus,
        building,
        floor,
        campus,
    )
    assert extra.parent == world.building_a
    assert room.path == floor.path + room.path[len(floor.path) :] and room.path.startswith(campus.path)
    assert [p.depth for p in (campus, building, floor, room, area)] == [1, 2, 3, 4, 2]
    assert (campus.building, building.building, floor.building, room.building, area.building) == (
        None,
        building,
        building,
        building,
        None,
    )
    assert extra.building == world.building_a
    assert (building.kind, area.kind, building.note) == (LocationKind.BUILDING, LocationKind.AREA, "新建")


def _retire_dormitories_and_add_a_use(world) -> str:
    """The org retires 宿舍 and adds its own use 配电房; returns the new entry's code."""
    with org_scope(world.org_a):
        actor = build_actor(world.member(Role.ORG_ADMIN).user, world.org_a)
        entries = dictionaries.dictionary_update(
            actor=actor,
            key=dictionaries.LOCATION_USE.key,
            items=[{"code": "dormitory", "label": "", "is_active": False}, {"code": "", "label": "配电房"}],
        )
    return next(entry.code for entry in entries if entry.label == "配电房")


def test_locations_import_critical_places_and_uses_by_label_or_code(world, login):
    own_code = _retire_dormitories_and_add_a_use(world)
    client = login(world.member(Role.ORG_ADMIN))
    rows = [
        [*LOCATION_HEADER, "关键场所", "场所用途"],
        ["N1", "医技楼", "楼栋", "", "", "否", ""],
        ["N1-301", "化学实验室", "房间", "N1", "", "", "实验室"],  # the Chinese label
        ["N1-302", "手术室", "房间", "N1", "", "是", "operating_room"],  # the code
        ["N1-303", "ICU病房", "房间", "N1", "", "√", "Ward"],  # the English label
        ["N1-304", "配电房", "房间", "N1", "", "", "配电房"],  # the org's own entry
    ]
    response = client.post(url("location_import"), {"file": xlsx_upload(rows)}, **EN, follow=True)
    assert "5 locations imported." in response.content.decode()
    with org_scope(world.org_a):
        saved = {loc.code: (loc.is_critical, loc.use) for loc in Location.objects.filter(code__startswith="N1")}
    assert saved == {
        "N1": (False, ""),
        "N1-301": (False, "laboratory"),
        "N1-302": (True, "operating_room"),
        "N1-303": (True, "ward"),
        "N1-304": (False, own_code),
    }


def test_locations_import_refuses_unknown_or_retired_uses_and_unclear_yes_no(world, login):
    _retire_dormitories_and_add_a_use(world)
    client = login(world.member(Role.ORG_ADMIN))
    before = counts()
    rows = [
        [*LOCATION_HEADER, "关键场所", "场所用途"],
        ["D1", "宿舍楼", "楼栋", "", "", "也许", "宿舍"],  # 2: retired use, unclear yes/no
        ["D1-101", "101", "房间", "D1", "", "否", "游泳池"],  # 3: not in the dictionary
    ]
    response = client.post(url("location_import"), {"file": xlsx_upload(rows)}, **EN)
    errors = error_list(response)
    assert [(row, column) for row, column, _message in errors] == [(2, "关键场所"), (2, "场所用途"), (3, "场所用途")]
    assert errors[0][2] == "Enter 是 or 否 (yes or no)."
    assert errors[1][2].startswith("Unknown use; use one of: Classroom, Office,") and "配电房" in errors[1][2]
    assert "Dormitory" not in errors[1][2]
    assert counts() == before


def test_the_location_export_carries_critical_and_use_and_imports_back(world, login):
    with scopes_disabled():
        Location.objects.filter(pk=world.room_a.pk).update(is_critical=True, use="operating_room")
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(reverse("core:location_export", args=["org-a"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    with translation.override("zh-hans"):
        for column in ("Critical place", "Use"):
            assert translation.pgettext("locations import column", column) in header
        room = next(
            dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)
            if row[0] == world.room_a.code
        )
        critical = translation.pgettext("locations import column", "Critical place")
        use = translation.pgettext("locations import column", "Use")
        assert (room[critical], room[use]) == (translation.gettext("Yes"), translation.gettext("Operating room"))
    # The exported file, with the room's row under a new code and nothing else, imports back as it was.
    for row in list(sheet.iter_rows(min_row=2)):
        if row[0].value == world.room_a.code:
            row[0].value = "COPY-1"
        else:
            for cell in row:
                cell.value = None
    buffer = BytesIO()
    workbook.save(buffer)
    response = client.post(
        url("location_import"), {"file": SimpleUploadedFile("e.xlsx", buffer.getvalue())}, follow=True
    )
    assert response.redirect_chain, response.context and response.context.get("errors")
    with org_scope(world.org_a):
        copy = Location.objects.get(code="COPY-1")
    assert (copy.is_critical, copy.use, copy.parent_id, copy.kind) == (
        True,
        "operating_room",
        world.room_a.parent_id,
        "room",
    )


# Templates ---------------------------------------------------------------------------------------


PEOPLE_COLUMNS = ["Name", "Mobile number", "Employee number", "Department code", "Job title", "Roles", "Email"]
LOCATION_COLUMNS = ["Code", "Name", "Kind", "Parent code", "Note", "Critical place", "Use"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("name", "context", "columns", "sheet"),
    [
        ("person_import_template", "people import column", PEOPLE_COLUMNS, "People"),
        ("location_import_template", "locations import column", LOCATION_COLUMNS, "Locations"),
    ],
)
def test_template_is_an_xlsx_with_the_header_row_in_the_page_language_and_instructions_apart(
    world, login, name, context, columns, sheet, language
):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.get(url(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    with translation.override(language):
        assert workbook.sheetnames == [translation.gettext(sheet), translation.gettext("Instructions")]
        header = tuple(translation.pgettext(context, column) for column in columns)
    rows = [row for row in workbook.worksheets[0].iter_rows(values_only=True) if any(row)]
    assert rows == [header]  # the examples are in the header comments and on the second sheet only
    assert all(cell.comment and cell.comment.text for cell in workbook.worksheets[0][1])
    instructions = [cell for row in workbook.worksheets[1].iter_rows(values_only=True) for cell in row if cell]
    assert header[0] in instructions


def test_template_filled_in_imports_and_unfilled_imports_nothing(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    template = client.get(url("person_import_template")).content
    response = client.post(url("person_import"), {"file": SimpleUploadedFile("t.xlsx", template)}, **EN)
    assert file_errors(response) == ["The file has no rows to import below the header row."]
    workbook = load_workbook(BytesIO(template))
    workbook.worksheets[0].append(["张三", "13700000001", "T001", "ZWC", "", "", ""])
    buffer = BytesIO()
    workbook.save(buffer)
    response = client.post(url("person_import"), {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())}, **EN)
    assert [p.membership.user.name for p in response.context["people"]] == ["张三"]


def test_import_pages_and_buttons(world, login):
    client = login(world.member(Role.ORG_ADMIN))
    for name, list_name in (("person_import", "person_list"), ("location_import", "location_list")):
        response = client.get(url(name))
        assert response.status_code == 200
        assert url(name + "_template") in response.content.decode()
        assert 'href="{}"'.format(url(name)) in client.get(url(list_name)).content.decode()


# Who may import ----------------------------------------------------------------------------------


def test_who_may_import(world, login, client):
    pages = ["person_import", "person_import_template", "location_import", "location_import_template"]
    expected = {
        Role.ORG_ADMIN: [200, 200, 200, 200],
        Role.LOGISTICS_HEAD: [403, 403, 200, 200],
        Role.TECHNICIAN: [403, 403, 403, 403],
        Role.STAFF: [403, 403, 403, 403],
        "org_b_admin": [404, 404, 404, 404],
        "bureau": [403, 403, 403, 403],
    }
    for who, statuses in expected.items():
        member = {"org_b_admin": world.member_b, "bureau": world.bureau_member}.get(who) or world.member(who)
        c = login(member)
        assert [c.get(url(page)).status_code for page in pages] == statuses, who
        if statuses[0] != 200:
            upload = xlsx_upload([PEOPLE_HEADER, ["张三", "13700000001"]])
            assert c.post(url("person_import"), {"file": upload}).status_code == statuses[0], who
    client.logout()
    assert client.get(url("person_import")).status_code == 302
    with scopes_disabled():
        assert not User.objects.filter(phone="13700000001").exists()
