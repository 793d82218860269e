"""The demo tables: organisations, departments, places and people (data only; the loader is in loader.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import DepartmentKind as DK
from ..choices import LocationKind as LK
from ..choices import OrgKind, Role

DEMO_PASSWORD = "houqin2026"
FULL, SMALL = "full", "small"
SIZES = (FULL, SMALL)


# The shapes of the tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    kind: str = DK.OFFICE
    children: tuple[Dept, ...] = ()


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kind: str
    children: tuple[Place, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Person:
    title: str
    department: str  # department code in the person's organisation
    roles: tuple  # role, or (role, department code) for a grant limited to that department
    name: str = ""  # empty: a name is generated
    phone: str = ""  # empty: the org's phone base + position; set to share a person with another org
    key: bool = False  # listed by ``houqin demo_logins``


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    phone_base: int
    employee_prefix: str
    departments: tuple[Dept, ...]
    places: tuple[Place, ...]
    people: tuple[Person, ...]


@dataclass(frozen=True)
class PlannedPerson:
    """A person of one organisation with name, phone and 工号 resolved."""

    org_code: str
    name: str
    phone: str
    employee_no: str
    title: str
    department: str
    grants: tuple[tuple[str, str | None], ...]  # (role, department code or None)
    key: bool

    @property
    def role(self) -> str:
        return self.grants[0][0]


# Places ----------------------------------------------------------------------------------------

FLOOR_NAMES = ["一层", "二层", "三层", "四层", "五层", "六层", "七层", "八层"]
GRADES = ["一", "二", "三", "四", "五", "六"]


def _floor(building: str, number: int, rooms) -> Place:
    """A floor with rooms given as (room number suffix, name[, note]); codes like JX-A-3 and JX-A-301."""
    return Place(
        "{}-{}".format(building, number),
        FLOOR_NAMES[number - 1],
        LK.FLOOR,
        tuple(
            Place("{}-{}{}".format(building, number, r[0]), r[1], LK.ROOM, note=r[2] if len(r) > 2 else "")
            for r in rooms
        ),
    )


def _building(code: str, name: str, floors: list[list[tuple]]) -> Place:
    return Place(code, name, LK.BUILDING, tuple(_floor(code, n, rooms) for n, rooms in enumerate(floors, start=1)))


def _rooms(building: str, name: str, rooms: list[tuple[str, str]]) -> Place:
    """A one-storey building whose rooms sit directly under it."""
    return Place(code=building, name=name, kind=LK.BUILDING, children=tuple(Place(c, n, LK.ROOM) for c, n in rooms))


def _classroom_floor(number: int, grade: int) -> list[tuple]:
    rooms = [
        ("{:02d}".format(i), "{}{:02d}教室".format(number, i), "{}({})班".format(GRADES[grade], i))
        for i in (1, 2, 3, 4)
    ]
    return [*rooms, ("05", "储藏室"), ("06", "教师办公室"), ("07", "男卫生间"), ("08", "女卫生间")]


def _teaching_building(code: str, name: str, first_grade: int) -> Place:
    """Four floors: a grade on each of the first three (four classes each), special rooms on the fourth."""
    floors = [_classroom_floor(n, first_grade + n - 1) for n in (1, 2, 3)]
    floors.append([("01", "美术教室"), ("02", "书法教室"), ("03", "心理辅导室"), ("04", "少先队活动室"),
                   ("05", "多功能教室"), ("06", "教师办公室"), ("07", "男卫生间"), ("08", "女卫生间")])  # fmt: skip
    return _building(code, name, floors)


def _toilets(rooms: list[tuple]) -> list[tuple]:
    """The rooms of a floor followed by its two toilets, numbered after them."""
    n = len(rooms)
    return [*rooms, ("{:02d}".format(n + 1), "男卫生间"), ("{:02d}".format(n + 2), "女卫生间")]


SCHOOL_PLACES = (
    Place("XQ1", "本部校区", LK.CAMPUS, (
        _teaching_building("JX-A", "教学楼A", 0),
        _teaching_building("JX-B", "教学楼B", 3),
        _building("ZH", "综合楼", [
            _toilets([("01", "科学实验室(一)"), ("02", "科学实验室(二)"), ("03", "实验准备室"), ("04", "仪器室")]),
            _toilets([("01", "音乐教室(一)"), ("02", "音乐教室(二)"), ("03", "舞蹈教室"), ("04", "器乐室")]),
            _toilets([("01", "计算机教室(一)"), ("02", "计算机教室(二)"), ("03", "网络机房"), ("04", "校园广播室")]),
            _toilets([("01", "图书室"), ("02", "阅览室"), ("03", "档案室"), ("04", "报告厅")]),
        ]),
        _building("XZ", "行政楼", [
            _toilets([("01", "收发室"), ("02", "卫生室"), ("03", "党员活动室"), ("04", "校史陈列室")]),
            _toilets([("01", "校长室"), ("02", "副校长室"), ("03", "办公室"), ("04", "教务处"), ("05", "德育处"),
                      ("06", "会议室")]),
            _toilets([("01", "总务处"), ("02", "财务室"), ("03", "监控中心"), ("04", "小会议室"), ("05", "资料室")]),
        ]),
        _building("ST", "食堂", [
            [("01", "粗加工间"), ("02", "切配间"), ("03", "烹饪间"), ("04", "面点间"), ("05", "备餐间"),
             ("06", "洗消间"), ("07", "留样间"), ("08", "主食库"), ("09", "副食库"), ("10", "冷库")],
            [("01", "学生餐厅"), ("02", "教工餐厅")],
        ]),
        _rooms("TYG", "体育馆", [("TYG-01", "室内篮球场"), ("TYG-02", "乒乓球室"), ("TYG-03", "体育器材室"),
                                 ("TYG-04", "更衣室"), ("TYG-05", "淋浴间")]),
        _rooms("MW", "门卫室", [("MW-01", "值班室"), ("MW-02", "访客登记处")]),
        _rooms("SB", "设备用房", [("SB-01", "配电房"), ("SB-02", "水泵房"), ("SB-03", "消防控制室"),
                                  ("SB-04", "垃圾房")]),
        Place("CC", "操场", LK.AREA, note="200米环形跑道"),
        Place("TCC", "停车场", LK.AREA),
        Place("SQ", "升旗广场", LK.AREA),
        Place("ZXC", "自行车棚", LK.AREA),
        Place("LD", "校园绿地", LK.AREA),
    )),
)  # fmt: skip


def _kindergarten_floor(grade: str) -> list[tuple]:
    rooms = []
    for i in (1, 2, 3):
        cls = "{}{}班".format(grade, "一二三"[i - 1])
        rooms += [
            ("{}1".format(i), cls + "活动室"),
            ("{}2".format(i), cls + "午睡室"),
            ("{}3".format(i), cls + "卫生间"),
        ]
    return rooms


KINDERGARTEN_PLACES = (
    Place("YQ", "园区", LK.CAMPUS, (
        _building("JXL", "教学楼", [
            _kindergarten_floor("小"),
            _kindergarten_floor("中"),
            [*_kindergarten_floor("大"), ("41", "多功能厅"), ("42", "美工室")],
        ]),
        _rooms("CF", "厨房", [("CF-01", "粗加工间"), ("CF-02", "烹饪间"), ("CF-03", "备餐间"), ("CF-04", "洗消间"),
                              ("CF-05", "留样间"), ("CF-06", "食品库房")]),
        _rooms("ZHL", "综合楼", [("ZHL-01", "园长室"), ("ZHL-02", "办公室"), ("ZHL-03", "保健室"), ("ZHL-04", "晨检室"),
                                 ("ZHL-05", "隔离观察室"), ("ZHL-06", "财务室"), ("ZHL-07", "会议室")]),
        _rooms("MW", "门卫室", [("MW-01", "值班室")]),
        Place("HW", "户外活动场地", LK.AREA),
        Place("SC", "沙水池", LK.AREA),
        Place("ZZY", "种植园", LK.AREA),
    )),
)  # fmt: skip


def _ward_floor(number: int, ward: str) -> list[tuple]:
    beds = [("{:02d}".format(i), "{}{:02d}病房".format(number, i), ward) for i in range(1, 9)]
    return [("11", ward + "护士站"), ("12", "医生办公室"), ("13", "治疗室"), ("14", "污物处置间"), *beds]


HOSPITAL_PLACES = (
    Place("YQ", "院本部", LK.CAMPUS, (
        _building("MZ", "门诊楼", [
            _toilets([("01", "门诊大厅"), ("02", "挂号收费处"), ("03", "门诊药房"), ("04", "急诊室"), ("05", "抢救室"),
                      ("06", "输液室"), ("07", "预检分诊台")]),
            _toilets([("01", "内科诊室(一)"), ("02", "内科诊室(二)"), ("03", "内科诊室(三)"), ("04", "外科诊室(一)"),
                      ("05", "外科诊室(二)"), ("06", "换药室")]),
            _toilets([("01", "妇科诊室"), ("02", "产科诊室"), ("03", "儿科诊室(一)"), ("04", "儿科诊室(二)"),
                      ("05", "口腔科诊室"), ("06", "眼科诊室")]),
            _toilets([("01", "体检中心"), ("02", "心电图室"), ("03", "B超室(一)"), ("04", "B超室(二)"),
                      ("05", "胃镜室")]),
        ]),
        _building("ZY", "住院部", [
            [("01", "住院处"), ("02", "住院药房"), ("03", "配电间"), ("04", "被服库")],
            _ward_floor(2, "内科一病区"),
            _ward_floor(3, "内科二病区"),
            _ward_floor(4, "外科病区"),
            _ward_floor(5, "妇产科病区"),
            _ward_floor(6, "儿科病区"),
        ]),
        _building("YJ", "医技楼", [
            [("01", "DR室"), ("02", "CT室"), ("03", "MRI室"), ("04", "阅片室"), ("05", "放射科登记处")],
            [("01", "标本接收处"), ("02", "临检室"), ("03", "生化室"), ("04", "微生物室"), ("05", "输血科")],
            [("01", "手术间(一)"), ("02", "手术间(二)"), ("03", "手术间(三)"), ("04", "手术间(四)"),
             ("05", "麻醉复苏室"), ("06", "无菌物品间")],
            [("01", "ICU病房区"), ("02", "ICU护士站"), ("03", "ICU医生办公室"), ("04", "ICU设备间")],
        ]),
        _building("HQ", "后勤楼", [
            [("01", "配电房"), ("02", "锅炉房"), ("03", "水泵房"), ("04", "维修班工作间"), ("05", "总务仓库"),
             ("06", "医用气体站")],
            [("01", "总务科"), ("02", "设备科"), ("03", "保卫科"), ("04", "监控中心"), ("05", "信息科机房")],
        ]),
        _building("XZ", "行政楼", [
            [("01", "院长办公室"), ("02", "副院长办公室"), ("03", "院办公室"), ("04", "党委办公室")],
            [("01", "医务科"), ("02", "护理部"), ("03", "财务科"), ("04", "信息科"), ("05", "会议室")],
        ]),
        _building("ST", "食堂", [
            [("01", "职工餐厅"), ("02", "厨房操作间"), ("03", "留样间"), ("04", "食品库房")],
            [("01", "营养配餐室"), ("02", "病员订餐处")],
        ]),
        Place("TCC", "停车场", LK.AREA),
        Place("JHC", "救护车停车区", LK.AREA),
        Place("YF", "医疗废物暂存点", LK.AREA),
        Place("WS", "污水处理站", LK.AREA),
    )),
)  # fmt: skip


# Departments -----------------------------------------------------------------------------------

SCHOOL_DEPARTMENTS = (
    Dept("XZS", "校长室"),
    Dept("DZB", "党支部"),
    Dept("BGS", "办公室"),
    Dept("JWC", "教务处"),
    Dept("DYC", "德育处"),
    Dept("ZWC", "总务处", DK.LOGISTICS, (
        Dept("WXZ", "维修组", DK.LOGISTICS),
        Dept("BAD", "保安队", DK.LOGISTICS),
        Dept("ST", "食堂", DK.LOGISTICS),
    )),
    *(Dept("NJ{}".format(i), "{}年级组".format(g), DK.GRADE_GROUP) for i, g in enumerate(GRADES, start=1)),
    Dept("YWJY", "语文教研组", DK.TEACHING_GROUP),
    Dept("SXJY", "数学教研组", DK.TEACHING_GROUP),
    Dept("YYJY", "英语教研组", DK.TEACHING_GROUP),
    Dept("TYZ", "体育组", DK.TEACHING_GROUP),
    Dept("ZHJY", "综合教研组", DK.TEACHING_GROUP),
    Dept("CWS", "财务室"),
)  # fmt: skip

KINDERGARTEN_DEPARTMENTS = (
    Dept("YZS", "园长室"),
    Dept("BJC", "保教处"),
    Dept("BJS", "保健室"),
    Dept("HQZ", "后勤组", DK.LOGISTICS),
    Dept("XB", "小班年级组", DK.GRADE_GROUP),
    Dept("ZB", "中班年级组", DK.GRADE_GROUP),
    Dept("DB", "大班年级组", DK.GRADE_GROUP),
)

HOSPITAL_DEPARTMENTS = (
    Dept("YB", "院办公室"),
    Dept("DWB", "党委办公室"),
    Dept("YWK", "医务科"),
    Dept("HLB", "护理部", DK.NURSING),
    Dept("ZWK", "总务科（后勤保障科）", DK.LOGISTICS, (
        Dept("WXB", "维修班", DK.LOGISTICS),
        Dept("BWK", "保卫科", DK.LOGISTICS),
        Dept("SSK", "膳食科", DK.LOGISTICS),
    )),
    Dept("SBK", "设备科"),
    Dept("CWK", "财务科"),
    Dept("XXK", "信息科"),
    Dept("NK", "内科", DK.CLINICAL),
    Dept("WK", "外科", DK.CLINICAL),
    Dept("FCK", "妇产科", DK.CLINICAL),
    Dept("EK", "儿科", DK.CLINICAL),
    Dept("JZK", "急诊科", DK.CLINICAL),
    Dept("SSS", "手术室", DK.NURSING),
    Dept("ICU", "重症医学科（ICU）", DK.CLINICAL),
    Dept("JYK", "检验科", DK.MEDICAL_TECH),
    Dept("FSK", "放射科", DK.MEDICAL_TECH),
    Dept("YJK", "药剂科", DK.MEDICAL_TECH),
)  # fmt: skip

EDUCATION_BUREAU_DEPARTMENTS = (
    Dept("BGS", "局办公室"),
    Dept("JCJY", "基础教育科"),
    Dept("JHCW", "计划财务科"),
    Dept("AQWD", "安全稳定科"),
)

HEALTH_BUREAU_DEPARTMENTS = (
    Dept("BGS", "委办公室"),
    Dept("YZYG", "医政医管科"),
    Dept("GHCW", "规划财务科"),
    Dept("ZHJD", "综合监督科"),
)


# People ----------------------------------------------------------------------------------------
# The first person of each role in an organisation is the one the small set keeps.

R = Role
LOGISTICS_HEAD_PHONE = "13800000001"

SCHOOL_PEOPLE = (
    Person("总务主任", "ZWC", (R.LOGISTICS_HEAD,), "王建国", key=True),
    Person("校长", "XZS", (R.LEADER,), "李明华", key=True),
    Person("信息中心管理员", "BGS", (R.ORG_ADMIN,), "张伟", key=True),
    Person("总务处干事（报修调度）", "ZWC", (R.DISPATCHER,), "刘芳", key=True),
    Person("资产管理员", "ZWC", (R.ASSET_CLERK,), "陈静", key=True),
    Person("仓库保管员", "ZWC", (R.STOREKEEPER,), "杨丽", key=True),
    Person("采购员", "ZWC", (R.PURCHASER,), "赵强", key=True),
    Person("维修组长（水电工）", "WXZ", (R.TECHNICIAN,), "黄志刚", key=True),
    Person("保安队长", "BAD", (R.SECURITY,), "周国庆", key=True),
    Person("食堂管理员", "ST", (R.CANTEEN,), "吴秀英", key=True),
    Person("一年级组组长", "NJ1", (R.DEPT_HEAD,), "徐丽娟", key=True),
    Person("一年级语文教师", "NJ1", (R.STAFF,), "孙晓燕", key=True),
    Person("会计", "CWS", (R.FINANCE,), "马红梅", key=True),
    Person("副校长（分管后勤）", "XZS", (R.LEADER,)),
    Person("党支部书记", "DZB", (R.LEADER,)),
    Person("办公室主任", "BGS", (R.DEPT_HEAD,)),
    Person("教务主任", "JWC", (R.DEPT_HEAD,)),
    Person("德育主任（兼六年级组组长）", "DYC", (R.DEPT_HEAD, (R.DEPT_HEAD, "NJ6"))),
    *(Person("{}年级组组长".format(g), "NJ{}".format(i), (R.DEPT_HEAD,)) for i, g in enumerate(GRADES[1:5], start=2)),
    Person("语文教研组组长", "YWJY", (R.DEPT_HEAD,)),
    Person("数学教研组组长", "SXJY", (R.DEPT_HEAD,)),
    Person("英语教研组组长", "YYJY", (R.DEPT_HEAD,)),
    Person("体育组组长", "TYZ", (R.DEPT_HEAD,)),
    Person("维修工（电工）", "WXZ", (R.TECHNICIAN,)),
    Person("维修工（木工）", "WXZ", (R.TECHNICIAN,)),
    *(Person("保安", "BAD", (R.SECURITY,)) for _ in range(3)),
    Person("厨师长", "ST", (R.STAFF,)),
    Person("厨师", "ST", (R.STAFF,)),
    Person("出纳", "CWS", (R.FINANCE,)),
    Person("一年级数学教师", "NJ1", (R.STAFF,)),
    Person("二年级数学教师", "NJ2", (R.STAFF,)),
    Person("三年级英语教师", "NJ3", (R.STAFF,)),
    Person("四年级语文教师", "NJ4", (R.STAFF,)),
    Person("四年级科学教师", "NJ4", (R.STAFF,)),
    Person("五年级数学教师", "NJ5", (R.STAFF,)),
    Person("六年级语文教师", "NJ6", (R.STAFF,)),
    Person("体育教师", "TYZ", (R.STAFF,)),
    Person("音乐教师", "ZHJY", (R.STAFF,)),
    Person("美术教师", "ZHJY", (R.STAFF,)),
    Person("信息技术教师", "ZHJY", (R.STAFF,)),
    Person("校医", "DYC", (R.STAFF,)),
)

KINDERGARTEN_PEOPLE = (
    # The school's head of logistics also runs the kindergarten's logistics: one person, two organisations.
    Person("后勤负责人（兼）", "HQZ", (R.LOGISTICS_HEAD,), "王建国", phone=LOGISTICS_HEAD_PHONE, key=True),
    Person("园长", "YZS", (R.LEADER,), "林淑珍", key=True),
    Person("副园长", "YZS", (R.LEADER,)),
    Person("保教主任", "BJC", (R.DEPT_HEAD,)),
    Person("保教处干事（系统管理员）", "BJC", (R.ORG_ADMIN,)),
    Person("后勤干事（报修调度）", "HQZ", (R.DISPATCHER,)),
    Person("资产管理员", "HQZ", (R.ASSET_CLERK,)),
    Person("库管员", "HQZ", (R.STOREKEEPER,)),
    Person("采购员", "HQZ", (R.PURCHASER,)),
    Person("维修工", "HQZ", (R.TECHNICIAN,)),
    Person("维修工", "HQZ", (R.TECHNICIAN,)),
    Person("门卫", "HQZ", (R.SECURITY,)),
    Person("保安", "HQZ", (R.SECURITY,)),
    Person("保安", "HQZ", (R.SECURITY,)),
    Person("厨房管理员", "HQZ", (R.CANTEEN,)),
    Person("厨师", "HQZ", (R.STAFF,)),
    Person("厨师", "HQZ", (R.STAFF,)),
    Person("保健医", "BJS", (R.STAFF,)),
    Person("保健员", "BJS", (R.STAFF,)),
    Person("会计", "YZS", (R.FINANCE,)),
    Person("小班年级组组长", "XB", (R.DEPT_HEAD,)),
    Person("中班年级组组长", "ZB", (R.DEPT_HEAD,)),
    Person("大班年级组组长", "DB", (R.DEPT_HEAD,)),
    *(
        Person("{}{}班{}".format(grade, cls, job), dept, (R.STAFF,))
        for grade, dept in (("小", "XB"), ("中", "ZB"), ("大", "DB"))
        for cls in "一二三"
        for job in ("主班教师", "保育员")
    ),
)

HOSPITAL_PEOPLE = (
    Person("总务科科长", "ZWK", (R.LOGISTICS_HEAD,), "陈志明", key=True),
    Person("院长", "YB", (R.LEADER,)),
    Person("副院长（分管后勤）", "YB", (R.LEADER,)),
    Person("党委书记", "DWB", (R.LEADER,)),
    Person("院办公室主任", "YB", (R.DEPT_HEAD,)),
    Person("信息科工程师（系统管理员）", "XXK", (R.ORG_ADMIN,)),
    Person("总务科调度员", "ZWK", (R.DISPATCHER,)),
    Person("设备科资产管理员", "SBK", (R.ASSET_CLERK,)),
    Person("库管员", "ZWK", (R.STOREKEEPER,)),
    Person("采购员", "ZWK", (R.PURCHASER,)),
    Person("维修班长（电工）", "WXB", (R.TECHNICIAN,)),
    Person("维修工（水暖）", "WXB", (R.TECHNICIAN,)),
    Person("维修工（空调制冷）", "WXB", (R.TECHNICIAN,)),
    Person("电梯维修工", "WXB", (R.TECHNICIAN,)),
    Person("保卫科科长", "BWK", (R.SECURITY,)),
    *(Person("保安", "BWK", (R.SECURITY,)) for _ in range(3)),
    Person("膳食科科长", "SSK", (R.CANTEEN,)),
    Person("营养师", "SSK", (R.STAFF,)),
    Person("财务科科长", "CWK", (R.FINANCE,)),
    Person("会计", "CWK", (R.FINANCE,)),
    Person("医务科科长", "YWK", (R.DEPT_HEAD,)),
    Person("护理部主任", "HLB", (R.DEPT_HEAD,)),
    Person("内科主任", "NK", (R.DEPT_HEAD,)),
    Person("外科主任", "WK", (R.DEPT_HEAD,)),
    Person("妇产科主任", "FCK", (R.DEPT_HEAD,)),
    Person("儿科主任", "EK", (R.DEPT_HEAD,)),
    Person("急诊科主任", "JZK", (R.DEPT_HEAD,)),
    Person("重症医学科主任", "ICU", (R.DEPT_HEAD,)),
    Person("手术室护士长", "SSS", (R.DEPT_HEAD,)),
    Person("检验科主任", "JYK", (R.DEPT_HEAD,)),
    Person("放射科主任", "FSK", (R.DEPT_HEAD,)),
    Person("药剂科主任", "YJK", (R.DEPT_HEAD,)),
    Person("内科护士长", "NK", (R.STAFF,)),
    Person("内科医师", "NK", (R.STAFF,)),
    Person("外科医师", "WK", (R.STAFF,)),
    Person("外科护士", "WK", (R.STAFF,)),
    Person("妇产科医师", "FCK", (R.STAFF,)),
    Person("儿科护士", "EK", (R.STAFF,)),
    Person("急诊科护士", "JZK", (R.STAFF,)),
    Person("ICU护士", "ICU", (R.STAFF,)),
    Person("检验技师", "JYK", (R.STAFF,)),
    Person("放射技师", "FSK", (R.STAFF,)),
    Person("药师", "YJK", (R.STAFF,)),
)

EDUCATION_BUREAU_PEOPLE = (
    Person("副局长（分管后勤与安全）", "BGS", (R.BUREAU,), "郑卫东", key=True),
    Person("局长", "BGS", (R.BUREAU,)),
    Person("计划财务科科长", "JHCW", (R.BUREAU,)),
    Person("安全稳定科科员", "AQWD", (R.BUREAU,)),
    Person("信息中心管理员", "BGS", (R.ORG_ADMIN,)),
)

HEALTH_BUREAU_PEOPLE = (
    Person("副主任（分管医政）", "YZYG", (R.BUREAU,), "谢文涛", key=True),
    Person("规划财务科科长", "GHCW", (R.BUREAU,)),
    Person("综合监督科科长", "ZHJD", (R.BUREAU,)),
    Person("办公室系统管理员", "BGS", (R.ORG_ADMIN,)),
)

# Parents before children: the loader creates organisations in this order.
ORGS = (
    OrgSpec("qyjyj", "青阳区教育局", "区教育局", OrgKind.BUREAU, None, 13800009000, "J",
            EDUCATION_BUREAU_DEPARTMENTS, (), EDUCATION_BUREAU_PEOPLE),
    OrgSpec("qywjw", "青阳县卫生健康委员会", "县卫健委", OrgKind.BUREAU, None, 13800009100, "W",
            HEALTH_BUREAU_DEPARTMENTS, (), HEALTH_BUREAU_PEOPLE),
    OrgSpec("qyzx", "青阳街道中心小学", "青阳中心小学", OrgKind.SCHOOL, "qyjyj", 13800000000, "T",
            SCHOOL_DEPARTMENTS, SCHOOL_PLACES, SCHOOL_PEOPLE),
    # Under the school, not the bureau: a 附属幼儿园 is run by its school (the principal and the head
    # of logistics answer for it), and the bureau still reads it through the school's subtree.
    OrgSpec("qyzx-yey", "青阳街道中心小学附属幼儿园", "附属幼儿园", OrgKind.KINDERGARTEN, "qyzx", 13800001000, "Y",
            KINDERGARTEN_DEPARTMENTS, KINDERGARTEN_PLACES, KINDERGARTEN_PEOPLE),
    OrgSpec("qyxrmyy", "青阳县人民医院", "县人民医院", OrgKind.HOSPITAL, "qywjw", 13800002000, "H",
            HOSPITAL_DEPARTMENTS, HOSPITAL_PLACES, HOSPITAL_PEOPLE),
)  # fmt: skip


LOGIN_ORDER = ("qyzx", "qyzx-yey", "qyxrmyy", "qyjyj", "qywjw")


# Names -----------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN_NAMES_TEXT = (
    "志强 秀英 桂英 建华 海燕 丽萍 晓东 文静 国平 春梅 立新 玉兰 建军 婷婷 "
    "俊杰 雪梅 宏伟 艳红 永刚 慧敏 子涵 佳怡 浩然 欣怡 振华 淑芬 德明 红霞 "
    "小军 梦瑶 文博 雅琴 鹏飞 晓丽 家豪 思远 凤英 金凤 明轩 诗琪 天宇 悦 "
    "敏 磊 洋 勇 军 杰 娜 涛 超 霞 平 刚 燕 华 玲 斌 丹 萍 鑫 辉 倩 "
    "宁 颖 晨 瑞 琳 博 凯 海波 春燕 红梅 建平 利民 卫国 秋菊 美玲 少华 "
    "国栋 新民 文华 晓明 雨涵 梓轩 一鸣 若曦 嘉怡 锦程 书瑶 子豪 欣然 浩宇 "
    "可馨 宇航 晓峰 亚男 丽华 胜利"
)
GIVEN_NAMES = tuple(_GIVEN_NAMES_TEXT.split())
