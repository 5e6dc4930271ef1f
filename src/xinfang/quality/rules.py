"""The quality rules: a stable id, a severity and the clerk's message for each.

Every expectation of every suite names one of these rules in its ``meta``; the suites carry the
severity and the message templates with them (``expectations/expectations/*.json``), so the files
an auditor reads say exactly what the gate enforces. Templates use ``str.format`` fields:
``header``/``value`` (the reported column and its value as the clerk wrote it, personal data
masked), ``other_header``/``other_value`` (the column it is compared with), ``allowed``,
``aliases``, ``received_on``, ``earliest``, ``other_rows``, ``key_header``, ``key``, ``count``,
``keys``, ``previous_count``, ``previous_date``, ``drop_pct``. A fix may use ``header`` only,
so it can be told from a stored message (:func:`fix_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

Severity = Literal["error", "warning"]
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告"}
OUTCOME_ZH: dict[str, str] = {"accepted": "通过", "held": "暂缓（待审核）", "rejected": "退回"}
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Dates before this day are typing errors (a ledger date of 1925 for 2025).
EARLIEST_DATE = "1980-01-01"
#: A submission with fewer rows than this share of the previous one is held for an operator.
HOLD_BELOW_SHARE = (1, 2)  # more than 50 % fewer rows
#: ... and rejected below this share.
REJECT_BELOW_SHARE = (1, 10)  # more than 90 % fewer rows


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message_zh: str
    #: How to fix it; may name the column as ``{header}``.
    fix_zh: str
    #: A failed warning that holds the submission until an operator accepts it.
    hold: bool = False

    def meta(self, **extra: str) -> dict[str, object]:
        """The expectation ``meta`` naming this rule (``subject``/``other`` name columns)."""
        meta: dict[str, object] = {
            "rule": self.id,
            "severity": self.severity,
            "message_zh": self.message_zh,
            "fix_zh": self.fix_zh,
        }
        if self.hold:
            meta["hold"] = True
        return meta | extra


_RULES = (
    Rule("column.missing", "error", "缺少必填列「{header}」（可用表头：{aliases}）",
         "请使用统一的台账模板，补齐该列后重新报送"),
    Rule("value.required", "error", "「{header}」为空，该项为必填项", "请补填「{header}」"),
    Rule("enum.domain", "error", "「{header}」“{value}”不是规定的取值（应为：{allowed}）",
         "请按规定的取值填写「{header}」"),
    Rule("date.after_submission", "error", "「{header}」{value} 晚于报送日期 {received_on}",
         "请核实日期，不得晚于报送当日"),
    Rule("date.too_early", "error", "「{header}」{value} 早于 {earliest}，疑为录入错误",
         "请核实年份"),
    Rule("date.order", "error", "「{header}」{value} 早于「{other_header}」{other_value}",
         "请核实两项日期的先后"),
    Rule("persons.min", "error", "「{header}」{value} 小于 1", "请填写实际人数，不少于 1 人"),
    Rule("money.min", "error", "「{header}」{value} 为负数", "金额不得为负数，请核实"),
    Rule("key.unique", "error", "「{header}」{value} 重复（同见第 {other_rows} 行）",
         "同一台账内编号不得重复，请合并或更正重复的行"),
    Rule("category.unknown", "error", "「{header}」“{value}”的一级分类不在规定的内容分类中",
         "一级分类应为规定的 19 类内容分类之一（矛盾纠纷排查台账还可填房地产、征地拆迁、"
         "双拖欠、问题楼盘）；旧分类名称可照常填写"),
    Rule("status.resolved_on_missing", "error",
         "「{other_header}」为“{other_value}”，但「{header}」为空",
         "已化解、已终结的须填写「{header}」"),
    Rule("status.resolved_on_unexpected", "error",
         "「{header}」{value} 已填写，但「{other_header}」为“{other_value}”",
         "尚未化解的请删除「{header}」；已化解的请更正化解状态"),
    Rule("id.format", "warning", "「{header}」{value} 不是 18 位公民身份号码",
         "请按 18 位公民身份号码填写（末位可为 X）；无法核实的可留空"),
    Rule("id.province", "warning", "「{header}」{value} 前两位不是有效的省级行政区划代码",
         "请核对证件号码；无法核实的可留空"),
    Rule("id.birth_date", "warning", "「{header}」{value} 中的出生日期无效",
         "请核对证件号码第 7—14 位；无法核实的可留空"),
    Rule("id.check_digit", "warning", "「{header}」{value} 校验码错误",
         "请核对证件号码；无法核实的可留空"),
    Rule("submission.row_drop_hold", "warning",
         "本次报送 {count} 行，比上次报送（{previous_date}）的 {previous_count} 行减少 "
         "{drop_pct}%，已暂缓入库，待审核确认",
         "如确属台账调整，请向市信访局说明原因，审核确认后入库；如为漏报，请补全后重新报送",
         hold=True),
    Rule("submission.row_drop_reject", "error",
         "本次报送 {count} 行，比上次报送（{previous_date}）的 {previous_count} 行减少 "
         "{drop_pct}%，超过 90%",
         "请核实是否报错了文件或漏报了记录，补全后重新报送"),
    Rule("submission.keys_vanished", "warning",
         "与上次报送（{previous_date}）相比，缺少 {count} 条记录：{keys}",
         "台账应报送全部在册记录；缺少的记录仍按上次报送的内容保留"),
    Rule("submission.registration_date_changed", "warning",
         "「{header}」由上次报送的 {other_value} 改为 {value}（{key_header} {key}）",
         "登记日期一经报送不应更改，如确需更正请说明原因"),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


#: How to fix a problem no rule here describes (e.g. one of ingestion's).
GENERIC_FIX = "请按台账报送规范更正后重新报送"


def fix_for(rule_id: str, header: str | None) -> str:
    """How the clerk fixes a problem of ``rule_id`` in the column ``header``."""
    rule = RULES.get(rule_id)
    return rule.fix_zh.format(header=header or "该列") if rule else GENERIC_FIX
