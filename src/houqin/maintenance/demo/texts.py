"""The words of the maintenance demo: what people report, what the technicians write, what parts cost.

Data only (the loader is in ``__init__.py``). Demo records are Chinese data, like the names of the demo
places and people, not translatable interface text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    name: str
    spec: str
    unit: str
    price: str  # yuan, as text: Decimal(price)
    most: int = 1  # the quantity is 1…most


@dataclass(frozen=True)
class Fault:
    """One kind of report of a category: its words, where it happens, how it is fixed and with what."""

    description: str
    work_done: str
    places: tuple[str, ...] = ()  # words in the room name where this fault happens; () anywhere
    parts: tuple[Part, ...] = ()
    hours: tuple[float, float] = (0.5, 1.5)  # labour hours, from … to
    orgs: str = "sh"  # s: school and kindergarten, h: hospital


LED_TUBE = Part("LED灯管", "T8 1.2m 18W", "根", "18.00", 3)
LED_PANEL = Part("LED平板灯", "600×600 48W", "套", "95.00", 2)
BALLAST = Part("镇流器", "36W电子式", "个", "22.00", 2)
SWITCH = Part("墙壁开关", "86型单开", "个", "12.00", 2)
SOCKET = Part("五孔插座", "86型10A", "个", "15.00", 3)
BREAKER = Part("空气开关", "DZ47-63 C16 2P", "个", "38.00")
LEAKAGE_BREAKER = Part("漏电保护器", "DZ47LE-32 C20", "个", "65.00")
WIRE = Part("BV电线", "2.5mm²", "米", "2.80", 20)
TAPE = Part("绝缘胶布", "PVC", "卷", "3.50", 2)
VALVE_CORE = Part("水龙头阀芯", "陶瓷片 1/2英寸", "个", "25.00", 2)
TAP = Part("感应水龙头", "台盆用 DC6V", "个", "168.00")
FAUCET = Part("水龙头", "304不锈钢 4分", "个", "45.00", 2)
ANGLE_VALVE = Part("角阀", "4分 铜", "个", "28.00", 2)
HOSE = Part("进水软管", "4分 60cm", "根", "16.00", 2)
FLUSH_VALVE = Part("延时冲洗阀", "蹲便器用", "个", "85.00")
URINAL_SENSOR = Part("小便池感应器", "一体式 DC6V", "个", "135.00")
TANK_FITTING = Part("水箱配件", "进水阀+排水阀", "套", "48.00")
PPR_PIPE = Part("PPR管", "DN25", "米", "12.00", 4)
PPR_ELBOW = Part("PPR弯头", "DN25", "个", "3.00", 4)
SEALANT = Part("防水密封胶", "300ml", "支", "22.00", 2)
DRAIN_COVER = Part("地漏", "不锈钢防臭 10cm", "个", "32.00")
RADIATOR_VALVE = Part("暖气片阀门", "DN20 铜", "个", "55.00", 2)
AIR_VENT = Part("自动排气阀", "DN15", "个", "26.00", 2)
HEATING_PIPE = Part("镀锌钢管", "DN25", "米", "35.00", 3)
PIPE_CLAMP = Part("管卡", "DN25", "个", "4.00", 4)
REFRIGERANT = Part("制冷剂", "R410A", "千克", "95.00", 3)
AC_CAPACITOR = Part("启动电容", "35μF", "个", "45.00")
AC_REMOTE = Part("空调遥控器", "通用型", "个", "35.00")
AC_FILTER = Part("空调过滤网", "挂机用", "片", "15.00", 2)
FAN_MOTOR = Part("风扇电机", "吊扇 1400mm", "台", "160.00")
LOCK = Part("门锁", "执手锁 不锈钢", "把", "85.00")
LOCK_CYLINDER = Part("锁芯", "C级 铜", "个", "58.00")
HINGE = Part("合页", "不锈钢 4寸", "片", "12.00", 4)
DOOR_CLOSER = Part("闭门器", "中型 65kg", "个", "120.00")
DOOR_STOP = Part("门吸", "不锈钢", "个", "15.00", 2)
GLASS = Part("钢化玻璃", "5mm", "平方米", "120.00", 2)
WINDOW_HANDLE = Part("窗户执手", "铝合金窗用", "个", "18.00", 2)
WINDOW_ROLLER = Part("推拉窗滑轮", "铝合金窗用", "个", "8.00", 4)
SCREEN = Part("纱窗", "铝合金框 定做", "扇", "65.00", 2)
CURTAIN_TRACK = Part("窗帘滑轨", "铝合金 2m", "根", "45.00")
RJ45 = Part("网线水晶头", "超五类 RJ45", "个", "1.50", 6)
CABLE = Part("网线", "超五类", "米", "2.20", 30)
PANEL_MODULE = Part("网络模块", "超五类 86型", "个", "18.00", 2)
AP = Part("无线AP", "吸顶式 双频", "台", "420.00")
SWITCH_PORT = Part("交换机", "8口千兆", "台", "160.00")
DESK_SCREW = Part("课桌椅螺丝配件", "M6 套装", "套", "6.00", 6)
DESK_BOARD = Part("课桌面板", "1200×400 三聚氰胺", "块", "75.00", 2)
CHAIR_PAD = Part("椅子脚垫", "塑料", "个", "1.00", 8)
BLACKBOARD_LIGHT = Part("黑板灯", "LED 36W", "套", "128.00")
PROJECTOR_LAMP = Part("投影机灯泡", "原装", "个", "380.00")
HDMI = Part("HDMI线", "10米", "根", "45.00")
MORTAR = Part("水泥砂浆", "袋装 25kg", "袋", "18.00", 3)
TILE = Part("墙地砖", "300×300", "片", "9.00", 10)
CEILING_BOARD = Part("吊顶板", "矿棉板 600×600", "块", "16.00", 6)
WATERPROOF = Part("防水涂料", "JS聚合物 20kg", "桶", "260.00")
PAINT = Part("乳胶漆", "5L", "桶", "168.00")
CASTER = Part("万向轮", "医用静音 4寸", "个", "28.00", 4)
BED_CRANK = Part("病床摇把", "手摇床用", "个", "35.00", 2)
CALL_BUTTON = Part("呼叫按钮", "床头分机用", "个", "42.00")
OXYGEN_VALVE = Part("氧气终端", "快插式", "个", "160.00")
LIFT_BUTTON = Part("电梯按钮", "外呼 不锈钢", "个", "90.00", 2)
LIFT_ROLLER = Part("门机滚轮", "层门用", "个", "65.00", 2)


FAULTS: dict[str, tuple[Fault, ...]] = {
    "electric": (
        Fault("日光灯不亮", "更换LED灯管", (), (LED_TUBE,), (0.5, 1)),
        Fault(
            "{place}有两根灯管一直闪烁，晃眼睛", "更换灯管和镇流器", ("教室", "办公室"), (LED_TUBE, BALLAST), (0.5, 1)
        ),
        Fault("黑板灯不亮", "更换黑板灯", ("教室",), (BLACKBOARD_LIGHT,), (1, 2), "s"),
        Fault("三年级二班教室日光灯不亮", "更换LED灯管", ("302教室",), (LED_TUBE,), (0.5, 1), "s"),
        Fault("插座没电，饮水机用不了", "更换插座，紧固接线", (), (SOCKET,), (0.5, 1)),
        Fault("插座冒火花，有焦味", "更换烧坏的插座，检查线路", (), (SOCKET, WIRE), (1, 2)),
        Fault("开关坏了，灯关不掉", "更换墙壁开关", (), (SWITCH,), (0.5, 1)),
        Fault("空气开关老跳闸", "排查线路，更换老化空开", (), (BREAKER, TAPE), (1, 2.5)),
        Fault("漏电保护器频繁跳闸", "查出漏电回路，更换漏电保护器", (), (LEAKAGE_BREAKER, TAPE), (1.5, 3)),
        Fault("走廊灯不亮", "更换灯管", (), (LED_TUBE,), (0.5, 1)),
        Fault("吸顶灯不亮", "更换LED平板灯", ("办公", "诊室", "病房", "室"), (LED_PANEL,), (0.5, 1.5)),
        Fault("吊扇转不动", "更换吊扇电机", ("教室",), (FAN_MOTOR,), (1, 2), "s"),
        Fault("病房床头灯不亮", "更换灯管，紧固接线", ("病房",), (LED_TUBE,), (0.5, 1), "h"),
        Fault("床头呼叫器按了没反应", "更换呼叫按钮", ("病房",), (CALL_BUTTON,), (0.5, 1), "h"),
        Fault("手术间无影灯旁的插座没电", "更换插座，检查回路", ("手术间",), (SOCKET, WIRE), (1, 2), "h"),
        Fault("护士站照明灯闪烁", "更换灯管和镇流器", ("护士站",), (LED_TUBE, BALLAST), (0.5, 1), "h"),
        Fault("食堂排风扇不转", "检修电机接线，更换开关", ("餐厅", "烹饪", "厨房"), (SWITCH, WIRE), (1, 2)),
    ),
    "water": (
        Fault("水龙头关不紧，一直滴水", "更换水龙头阀芯", ("卫生间", "洗", "治疗", "污物"), (VALVE_CORE,), (0.5, 1)),
        Fault("水龙头坏了", "更换水龙头", ("卫生间", "洗", "治疗", "实验"), (FAUCET,), (0.5, 1)),
        Fault("感应水龙头不出水", "更换感应水龙头", ("卫生间",), (TAP,), (0.5, 1)),
        Fault("男厕所小便池堵塞", "疏通小便池下水", ("男卫生间",), (), (0.5, 1.5)),
        Fault("小便池感应器不冲水", "更换感应器", ("男卫生间",), (URINAL_SENSOR,), (0.5, 1)),
        Fault("蹲便器冲水阀坏了，一直流水", "更换延时冲洗阀", ("卫生间",), (FLUSH_VALVE,), (1, 1.5)),
        Fault("马桶水箱不停流水", "更换水箱配件", ("卫生间", "病房"), (TANK_FITTING,), (0.5, 1)),
        Fault("卫生间下水道堵塞，地面积水", "疏通下水道，清理地漏", ("卫生间",), (DRAIN_COVER,), (1, 2)),
        Fault("洗手池下水慢，有异味", "疏通下水管，加装防臭地漏", ("卫生间", "洗", "治疗"), (DRAIN_COVER,), (0.5, 1.5)),
        Fault("角阀漏水，地上湿了一片", "更换角阀和进水软管", (), (ANGLE_VALVE, HOSE), (0.5, 1)),
        Fault("墙内水管渗水，墙面发霉", "凿开墙面更换渗漏管段，修补墙面", (), (PPR_PIPE, PPR_ELBOW, MORTAR), (3, 6)),
        Fault("天花板漏水，往下滴", "查出楼上卫生间防水层破损，重做防水", (), (WATERPROOF, SEALANT), (3, 8)),
        Fault("楼道排水沟堵塞，下雨积水", "清理排水沟", (), (), (1, 3)),
        Fault("洗消间水池下水堵塞", "疏通下水管，清理隔油池", ("洗消",), (), (1, 2.5)),
        Fault("病房卫生间淋浴不出热水", "更换混水阀芯，清洗花洒", ("病房",), (VALVE_CORE,), (1, 1.5), "h"),
        Fault("污物处置间水池堵塞", "疏通下水管", ("污物",), (), (1, 2), "h"),
        Fault("开水器不出水", "清洗进水阀，检查水位探针", ("护士站", "办公室", "教室"), (), (0.5, 1.5)),
    ),
    "hvac": (
        Fault("暖气片不热", "排气，清洗过滤器，暖气恢复", (), (AIR_VENT,), (0.5, 1.5)),
        Fault("暖气阀门漏水", "更换暖气片阀门", (), (RADIATOR_VALVE,), (1, 2)),
        Fault("暖气管接头滴水", "重新缠生料带紧固接头，更换管卡", (), (PIPE_CLAMP,), (1, 2)),
        Fault("暖气管道锈蚀渗水", "更换锈蚀管段", (), (HEATING_PIPE, PIPE_CLAMP), (2, 4)),
        Fault(
            "{place}暖气不热，室温只有十几度", "系统排气，调节分支阀门", ("教室", "病房", "办公"), (AIR_VENT,), (1, 2)
        ),
        Fault("空调不制冷", "补充制冷剂，清洗过滤网", (), (REFRIGERANT, AC_FILTER), (1, 2)),
        Fault("空调滴水", "疏通冷凝水管", (), (), (0.5, 1.5)),
        Fault("空调启动不了", "更换启动电容", (), (AC_CAPACITOR,), (1, 1.5)),
        Fault("空调遥控器丢了/坏了", "配遥控器", (), (AC_REMOTE,), (0.5, 0.5)),
        Fault("手术室空调不制冷", "检修净化空调机组，补充制冷剂", ("手术间",), (REFRIGERANT,), (2, 4), "h"),
        Fault("ICU温度偏高，空调效果差", "清洗空调过滤网，调整送风", ("ICU",), (AC_FILTER,), (1, 2), "h"),
        Fault("新风口有异响", "紧固风口，清理风管", (), (), (1, 2)),
    ),
    "door_window": (
        Fault("门锁坏了，锁不上", "更换门锁", (), (LOCK,), (0.5, 1)),
        Fault("钥匙拧不动，锁芯卡死", "更换锁芯", (), (LOCK_CYLINDER,), (0.5, 1)),
        Fault("门合页松动，门关不严", "更换合页", (), (HINGE,), (0.5, 1)),
        Fault("闭门器漏油，门关得太猛", "更换闭门器", (), (DOOR_CLOSER,), (1, 1.5)),
        Fault("窗户关不上", "更换推拉窗滑轮，调整窗扇", (), (WINDOW_ROLLER,), (0.5, 1.5)),
        Fault("窗户把手断了", "更换窗户执手", (), (WINDOW_HANDLE,), (0.5, 1)),
        Fault("窗户玻璃裂了", "更换钢化玻璃", (), (GLASS,), (1, 2)),
        Fault("纱窗破了，蚊子多", "更换纱窗", (), (SCREEN,), (0.5, 1)),
        Fault("窗帘轨道掉了", "重新安装窗帘滑轨", (), (CURTAIN_TRACK,), (0.5, 1)),
        Fault("门吸坏了，门撞墙", "更换门吸", (), (DOOR_STOP,), (0.5, 0.5)),
        Fault("教室后门关不上", "调整门框，更换合页", ("教室",), (HINGE,), (0.5, 1.5), "s"),
        Fault("卫生间隔断门锁坏了", "更换隔断门锁", ("卫生间",), (LOCK,), (0.5, 1)),
        Fault("病房门关不严，晚上有风", "调整门扇，更换闭门器", ("病房",), (DOOR_CLOSER,), (1, 1.5), "h"),
    ),
    "network": (
        Fault("电脑上不了网", "重做网线水晶头", ("教室", "办公", "诊室", "护士站", "室"), (RJ45,), (0.5, 1)),
        Fault("网口没信号", "更换网络模块，测试通断", (), (PANEL_MODULE, RJ45), (0.5, 1)),
        Fault("无线网信号差，经常断", "更换无线AP", (), (AP,), (1, 2)),
        Fault("教室投影仪不亮", "更换投影机灯泡", ("教室",), (PROJECTOR_LAMP,), (1, 1.5), "s"),
        Fault("电子白板连不上电脑", "更换HDMI线，重新设置", ("教室",), (HDMI,), (0.5, 1), "s"),
        Fault("网线被老鼠咬断", "重新布放网线", (), (CABLE, RJ45), (1.5, 3)),
        Fault("办公室交换机坏了，几台电脑都断网", "更换交换机", ("办公",), (SWITCH_PORT, RJ45), (1, 2)),
        Fault("叫号屏不显示", "重新插拔网线，检查交换机端口", ("诊室", "大厅", "药房"), (RJ45,), (0.5, 1), "h"),
        Fault("护士站电脑网络断开", "重做水晶头，测试链路", ("护士站",), (RJ45,), (0.5, 1), "h"),
    ),
    "equipment": (
        Fault("饮水机不加热", "更换加热管温控器", (), (), (0.5, 1.5)),
        Fault("消毒柜不工作", "检查电源和加热管，更换保险丝", ("洗消", "备餐", "厨房", "烹饪"), (), (1, 2)),
        Fault("冰箱不制冷", "检修压缩机启动器", ("库", "留样"), (), (1, 2.5)),
        Fault("留样冰箱温度显示异常", "更换温控探头", ("留样",), (), (1, 1.5)),
        Fault("和面机有异响", "更换皮带，加注润滑油", ("面点", "烹饪"), (), (1, 2), "s"),
        Fault("蒸饭柜漏气", "更换门封条", ("烹饪", "厨房"), (), (1, 1.5)),
        Fault("病床摇把坏了，床头摇不起来", "更换摇把", ("病房",), (BED_CRANK,), (0.5, 1), "h"),
        Fault("治疗车轮子卡死", "更换万向轮", ("治疗", "护士站"), (CASTER,), (0.5, 1), "h"),
        Fault("氧气终端漏气", "更换氧气终端", ("病房", "抢救", "ICU"), (OXYGEN_VALVE,), (1, 1.5), "h"),
        Fault("电梯按钮不亮", "更换外呼按钮", ("大厅", "住院处"), (LIFT_BUTTON,), (1, 2), "h"),
        Fault("电梯门关门时有异响", "更换门机滚轮，调整门刀", ("大厅", "住院处"), (LIFT_ROLLER,), (2, 3), "h"),
        Fault("广播没声音", "更换功放保险，紧固线路", ("广播", "教室"), (), (1, 2), "s"),
        Fault("体育器材室篮球架松动", "紧固篮球架底座螺栓", ("体育", "篮球"), (), (1, 2), "s"),
    ),
    "building": (
        Fault("墙皮脱落", "铲除空鼓墙皮，重新刮腻子刷漆", (), (PAINT, MORTAR), (3, 6)),
        Fault("地砖松动翘起", "重新铺贴地砖", (), (TILE, MORTAR), (2, 4)),
        Fault("吊顶板脱落", "更换吊顶板", (), (CEILING_BOARD,), (1, 2)),
        Fault("下雨屋顶漏雨", "清理屋面落叶，修补防水层", (), (WATERPROOF,), (4, 8)),
        Fault("外墙渗水，墙面发霉", "外墙打胶，内墙防霉处理", (), (SEALANT, PAINT), (3, 6)),
        Fault("楼梯扶手松动", "重新固定扶手", (), (), (1, 2)),
        Fault("台阶破损，容易绊倒", "修补台阶", (), (MORTAR,), (2, 4)),
        Fault("操场跑道塑胶起皮", "局部修补塑胶跑道", ("操场",), (), (2, 4), "s"),
        Fault("围墙墙砖掉落", "重新砌筑修补", ("绿地", "操场", "停车"), (MORTAR,), (3, 6), "s"),
    ),
    "other": (
        Fault("课桌椅松动", "紧固课桌椅螺丝", ("教室",), (DESK_SCREW,), (0.5, 1.5), "s"),
        Fault("课桌桌面开裂", "更换课桌面板", ("教室",), (DESK_BOARD, DESK_SCREW), (0.5, 1), "s"),
        Fault("椅子脚垫掉了，拖地声音大", "更换椅子脚垫", ("教室",), (CHAIR_PAD,), (0.5, 1), "s"),
        Fault("黑板松动", "加固黑板挂件", ("教室",), (), (1, 2), "s"),
        Fault("文件柜门掉了", "重新安装柜门合页", ("办公",), (HINGE,), (0.5, 1)),
        Fault("宣传栏玻璃碎了", "更换玻璃", (), (GLASS,), (1, 1.5)),
        Fault("办公桌抽屉拉不开", "更换抽屉滑轨", ("办公",), (), (0.5, 1)),
        Fault("候诊椅坏了一个座位", "更换座椅螺丝和座板", ("大厅", "输液", "诊室"), (), (0.5, 1.5), "h"),
        Fault("挂号窗口台面松动", "重新固定台面", ("挂号", "药房"), (), (1, 1.5), "h"),
        Fault("床帘轨道卡住拉不动", "更换床帘滑轮", ("病房",), (), (0.5, 1), "h"),
    ),
}

# 开学 preparation (the last ten days of August): classrooms checked before the children come back.
TERM_START_FAULTS: dict[str, tuple[Fault, ...]] = {
    "door_window": (
        Fault("开学前检查：{place}门锁损坏", "更换门锁", ("教室",), (LOCK,), (0.5, 1)),
        Fault("开学前检查：{place}窗户推不动", "更换滑轮，润滑窗轨", ("教室",), (WINDOW_ROLLER,), (0.5, 1.5)),
        Fault("开学前检查：{place}纱窗破损", "更换纱窗", ("教室",), (SCREEN,), (0.5, 1)),
    ),
    "other": (
        Fault("开学前检查：{place}课桌椅有6套松动", "逐套紧固课桌椅", ("教室",), (DESK_SCREW,), (1, 2)),
        Fault("开学前检查：{place}讲台抽屉损坏", "修复讲台抽屉", ("教室",), (), (0.5, 1)),
    ),
    "electric": (
        Fault("开学前检查：{place}灯管不亮", "更换LED灯管", ("教室",), (LED_TUBE,), (0.5, 1)),
        Fault("开学前检查：{place}吊扇调速器失灵", "更换调速开关", ("教室",), (SWITCH,), (0.5, 1)),
    ),
    "network": (
        Fault(
            "开学前检查：{place}一体机上不了网", "重做水晶头，更换网络模块", ("教室",), (RJ45, PANEL_MODULE), (0.5, 1)
        ),
        Fault("开学前检查：{place}投影仪画面偏色", "更换VGA/HDMI线", ("教室",), (HDMI,), (0.5, 1)),
    ),
}

# Season by month: category weights added to the base (school: 暖气 in winter, 空调 in summer, rain in 6–8).
BASE_WEIGHTS = {
    "s": {"water": 18, "electric": 22, "hvac": 5, "door_window": 16, "network": 9, "equipment": 8, "building": 8,
          "other": 14},
    "h": {"water": 20, "electric": 22, "hvac": 10, "door_window": 10, "network": 10, "equipment": 14, "building": 6,
          "other": 8},
}  # fmt: skip
WINTER = (11, 12, 1, 2, 3)
SUMMER = (6, 7, 8, 9)
RAINY = (6, 7, 8)
HVAC_WINTER = {"s": 24, "h": 20}
HVAC_SUMMER = {"s": 8, "h": 18}
RAIN_EXTRA = {"water": 10, "building": 10}

HOLD_REASONS = (
    "等配件：阀芯型号需订购",
    "等配件：空调电容已下单",
    "等配件：门锁型号不常见，需订购",
    "等厂家上门检修",
    "等配件：交换机到货后安装",
)
REJECT_REASONS = (
    "重复报修，已有工单在处理",
    "个人物品，不属于后勤维修范围",
    "电脑软件问题，请联系信息中心",
    "已在定期检修计划中安排",
)
CANCEL_REASONS = (
    "报修人已自行处理",
    "误报，现场检查设备正常",
    "报修位置填错，已重新报修",
    "设备已列入更新计划，不再维修",
)
REOPEN_REASONS = ("还是漏水", "灯管又不亮了", "门锁还是打不开", "空调仍不制冷", "修完第二天又坏了", "下水还是很慢")
# Rating → comments people leave (empty: no comment).
COMMENTS = {
    5: ("", "", "", "师傅来得很快，谢谢！", "修得很好", "处理及时，点赞"),
    4: ("", "", "修好了，就是等的时间有点长", "可以"),
    3: ("来得比较慢", "修好了，但现场没清理", "第二天才来"),
    2: ("拖了三天才来修", "第二次才修好", "维修后地上全是灰，没人收拾"),
    1: ("报修一周才处理，影响上课", "修完第二天又坏了，态度也不好"),
}
# Damage by a person (人为损坏), for the categories where people break things: (words, by a colleague?). Only a
# colleague is a member who can be asked for compensation; pupils and visitors are not.
DAMAGE_CATEGORIES = ("door_window", "other", "equipment")
DAMAGE_REASONS = {
    "s": (("学生打闹踢坏", False), ("学生推搡撞坏", False), ("课间追跑撞坏", False), ("搬运器材时碰坏", True)),
    "h": (("推床撞坏", True), ("家属情绪激动踢坏", False), ("搬运设备时碰坏", True), ("患者不慎撞坏", False)),
}
