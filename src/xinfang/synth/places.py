"""A unit's local geography and offices: townships, departments, size."""

from __future__ import annotations

import numpy as np

from xinfang.reference import Unit
from xinfang.synth.frame import lookup

_TOWN_STEMS = (
    "城关",
    "东关",
    "西关",
    "南庄",
    "北郊",
    "王屯",
    "李村",
    "张庄",
    "赵堡",
    "柳林",
    "桃园",
    "杨庄",
    "大王",
    "小董",
    "河口",
    "新集",
    "清化",
    "龙泉",
    "白马",
    "黄岭",
    "石井",
    "青龙",
    "马营",
    "谷旦",
    "城北",
    "城南",
    "安乐",
    "太平",
    "永安",
    "兴隆",
    "三阳",
    "五里",
    "七贤",
    "槐树",
    "西陶",
    "东岭",
)
_STREET_STEMS = (
    "人民路",
    "解放路",
    "建设路",
    "文化路",
    "民主路",
    "新华",
    "光明",
    "朝阳",
    "和平",
    "东方红",
    "中原",
    "健康路",
    "焦东",
    "太行",
    "百间房",
    "站前",
)

#: The county department answering for a first-level class (the rest go to township governments).
DEPARTMENTS: dict[str, str] = {
    "农村农业": "农业农村局", "自然资源": "自然资源局", "城乡建设": "住房和城乡建设局",
    "劳动和社会保障": "人力资源和社会保障局", "卫生健康": "卫生健康委员会", "教育": "教育局",
    "经济管理": "发展和改革委员会", "市场监管": "市场监督管理局", "交通运输": "交通运输局",
    "民政与应急": "民政局", "政法": "公安局", "军队事务": "退役军人事务局",
    "科技与信息产业": "工业和信息化局", "生态环境": "生态环境分局", "文体旅游": "文化广电和旅游局",
    "党务政务": "人民政府办公室", "组织人事": "委组织部", "纪检监察": "纪委监委", "其他": "信访局",
    "房地产": "住房和城乡建设局", "征地拆迁": "自然资源局", "双拖欠": "人力资源和社会保障局",
    "问题楼盘": "住房和城乡建设局",
}  # fmt: skip


def townships(rng: np.random.Generator, unit: Unit) -> np.ndarray:
    """9-14 townships; districts have more 街道 than 乡镇."""
    n = int(rng.integers(9, 15))
    n_streets = n * 2 // 3 if unit.name.endswith("区") else int(rng.integers(1, 4))
    streets = [s + "街道" for s in rng.choice(_STREET_STEMS, n_streets, replace=False)]
    towns = rng.choice(_TOWN_STEMS, n - n_streets, replace=False)
    rural = [t + ("乡" if rng.random() < 0.3 else "镇") for t in towns]
    return np.array(streets + rural, dtype=object)


def township_office(township: np.ndarray) -> np.ndarray:
    """The government of a township: ``XX镇人民政府`` / ``XX街道办事处``."""
    suffix = np.where(np.char.endswith(township.astype(str), "街道"), "办事处", "人民政府")
    return np.char.add(township.astype(str), suffix).astype(object)


def departments(unit: Unit, classes: np.ndarray) -> np.ndarray:
    """The responsible county department of each class: ``孟州市自然资源局``."""
    names = {c: f"{unit.name}{d}" for c, d in DEPARTMENTS.items()}
    names["组织人事"] = f"中共{unit.name}委组织部"
    return lookup(classes, names)


def monthly_items(rng: np.random.Generator, unit: Unit) -> float:
    """Petition items a month: districts 55-95, counties 90-170, county-level cities 110-195."""
    low, high = {"区": (55, 95), "旗": (50, 90), "市": (110, 195)}.get(unit.name[-1], (90, 170))
    return float(rng.uniform(low, high))
