"""The named scenes of the demo as data: emergencies with their linked repairs, PM plans and patrol routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from houqin.core.choices import Role

from ..choices import Cause, PlanSchedule, ScheduleKind
from ..choices import Urgency as U
from . import texts
from .texts import Fault, Part


@dataclass(frozen=True)
class Emergency:
    when: tuple[int, int, int, int]  # month, day, hour, minute: the last such moment before today
    kind: str
    title: str
    place: str
    impact: str
    measures: str
    follow_up: str
    on_site: int  # minutes after it happened
    resolved: int  # minutes after it happened (the linked job is finished then)
    job: Fault
    category: str
    cause: str = Cause.AGING
    recorder: tuple[str, str] = ("", Role.SECURITY)  # (department, role) of who recorded it
    reporter: tuple[str, str] = ("", "")  # who reported the job (department, role); empty: the recorder
    urgency: str = U.EMERGENCY
    team: tuple[str, ...] = ()  # words of the technicians' titles, lead first
    rating: tuple[int, str] = (5, "抢修及时，辛苦了")
    invoice: int = 0


DN25 = Part("镀锌钢管", "DN25", "米", "35.00", 2)
GLASS_DOOR = Part("钢化玻璃", "10mm 门扇用", "平方米", "260.00", 4)
FLOOR_SPRING = Part("地弹簧", "玻璃门用 重型", "个", "320.00")
BUSBAR = Part("铜排接头", "TMY-40×4", "个", "68.00", 2)
RELAY = Part("门锁回路继电器", "电梯控制柜用", "个", "240.00")
GAS_HOSE = Part("燃气软管", "不锈钢波纹管 1.5m", "根", "48.00")
OXYGEN_GAUGE = Part("氧气减压阀", "汇流排用", "个", "420.00")

EMERGENCIES = {
    "qyxrmyy": (
        Emergency(
            (1, 14, 21, 40), "burst_pipe", "手术部暖气管爆裂", "YJ-302",
            "手术间(二)吊顶内暖气管爆裂，热水漏至地面，手术间停用；2 台择期手术推迟约 2 小时，无患者受伤",
            "关闭手术部暖气分支阀门，转移无菌器械包，吸水清理地面；启用手术间(四)接台；维修班连夜更换爆裂管段",
            "全面排查手术部吊顶内暖气管道，将老化管段列入供暖季前暖气检修计划；手术间(二)清洁消毒、空气检测合格后恢复使用",
            12, 120,
            Fault("手术间(二)吊顶内暖气管爆裂，热水往下漏", "关闭分支阀门，更换爆裂管段约1.5米，试压正常后恢复供暖",
                  (), (DN25, texts.PIPE_CLAMP), (3, 3)),
            "hvac", recorder=("BWK", Role.SECURITY), reporter=("SSS", Role.DEPT_HEAD), team=("水暖", "班长"),
            rating=(5, "半夜抢修，很及时，谢谢维修班"),
        ),
        Emergency(
            (7, 16, 14, 20), "power_cut", "住院部3-4层停电", "ZY-103",
            "内科二病区、外科病区停电约 20 分钟，监护仪、输液泵切换电池供电，未影响治疗",
            "启用应急照明，电工排查发现配电间母排接头过热烧蚀，切换备用回路恢复供电",
            "更换烧蚀接头，对全院配电间接头做红外测温，纳入配电房每月检修",
            8, 25,
            Fault("住院部配电间跳闸，3-4层停电", "切换备用回路，更换烧蚀的母排接头", (), (BUSBAR,), (3, 3)),
            "electric", recorder=("ZWK", Role.DISPATCHER), reporter=("NK", ""), team=("电工",),
        ),
        Emergency(
            (5, 22, 10, 5), "lift_entrapment", "住院部1号电梯困人", "ZY",
            "2 名患者家属被困电梯约 15 分钟，无人受伤",
            "电梯维修工到场盘车放人，电梯停用，通知维保单位",
            "维保单位更换门锁回路继电器，试运行正常后恢复使用；加强电梯日常巡检",
            6, 15,
            Fault("住院部1号电梯困人，电梯停在2、3层之间", "盘车放人；维保单位更换门锁回路继电器，试运行正常",
                  (), (RELAY,), (2, 2)),
            "equipment", recorder=("BWK", Role.SECURITY), team=("电梯",), invoice=480,
        ),
        Emergency(
            (9, 8, 16, 40), "lift_entrapment", "门诊楼电梯困人", "MZ",
            "1 名老年患者被困约 10 分钟，情绪紧张，经急诊科检查无碍",
            "电梯维修工盘车放人，护士陪同安抚，急诊科医生到场检查",
            "维保单位检查为平层感应器故障，已更换；门诊楼电梯增加每周巡检",
            5, 10,
            Fault("门诊楼电梯困人", "盘车放人，更换平层感应器", (), (), (1.5, 1.5)),
            "equipment", recorder=("BWK", Role.SECURITY), team=("电梯",), invoice=360,
        ),
        Emergency(
            (6, 28, 15, 30), "flooding", "暴雨致门诊楼一层大厅进水", "MZ-101",
            "门诊大厅约 30 平方米积水，挂号收费处暂停服务 40 分钟",
            "保安设置警示牌和沙袋，保洁、维修班排水清理；挂号改到二楼自助机",
            "疏通门前排水沟，大厅入口加装挡水板",
            10, 90,
            Fault("门诊大厅进水，门口排水沟堵塞", "疏通排水沟，清理积水", (), (), (3, 3)),
            "building", recorder=("BWK", Role.SECURITY), team=("水暖",),
        ),
        Emergency(
            (7, 3, 9, 50), "leak", "检验科天花板漏水", "YJ-202",
            "临检室 1 台生化分析仪临时断电转移，部分检验报告延迟约 1 小时",
            "覆盖仪器，断电转移，找到三楼手术部洗手池下水管接头渗漏并关阀",
            "更换三楼下水管接头，修补检验科吊顶",
            10, 100,
            Fault("临检室天花板漏水，滴到仪器旁边", "更换楼上下水管接头，更换受潮吊顶板", (),
                  (texts.PPR_ELBOW, texts.CEILING_BOARD), (2.5, 2.5)),
            "water", recorder=("JYK", ""), team=("水暖",),
        ),
        Emergency(
            (12, 18, 6, 10), "burst_pipe", "锅炉房供水管冻裂", "HQ-102",
            "锅炉补水中断约 1 小时，病房供暖温度短时下降",
            "关闭进水总阀，启用备用补水管路，更换冻裂管段",
            "室外管道加装保温层，寒潮前加强夜间巡查",
            15, 70,
            Fault("锅炉房供水管冻裂，地面积水", "更换冻裂管段，加装保温", (), (DN25, texts.PIPE_CLAMP), (2, 2)),
            "water", recorder=("BWK", Role.SECURITY), team=("水暖",),
        ),
        Emergency(
            (8, 12, 17, 5), "power_cut", "雷击致医技楼跳闸", "YJ",
            "CT 室停机约 30 分钟，3 名患者检查顺延",
            "电工复位总开关，逐台检查设备；CT 重新开机自检",
            "请防雷检测机构检测医技楼防雷接地，更换损坏的电涌保护器",
            7, 35,
            Fault("医技楼总开关跳闸", "复位总开关，更换电涌保护器", (), (texts.BREAKER,), (1.5, 1.5)),
            "electric", recorder=("ZWK", Role.DISPATCHER), team=("电工",),
        ),
        Emergency(
            (2, 26, 10, 40), "gas", "职工食堂燃气报警", "ST-102",
            "午餐备餐暂停约 30 分钟，职工餐推迟开餐",
            "关闭燃气总阀，开窗通风，疏散厨房人员，燃气公司到场检测",
            "燃气公司检测为灶具软管老化，已更换；食堂燃气软管每半年检查一次",
            5, 50,
            Fault("厨房燃气报警器报警", "配合燃气公司检测，更换老化燃气软管", (), (GAS_HOSE,), (1, 1)),
            "equipment", recorder=("SSK", Role.CANTEEN), team=("电工",), urgency=U.EMERGENCY,
        ),
        Emergency(
            (10, 9, 23, 15), "leak", "ICU 空调冷凝水漏水", "YJ-401",
            "ICU 病房区一张床位上方滴水，患者临时挪床，未影响治疗",
            "接水、挪床，关闭该区风机盘管",
            "清理冷凝水管，ICU 风机盘管冷凝水管全部检查一遍",
            10, 60,
            Fault("ICU病房区天花板滴水", "疏通风机盘管冷凝水管，更换受潮吊顶板", (),
                  (texts.CEILING_BOARD,), (1.5, 1.5)),
            "hvac", recorder=("ICU", ""), team=("空调",),
        ),
        Emergency(
            (3, 30, 2, 20), "other", "医用气体站氧气压力报警", "HQ-106",
            "中心供氧压力短时下降，未影响病房用氧",
            "值班电工切换备用汇流排，通知设备科",
            "更换故障减压阀，氧气站巡查增加压力记录",
            10, 45,
            Fault("氧气汇流排压力低报警", "切换备用汇流排，更换减压阀", (), (OXYGEN_GAUGE,), (1.5, 1.5)),
            "equipment", recorder=("BWK", Role.SECURITY), team=("电工",),
        ),
        Emergency(
            (4, 19, 1, 30), "break_in", "急诊室玻璃门被砸碎", "MZ-104",
            "急诊室玻璃门被醉酒患者砸碎，无人受伤，急诊正常接诊",
            "保安控制人员、报警，清理碎玻璃，临时用围挡封闭",
            "派出所已处理；当事人家属赔偿玻璃门费用",
            4, 600,
            Fault("急诊室玻璃门被砸碎", "更换钢化玻璃门扇", (), (GLASS_DOOR,), (2, 2)),
            "door_window", cause=Cause.DAMAGE, recorder=("BWK", Role.SECURITY), urgency=U.URGENT, team=("水暖",),
        ),
        Emergency(
            (11, 3, 8, 50), "leak", "儿科病区卫生间水管爆裂", "ZY-601",
            "儿科病区走廊积水，2 间病房患儿临时调换床位",
            "关闭楼层进水阀，吸水清理，设置防滑警示",
            "更换老化水管，检查其他病区同批次管件",
            8, 75,
            Fault("儿科病区卫生间水管爆裂，走廊积水", "更换爆裂水管和接头", (),
                  (texts.PPR_PIPE, texts.PPR_ELBOW), (2, 2)),
            "water", recorder=("EK", ""), team=("水暖",),
        ),
    ),
    "qyzx": (
        Emergency(
            (3, 3, 0, 10), "break_in", "教学楼A一楼玻璃门被砸碎", "JX-A-1",
            "教学楼A一楼东侧玻璃门被砸碎，无人员受伤；早上学生改走西侧门进楼",
            "值班保安现场警戒，用警戒带隔离碎玻璃区域，清扫碎玻璃，调取监控并报警",
            "已报派出所，监控显示为一名身份不明男子，暂未查到；东侧门加装防护栏，夜间巡查增加该点",
            2, 920,
            Fault("教学楼A一楼东侧玻璃门夜里被砸碎", "更换10mm钢化玻璃门扇和地弹簧", (),
                  (GLASS_DOOR, FLOOR_SPRING), (4, 4)),
            "door_window", cause=Cause.DAMAGE, recorder=("BAD", Role.SECURITY), urgency=U.URGENT, team=("木",),
            rating=(5, "当天就修好了，谢谢"),
        ),
        Emergency(
            (1, 8, 7, 20), "burst_pipe", "教学楼B三楼暖气管爆裂", "JX-B-3",
            "三楼走廊积水，六(1)、六(2)班临时调到多功能教室上课",
            "关闭三楼暖气分支阀门，清扫积水，通知班主任调整教室",
            "更换锈蚀管段，寒假检修教学楼B暖气管道",
            10, 150,
            Fault("教学楼B三楼走廊暖气管爆裂", "更换锈蚀管段，系统补水排气", (), (DN25, texts.PIPE_CLAMP), (3, 3)),
            "hvac", recorder=("WXZ", ""), reporter=("NJ6", ""), team=("水",),
        ),
        Emergency(
            (12, 22, 6, 30), "burst_pipe", "水泵房供水管冻裂", "SB-02",
            "全校停水约 3 小时，食堂改用桶装水备餐",
            "关闭总阀，启用备用水箱供食堂，更换冻裂管段",
            "水泵房加装保温和电伴热",
            20, 180,
            Fault("水泵房出水管冻裂", "更换冻裂管段，加装保温层", (), (DN25, texts.PIPE_CLAMP), (3, 3)),
            "water", recorder=("BAD", Role.SECURITY), team=("水",),
        ),
        Emergency(
            (6, 18, 13, 40), "flooding", "暴雨致体育馆漏雨积水", "TYG-01",
            "室内篮球场地面积水，下午两节体育课改在教室上",
            "停用场馆，铺设吸水布，清理屋面排水口",
            "暑假对体育馆屋面做防水维修",
            15, 200,
            Fault("体育馆屋顶漏雨，篮球场积水", "清理屋面排水口落叶，局部修补防水", (), (texts.WATERPROOF,), (4, 4)),
            "building", recorder=("TYZ", ""), team=("组长", "木"),
        ),
        Emergency(
            (7, 21, 16, 0), "flooding", "暴雨致操场积水", "CC",
            "暑假期间操场大面积积水，夏令营活动改到室内",
            "打开排水井盖排水，设置警示",
            "疏通操场排水沟，跑道边加开排水口",
            30, 240,
            Fault("操场积水排不出去", "疏通排水沟和排水井", (), (), (4, 4)),
            "building", recorder=("BAD", Role.SECURITY), team=("组长",),
        ),
        Emergency(
            (5, 12, 13, 55), "power_cut", "配电房跳闸，全校停电", "SB-01",
            "全校停电约 25 分钟，下午第一节课电子白板无法使用",
            "电工排查出综合楼回路短路，隔离后恢复其他回路供电",
            "更换综合楼回路损坏的电缆接头，配电房每月检修增加红外测温",
            6, 25,
            Fault("配电房总开关跳闸，全校停电", "隔离短路回路，更换电缆接头", (), (texts.BREAKER, texts.TAPE), (2, 2)),
            "electric", recorder=("ZWC", Role.DISPATCHER), team=("电工",),
        ),
        Emergency(
            (9, 24, 10, 15), "leak", "网络机房空调漏水", "ZH-303",
            "机房地面积水，一台交换机断电保护，三楼计算机教室断网约 1 小时",
            "断电、吸水，交换机转移到机柜上层",
            "机房空调冷凝水改为直排，加装漏水报警",
            10, 70,
            Fault("网络机房空调漏水", "疏通冷凝水管，冷凝水改直排", (), (), (2, 2)),
            "hvac", recorder=("ZHJY", ""), team=("电",),
        ),
        Emergency(
            (11, 19, 10, 30), "gas", "食堂燃气报警器报警", "ST-103",
            "午餐推迟 20 分钟开餐",
            "关闭燃气阀，开窗通风，燃气公司到场检测",
            "更换老化燃气软管，食堂员工燃气安全培训",
            5, 40,
            Fault("烹饪间燃气报警", "更换老化燃气软管", (), (GAS_HOSE,), (1, 1)),
            "equipment", recorder=("ST", Role.CANTEEN), team=("电",),
        ),
        Emergency(
            (4, 9, 15, 10), "leak", "行政楼二楼卫生间水管破裂", "XZ-207",
            "二楼走廊积水，校长室、会议室地毯受潮",
            "关闭楼层进水阀，清扫积水",
            "更换破裂的进水管，地毯晾晒",
            10, 80,
            Fault("行政楼二楼男卫生间水管破裂", "更换进水管和角阀", (),
                  (texts.PPR_PIPE, texts.ANGLE_VALVE), (1.5, 1.5)),
            "water", recorder=("BGS", ""), team=("水",),
        ),
        Emergency(
            (10, 2, 9, 0), "other", "大风刮坏自行车棚顶棚", "ZXC",
            "国庆假期，无人员受伤，车棚暂停使用",
            "拉警戒线，拆除松动的顶棚板",
            "更换顶棚板并加固骨架",
            40, 300,
            Fault("自行车棚顶棚被大风刮坏", "更换顶棚板，加固骨架", (), (), (5, 5)),
            "building", cause=Cause.OTHER, recorder=("BAD", Role.SECURITY), urgency=U.URGENT, team=("组长", "木"),
            invoice=1800,
        ),
    ),
    "qyzx-yey": (
        Emergency(
            (1, 12, 8, 10), "burst_pipe", "小班活动室暖气片漏水", "JXL-111",
            "小一班幼儿临时到多功能厅活动",
            "关闭暖气片阀门，清理积水",
            "更换暖气片阀门，检查全园暖气片",
            10, 90,
            Fault("小一班活动室暖气片漏水", "更换暖气片阀门", (), (texts.RADIATOR_VALVE,), (1.5, 1.5)),
            "hvac", recorder=("XB", ""),
        ),
        Emergency(
            (6, 25, 15, 0), "flooding", "暴雨致户外活动场地积水", "HW",
            "户外活动暂停一天",
            "打开排水口，设置警示",
            "疏通场地排水沟",
            30, 180,
            Fault("户外活动场地积水", "疏通排水沟", (), (), (3, 3)),
            "building", recorder=("HQZ", Role.SECURITY),
        ),
        Emergency(
            (9, 15, 9, 40), "power_cut", "厨房停电", "CF-02",
            "午餐推迟 30 分钟",
            "排查为烹饪间漏电保护器损坏，临时改接备用回路",
            "更换漏电保护器",
            8, 45,
            Fault("厨房烹饪间停电", "更换漏电保护器", (), (texts.LEAKAGE_BREAKER,), (1, 1)),
            "electric", recorder=("HQZ", Role.CANTEEN),
        ),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class PlanSpec:
    name: str
    category: str
    place: str
    description: str
    work_done: str
    schedule: str
    technician: str  # a word of the technician's title
    every: int = 0  # interval plans: every … months
    day: int = 1  # … on this day of the month
    dates: str = ""
    lead_days: int = 0
    parts: tuple[Part, ...] = ()
    hours: float = 2


FILTER_G4 = Part("初效过滤网", "G4 595×595×46", "片", "85.00", 6)
FILTER_F7 = Part("中效过滤袋", "F7 592×592×600", "个", "260.00", 4)
GREASE = Part("润滑脂", "锂基 1kg", "桶", "45.00")

PLANS = {
    "qyzx": (
        PlanSpec("供暖季前暖气检修", "hvac", "XQ1", "检查全校暖气管道、阀门和暖气片，排气试压，更换老化阀门",
                 "全校暖气管道排气试压完成，更换老化阀门", PlanSchedule.DATES, "水", dates="11-10", lead_days=2,
                 parts=(texts.RADIATOR_VALVE, texts.AIR_VENT), hours=8),
        PlanSpec("暑假教室灯具与门窗检修", "electric", "JX-A", "逐间检查教室灯具、开关插座和门窗五金，更换损坏件",
                 "48间教室灯具、插座、门窗五金检修完毕", PlanSchedule.BREAK, "电工",
                 parts=(texts.LED_TUBE, texts.SWITCH, texts.HINGE), hours=16),
        PlanSpec("配电房每月检修", "electric", "SB-01", "检查配电柜、接线端子温升、漏电保护器试跳，清扫配电房",
                 "配电柜检查、红外测温、漏保试跳正常，配电房已清扫", PlanSchedule.INTERVAL, "电工", every=1, day=5,
                 lead_days=2, hours=2),
        PlanSpec("消防水泵每季度保养", "equipment", "SB-02", "消防水泵盘车、试运行，检查压力表和控制柜，加注润滑油",
                 "水泵试运行正常，压力表读数正常，已加注润滑脂", PlanSchedule.INTERVAL, "水", every=3, day=15,
                 lead_days=3, parts=(GREASE,), hours=3),
    ),
    "qyzx-yey": (
        PlanSpec("暑假园舍门窗与灯具检修", "door_window", "JXL", "检查各班活动室、午睡室门窗、防夹手条和灯具",
                 "全园门窗、防夹手条、灯具检修完毕", PlanSchedule.BREAK, "维修工",
                 parts=(texts.HINGE, texts.LED_TUBE), hours=10),
    ),
    "qyxrmyy": (
        PlanSpec("供暖季前暖气检修", "hvac", "HQ-102", "锅炉及全院暖气管网检查，排气试压，更换老化阀门",
                 "锅炉试运行正常，管网试压合格，更换老化阀门", PlanSchedule.DATES, "水暖", dates="11-10",
                 lead_days=2, parts=(texts.RADIATOR_VALVE, texts.AIR_VENT), hours=12),
        PlanSpec("配电房每月检修", "electric", "HQ-101", "检查高低压配电柜、母排接头测温、漏电保护器试跳、应急电源切换",
                 "配电柜检查、母排红外测温、漏保试跳、应急电源切换均正常", PlanSchedule.INTERVAL, "电工",
                 every=1, day=5, lead_days=2, hours=3),
        PlanSpec("消防水泵每季度保养", "equipment", "HQ-103", "消防水泵盘车、试运行，检查压力表和控制柜，加注润滑油",
                 "水泵试运行正常，压力表读数正常，已加注润滑脂", PlanSchedule.INTERVAL, "水暖", every=3, day=15,
                 lead_days=3, parts=(GREASE,), hours=3),
        PlanSpec("净化空调过滤网更换", "hvac", "YJ-3", "更换手术部净化空调机组初效过滤网，检查中效过滤袋压差",
                 "更换初效过滤网6片，中效压差正常", PlanSchedule.INTERVAL, "空调", every=1, day=20, lead_days=2,
                 parts=(FILTER_G4,), hours=2.5),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class RouteSpec:
    name: str
    description: str
    schedule: str
    start: time
    window: str
    walker: tuple[str, str]  # (role, word of the title)
    checkpoints: tuple[tuple[str, str], ...]  # (place code, what to check)
    weekday: int | None = None
    problem: tuple[int, str, Fault, str] | None = None  # (checkpoint index, note, fault, category)


ROUTES = {
    "qyzx": (
        RouteSpec("教学楼每日巡查", "上课前检查教学楼各层照明、门窗、水龙头和消防通道", ScheduleKind.DAILY,
                  time(8), "2.0",
                  (Role.TECHNICIAN, "木"),
                  (("JX-A-1", "照明、门窗、卫生间水龙头"), ("JX-A-2", "照明、门窗、卫生间水龙头"),
                   ("JX-A-3", "照明、门窗、卫生间水龙头"), ("JX-A-4", "专用教室门窗、消防通道"),
                   ("JX-B-1", "照明、门窗、卫生间水龙头"), ("JX-B-2", "照明、门窗、卫生间水龙头"),
                   ("JX-B-3", "照明、门窗、卫生间水龙头"), ("JX-B-4", "专用教室门窗、消防通道")),
                  problem=(1, "二层男卫生间水龙头关不紧，一直流水",
                           Fault("巡查发现：二层男卫生间水龙头关不紧，一直流水", "更换水龙头阀芯", (),
                                 (texts.VALVE_CORE,), (0.5, 0.5)), "water")),
        RouteSpec("校园夜间巡查", "晚间巡查各楼门窗、配电房、食堂燃气和校园周界", ScheduleKind.DAILY, time(22), "2.0",
                  (Role.SECURITY, "保安"),
                  (("MW-01", "交接班、监控画面"), ("JX-A", "各层门窗是否关好、有无人员滞留"), ("JX-B", "各层门窗"),
                   ("ZH", "机房、实验室门锁"), ("XZ", "办公室门窗、财务室"), ("ST", "燃气阀门关闭、冷库温度"),
                   ("SB-01", "配电房有无异响异味"), ("TYG", "场馆门锁"), ("CC", "围墙、操场照明"),
                   ("TCC", "停车场车辆、周界"))),
    ),
    "qyzx-yey": (
        RouteSpec("园区晨间安全巡查", "入园前检查活动室、大型玩具、户外场地和厨房", ScheduleKind.DAILY,
                  time(7, 30), "1.0",
                  (Role.SECURITY, "门卫"),
                  (("MW-01", "门禁、监控"), ("JXL-1", "活动室门窗、防夹手条"), ("JXL-2", "活动室门窗、防夹手条"),
                   ("JXL-3", "活动室门窗、防夹手条"), ("CF", "燃气、消毒柜"), ("HW", "大型玩具、地面"),
                   ("SC", "沙水池卫生"))),
    ),
    "qyxrmyy": (
        RouteSpec("配电房/水泵房/锅炉房设备巡查", "每个工作日检查配电、供水、锅炉和医用气体设备运行并记录",
                  ScheduleKind.WORKING_DAYS, time(8, 30), "2.0", (Role.TECHNICIAN, "电工"),
                  (("HQ-101", "高低压柜仪表读数、温度、异响"), ("HQ-103", "水泵运行、压力、有无漏水"),
                   ("HQ-102", "锅炉压力、水位、燃烧情况"), ("HQ-106", "氧气汇流排压力、备用瓶数量"),
                   ("ZY-103", "住院部配电间温度、接头"), ("WS", "污水处理设备运行、加药")),
                  problem=(1, "2号生活水泵运行有异响",
                           Fault("巡查发现：水泵房2号生活水泵运行有异响", "更换水泵轴承，加注润滑脂", (),
                                 (Part("轴承", "6205-2RS", "个", "38.00", 2), GREASE), (2.5, 2.5)), "equipment")),
        RouteSpec("手术部每周巡查", "每周一检查手术间净化空调、压差、照明和医用气体终端", ScheduleKind.WEEKLY,
                  time(14), "3.0", (Role.TECHNICIAN, "空调"),
                  (("YJ-301", "温湿度、压差、无影灯"), ("YJ-302", "温湿度、压差、无影灯"),
                   ("YJ-303", "温湿度、压差、无影灯"), ("YJ-304", "温湿度、压差、无影灯"),
                   ("YJ-305", "医用气体终端、照明"), ("YJ-306", "温湿度")), weekday=1),
    ),
}  # fmt: skip
