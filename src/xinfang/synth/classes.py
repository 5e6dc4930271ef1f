"""Content classes (内容分类) weighted like a county bureau's, written as clerks write them."""

from __future__ import annotations

import numpy as np

from xinfang.schema import CATEGORY_CROSSWALK

#: Share of petition items by first-level class (城乡建设, 劳动和社会保障, 自然资源, 农村农业 lead).
PETITION_WEIGHTS: dict[str, float] = {
    "城乡建设": 21.0, "劳动和社会保障": 15.5, "自然资源": 13.5, "农村农业": 12.0, "政法": 7.5,
    "民政与应急": 5.0, "卫生健康": 4.0, "教育": 3.5, "经济管理": 3.0, "市场监管": 2.8,
    "纪检监察": 2.5, "交通运输": 2.2, "生态环境": 2.2, "组织人事": 1.3, "党务政务": 1.2,
    "军队事务": 1.0, "文体旅游": 0.5, "科技与信息产业": 0.3, "其他": 1.0,
}  # fmt: skip

#: Share of screened risks: the special domains come up next to the lead classes.
RISK_WEIGHTS: dict[str, float] = {
    **{c: w * 0.7 for c, w in PETITION_WEIGHTS.items()},
    "征地拆迁": 9.0,
    "房地产": 7.0,
    "双拖欠": 6.0,
    "问题楼盘": 5.0,
}

#: Backlog cases are the long, hard ones: land, housing and pensions dominate.
BACKLOG_WEIGHTS: dict[str, float] = {
    "城乡建设": 24.0,
    "自然资源": 22.0,
    "劳动和社会保障": 18.0,
    "农村农业": 14.0,
    "政法": 12.0,
    "民政与应急": 4.0,
    "军队事务": 3.0,
    "卫生健康": 3.0,
}

#: Second and third levels (``二级_三级``) a clerk appends to the first.
SUBCLASSES: dict[str, tuple[str, ...]] = {
    "城乡建设": ("住房保障和房地产_物业管理", "住房保障和房地产_房屋质量",
             "住房保障和房地产_不动产登记", "城市建设和市政管理_拆迁安置",
             "城市建设和市政管理_市容环卫", "村镇建设_农村危房改造", "建筑市场_拖欠工程款"),
    "劳动和社会保障": ("劳动保障_拖欠农民工工资", "社会保险_养老保险", "社会保险_医疗保险",
                "社会保险_工伤保险", "劳动关系_劳动合同", "就业培训_就业援助"),
    "自然资源": ("土地_征收补偿", "土地_违法占地", "土地_确权登记", "矿产资源_采煤塌陷",
             "林业_林地纠纷"),
    "农村农业": ("农村集体经济_集体资产管理", "农村土地承包_承包经营权", "农村土地承包_土地流转",
             "农村基层组织_村务公开", "惠农政策_补贴发放"),
    "政法": ("公安_治安管理", "法院_执行难", "法院_诉讼程序", "检察_法律监督", "司法行政_法律援助"),
    "民政与应急": ("社会救助_低保", "社会救助_特困供养", "殡葬管理_公墓", "应急管理_安全生产"),
    "卫生健康": ("医疗服务_医患纠纷", "医疗保障_报销", "计划生育_奖励扶助"),
    "教育": ("学前教育_入园", "义务教育_入学", "教师队伍_待遇"),
    "经济管理": ("国有企业_改制遗留", "金融_非法集资", "财税_涉企收费"),
    "市场监管": ("食品安全_餐饮", "消费维权_预付卡", "价格监管_收费"),
    "纪检监察": ("基层干部_作风问题", "基层干部_侵害群众利益"),
    "交通运输": ("道路建设_占地补偿", "运输管理_出租车"),
    "生态环境": ("大气污染_企业排放", "噪声污染_施工噪声", "水污染_排污"),
    "组织人事": ("人事管理_工资待遇", "干部管理_选拔任用"),
    "党务政务": ("政务服务_办事效率", "政府信息公开_依申请公开"),
    "军队事务": ("退役军人_安置待遇", "退役军人_优抚"),
    "文体旅游": ("文化市场_娱乐场所",),
    "科技与信息产业": ("通信_基站建设",),
    "其他": ("其他_其他",),
}  # fmt: skip

OLD_NAME = {new: old for old, new in CATEGORY_CROSSWALK.items()}


def written(
    rng: np.random.Generator, classes: np.ndarray, *, old_rate: float, full_rate: float
) -> np.ndarray:
    """The class as written: ``一级_二级_三级`` (``full_rate``) or the first level alone, the
    first level under its old 17-class name for a share ``old_rate`` of the classes that had one."""
    n = len(classes)
    first = classes.copy()
    renamed = (rng.random(n) < old_rate) & np.isin(classes, list(OLD_NAME))
    first[renamed] = [OLD_NAME[c] for c in classes[renamed]]
    full = (rng.random(n) < full_rate) & np.isin(classes, list(SUBCLASSES))
    out = first.copy()
    for cls in np.unique(classes[full]):
        rows = np.flatnonzero(full & (classes == cls))
        subs = np.array(SUBCLASSES[cls], dtype=object)
        out[rows] = first[rows] + "_" + subs[rng.integers(0, len(subs), len(rows))]
    return out


def first_level(category: np.ndarray) -> np.ndarray:
    """``category_l1`` as ingestion derives it: the first level, old names crosswalked."""
    head = np.array([c.split("_", 1)[0] for c in category], dtype=object)
    old = np.isin(head, list(CATEGORY_CROSSWALK))
    head[old] = [CATEGORY_CROSSWALK[c] for c in head[old]]
    return head
