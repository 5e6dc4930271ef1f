"""The ledger contract of ``shared/spec/ledgers.md`` as data.

One place says what each ledger's columns are called (canonical header and aliases), which field
they load into, their type, whether they are required and which values an enum accepts (with the
aliases clerks write). The generator writes headers from here, ingestion recognises them from
here, and the raw tables' columns are derived from here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal[
    "text", "date", "enum", "bool", "int", "money", "category", "pii_drop", "pii_id"
]
LedgerKind = Literal["petitions", "risks", "backlog"]

#: The 19 first-level content classes (内容分类).
CATEGORIES: tuple[str, ...] = (
    "农村农业", "自然资源", "城乡建设", "劳动和社会保障", "卫生健康", "教育", "经济管理",
    "市场监管", "交通运输", "民政与应急", "政法", "军队事务", "科技与信息产业", "生态环境",
    "文体旅游", "党务政务", "组织人事", "纪检监察", "其他",
)  # fmt: skip

#: Old 17-class names still in use, mapped to the current class.
CATEGORY_CROSSWALK: dict[str, str] = {
    "国土资源": "自然资源",
    "卫生计生": "卫生健康",
    "环境保护": "生态环境",
    "教育文体": "教育",
    "商贸旅游": "文体旅游",
    "民政": "民政与应急",
    "劳动社保": "劳动和社会保障",
}

#: Special domains a risk ledger may name instead of a first-level class.
RISK_DOMAINS: tuple[str, ...] = ("房地产", "征地拆迁", "双拖欠", "问题楼盘")

#: A visit batch with at least this many persons is a collective visit (集体访).
COLLECTIVE_THRESHOLD = 5


def enum(*groups: str | tuple[str, ...]) -> dict[str, str]:
    """Build an alias -> canonical map; a tuple is (canonical, alias, alias, ...)."""
    out: dict[str, str] = {}
    for g in groups:
        names = (g,) if isinstance(g, str) else g
        for name in names:
            out[name] = names[0]
    return out


@dataclass(frozen=True)
class Field:
    name: str
    header: str
    kind: FieldKind
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)  # alias -> canonical, enums only

    @property
    def canonical_values(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.values.values()))

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def stored(self) -> bool:
        """Whether the field reaches the warehouse (names and phones never do)."""
        return self.kind != "pii_drop"

    @property
    def column(self) -> str:
        """The warehouse column: the ID number is stored only as its pseudonym."""
        return "person_key" if self.kind == "pii_id" else self.name


@dataclass(frozen=True)
class Ledger:
    kind: LedgerKind
    title: str  # e.g. 信访事项登记台账
    key: str  # field name of the row key, unique within a unit
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


ASSIGNED_BY = ("中央巡视", "省委巡视", "国家信访局", "省信访局", "市信访局")
CATEGORY_HELP = "一级_二级_三级 或一级分类"

PETITIONS = Ledger(
    kind="petitions",
    title="信访事项登记台账",
    key="item_id",
    fields=(
        Field("item_id", "信访件编号", "text", True, ("件号", "编号")),
        Field("registered_on", "登记日期", "date", True, ("信访日期", "来访日期")),
        Field("channel", "信访形式", "enum", True, ("来源形式",), enum(
            "来信", ("走访", "来访"), ("网上信访", "网信", "手机信访", "微信信访", "领导信箱"),
            ("电话", "电话信访"))),
        Field("level", "登记层级", "enum", True, ("登记机构层级", "走访层级"), enum(
            ("国家", "进京", "赴京", "国家信访局"), ("省", "到省", "赴省"), ("市", "到市"),
            ("县", "到县", "在县", "乡镇"))),
        Field("persons", "信访人数", "int", True, ("人数",)),
        Field("name", "信访人姓名", "pii_drop", False, ("姓名",)),
        Field("id_number", "证件号码", "pii_id", False, ("身份证号", "身份证号码")),
        Field("phone", "联系电话", "pii_drop", False, ("手机号码", "电话号码")),
        Field("township", "问题属地", "text", False, ("属地", "乡镇")),
        Field("category", "内容分类", "category", True),
        Field("purpose", "信访目的", "enum", False, (), enum(
            "求决", "申诉", "揭发控告", "意见建议", "其他")),
        Field("is_first", "是否初次信访", "bool", True, ("是否全国初次信访", "初信初访")),
        Field("assigned_by", "交办来源", "enum", False, (), enum(*ASSIGNED_BY)),
        Field("leader_reception", "领导接访", "enum", False, (), enum("市级", "县级", "乡科级")),
        Field("acceptance", "受理情况", "enum", False, (), enum(
            "待受理", "受理", "不予受理", "不再受理")),
        Field("accepted_on", "受理告知日期", "date", False, ("受理日期",)),
        Field("responsible_unit", "责任单位", "text"),
        Field("extended", "延期", "bool", False, ("是否延期",)),
        Field("concluded_on", "办结日期", "date", False, ("答复日期",)),
        Field("handling", "办理方式", "enum", False, (), enum(
            "直接办理", "调解", "导入法定途径", "其他")),
        Field("mediation_agreement", "是否达成调解协议", "bool", False, ("调解协议",)),
        Field("resolved", "是否化解", "bool"),
        Field("finding", "核查结论", "enum", False, ("是否属实",), enum(
            "属实", "部分属实", "不属实")),
        Field("satisfaction", "评价", "enum", False, ("满意度评价",), enum(
            "满意", "基本满意", "不满意", "未评价")),
        Field("review_stage", "复查复核", "enum", False, (), enum("复查", "复核", "终结")),
        Field("review_concluded_on", "复查复核办结日期", "date"),
        Field("enforcement", "依法处置", "enum", False, (), enum(
            "刑事强制措施", "行政拘留", "警告", "罚款", "批评教育")),
    ),
)  # fmt: skip

RISKS = Ledger(
    kind="risks",
    title="矛盾纠纷排查台账",
    key="risk_id",
    fields=(
        Field("risk_id", "隐患编号", "text", True, ("排查编号", "编号")),
        Field("found_on", "排查日期", "date", True, ("发现日期",)),
        Field("township", "问题属地", "text"),
        Field("category", "涉及领域", "category", True, ("矛盾类型", "内容分类")),
        Field("risk_level", "风险等级", "enum", True, (), enum(
            ("高", "红", "一级"), ("中", "橙", "二级"), ("低", "黄", "三级"))),
        Field("persons", "涉及人数", "int"),
        Field("key_subject", "重点对象", "enum", False, (), enum("重点人员", "重点群体")),
        Field("escalation_risk", "越级风险", "enum", False, (), enum("进京", "赴省")),
        Field("owner", "包保责任人", "text"),
        Field("responsible_unit", "责任单位", "text"),
        Field("due_on", "化解时限", "date", False, ("办结时限",)),
        Field("status", "化解状态", "enum", True, ("状态",), enum(
            "未化解", "化解中", ("已化解", "已销号"))),
        Field("resolved_on", "化解日期", "date", False, ("销号日期",)),
    ),
)  # fmt: skip

BACKLOG = Ledger(
    kind="backlog",
    title="信访积案台账",
    key="case_id",
    fields=(
        Field("case_id", "积案编号", "text", True, ("案件编号", "编号")),
        Field("item_id", "信访件编号", "text"),
        Field("first_petitioned_on", "首次信访日期", "date", True, ("初访日期",)),
        Field("listed_on", "挂账日期", "date", True, ("列入日期",)),
        Field("assigned_by", "交办来源", "enum", False, (), enum(*ASSIGNED_BY, "本级排查")),
        Field("category", "内容分类", "category", True),
        Field("leader", "包案领导", "text"),
        Field("leader_level", "包案领导级别", "enum", True, (), enum("省级", "市级", "县级")),
        Field("responsible_unit", "责任单位", "text"),
        Field("due_on", "办结时限", "date"),
        Field("status", "化解状态", "enum", True, (), enum("未化解", "化解中", "已化解", "已终结")),
        Field("resolved_on", "化解日期", "date"),
        Field("method", "化解方式", "enum", False, (), enum(
            "法律", "政策", "经济", "行政", "调解", "救助")),
        Field("relief_fund", "信访专项资金（元）", "money"),
        Field("charity_fund", "慈善救助金（元）", "money"),
    ),
)  # fmt: skip

LEDGERS: dict[str, Ledger] = {ledger.kind: ledger for ledger in (PETITIONS, RISKS, BACKLOG)}

#: Lineage columns carried by every raw ledger row, in order.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("submission_id", "VARCHAR"),
    ("unit_code", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("received_at", "TIMESTAMPTZ"),
    ("source_row", "INTEGER"),
)

_SQL_TYPES: dict[FieldKind, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "enum": "VARCHAR",
    "bool": "BOOLEAN",
    "int": "INTEGER",
    "money": "DECIMAL(18,2)",
    "category": "VARCHAR",
    "pii_id": "VARCHAR",
}


def raw_columns(ledger: Ledger) -> list[tuple[str, str]]:
    """The columns of ``raw.<kind>``: lineage, then every stored field in ledger order.

    A ``category`` field is followed by ``category_l1``, its first level after the crosswalk.
    """
    cols = list(LINEAGE_COLUMNS)
    for f in ledger.fields:
        if not f.stored:
            continue
        cols.append((f.column, _SQL_TYPES[f.kind]))
        if f.kind == "category":
            cols.append(("category_l1", "VARCHAR"))
    return cols


def normalise_header(text: str) -> str:
    """Fold a header cell for matching: NFKC (full-width to half-width), no white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())
