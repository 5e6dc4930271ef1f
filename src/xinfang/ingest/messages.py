"""Every message ingestion gives a county clerk: stable rule ids, severities, Chinese templates.

A cell message reads ``<单位> <文件名> 第 <行> 行「<表头>」<值> <规则>``, e.g.
``孟州市 台账.xlsx 第 37 行「办结日期」2025-02-30 不是有效日期``: the row as the clerk sees it
in Excel, the header as written in the file, the value as written (personal data masked). A
file message says what is wrong with the whole file and how to fix it. Errors reject the
submission whole; warnings let it through. Later gates add their problems through
:class:`Problems` (or :meth:`ParsedSubmission.with_messages`), and the outcome follows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from xinfang.idnumber import mask as mask_id
from xinfang.idnumber import mask_pii

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    template: str  # str.format fields: unit, file, where, value and the rule's own
    label: str = ""  # a cell rule's name, for the message counting the cells not listed


@dataclass(frozen=True)
class Message:
    severity: Severity
    rule: str
    source_row: int | None  # Excel row as the clerk sees it; None for a file message
    column_header: str | None  # as written in the file
    value: str | None  # as written, personal data masked
    message: str


_FILE = "{unit} {file} "
_RETRY = "后重新报送。"
_RULES = (
    # The file as a whole (checked before, or instead of, reading it).
    Rule("unit.unknown", "error",
         _FILE + "所在目录「{unit}」不是已登记的报送单位代码。请放入本单位 6 位行政区划代码目录"
         + _RETRY),
    Rule("file.unsafe_name", "error",
         _FILE + "文件名含有不允许的字符（“..”、斜杠、反斜杠或控制字符），已拒收。请更改文件名"
         + _RETRY),
    Rule("file.symlink", "error",
         _FILE + "是快捷方式（符号链接），不是台账文件本身，已拒收。请放入台账文件本身" + _RETRY),
    Rule("file.not_regular", "error",
         _FILE + "不是普通文件，已拒收。请放入台账文件本身" + _RETRY),
    Rule("file.empty", "error", _FILE + "是空文件（0 字节）。请检查文件内容" + _RETRY),
    Rule("file.too_large", "error",
         _FILE + "大小为 {size_mb} MB，超过 {limit_mb} MB 的上限。请删除无关的工作表和图片"
         + _RETRY),
    Rule("file.unsupported", "error",
         _FILE + "不是可接收的文件格式。请另存为 .xlsx、.xls 或 .csv 格式" + _RETRY),
    Rule("file.zip_bomb", "error",
         _FILE + "解压后大小异常（{uncompressed_mb} MB，压缩比 {ratio}:1），已拒收。"
         "请用 Excel 打开后另存为 .xlsx 文件" + _RETRY),
    Rule("file.encrypted", "error", _FILE + "文件已加密，无法读取。请取消密码保护" + _RETRY),
    Rule("file.unreadable", "error",
         _FILE + "文件已损坏或不是有效的 Excel/CSV 文件，无法读取。请用 Excel 打开检查并另存"
         + _RETRY),
    Rule("csv.encoding", "error",
         _FILE + "无法识别文字编码。请另存为 UTF-8 或 GBK 编码的 CSV 文件" + _RETRY),
    Rule("header.not_found", "error",
         _FILE + "前 {scan_rows} 行内未找到台账表头（信访事项登记台账、矛盾纠纷排查台账或"
         "信访积案台账的必填列）。请使用统一的台账模板" + _RETRY),
    Rule("header.missing", "error",
         _FILE + "按{ledger}读取，缺少必填列「{header}」。请补齐该列" + _RETRY),
    Rule("file.no_rows", "warning", _FILE + "表头下没有数据行，按空台账登记。"),
    Rule("errors.more", "error",
         "{unit} {file}「{header}」另有 {count} 行{label}，未逐条列出。请一并更正" + _RETRY),
    Rule("warnings.more", "warning",
         "{unit} {file}「{header}」另有 {count} 行{label}，未逐条列出。"),
    # One cell (``where`` = unit, file, row and header).
    Rule("cell.required", "error", "{where}为空，此项为必填项", "必填项为空"),
    Rule("cell.formula", "error", "{where}含有公式，请将公式粘贴为数值后重新报送", "含有公式"),
    Rule("date.invalid", "error", "{where}{value} 不是有效日期", "不是有效日期"),
    Rule("date.future", "error", "{where}{value} 晚于报送日期 {received_on}", "晚于报送日期"),
    Rule("persons.not_positive", "error", "{where}{value} 不是正整数", "不是正整数"),
    Rule("money.invalid", "error", "{where}{value} 不是有效金额", "不是有效金额"),
    Rule("money.negative", "error", "{where}{value} 不能为负数", "金额为负数"),
    Rule("bool.invalid", "error", "{where}{value} 不是有效的是否值（可填：是、否）",
         "不是有效的是否值"),
    Rule("enum.invalid", "error", "{where}{value} 不是规定的选项（可填：{allowed}）",
         "不是规定的选项"),
    Rule("category.invalid", "error", "{where}{value} 不是规定的内容分类（{allowed}）",
         "不是规定的内容分类"),
    Rule("key.duplicate", "error",
         "{where}{value} 与第 {first_row} 行重复，编号在本台账内不得重复", "编号重复"),
    Rule("id.invalid", "warning",
         "{where}{value} 不是有效的公民身份号码（{reason}），已按无证件号码处理",
         "不是有效的公民身份号码"),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

#: Why an ID number is invalid, by the problem codes of :mod:`xinfang.ingest.identity`.
ID_REASONS = {
    "format": "应为 18 位",
    "province": "前两位不是有效的省级代码",
    "birth_date": "出生日期无效",
    "check_digit": "校验码错误",
}

_MAX_VALUE = 60
#: Cell messages listed per rule and column; beyond that, one message counts the rest.
MAX_LISTED = 1000


def display(text: str) -> str:
    """Text for a message: control characters made visible, long values cut."""
    shown = "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text.strip()
    )
    return shown if len(shown) <= _MAX_VALUE else shown[: _MAX_VALUE - 1] + "…"


class Problems:
    """The messages of one submission, in the order found; errors decide the outcome."""

    def __init__(self, unit: str, file_name: str) -> None:
        self.unit = unit
        self.file = display(file_name)
        self._listed: list[Message] = []
        self._seen: dict[tuple[str, str], int] = {}
        self._unlisted: dict[tuple[str, str], int] = {}

    @property
    def messages(self) -> list[Message]:
        """Every message, then one per rule and column counting the cells not listed."""
        more = []
        for (rule_id, header), count in self._unlisted.items():
            rule = RULES[rule_id]
            summary = RULES["errors.more" if rule.severity == "error" else "warnings.more"]
            text = summary.template.format(
                unit=self.unit, file=self.file, header=header, count=count, label=rule.label
            )
            more.append(Message(summary.severity, summary.id, None, header, None, text))
        return [*self._listed, *more]

    def file_problem(self, rule_id: str, **fields: object) -> None:
        rule = RULES[rule_id]
        text = rule.template.format(unit=self.unit, file=self.file, **fields)
        self._listed.append(Message(rule.severity, rule.id, None, None, None, text))

    def cell_problem(
        self,
        rule_id: str,
        row: int,
        header: str,
        value: str | None,
        *,
        personal: bool = False,
        **fields: object,
    ) -> None:
        """A problem of one cell; ``personal`` values (ID numbers) are shown masked."""
        rule = RULES[rule_id]
        seen = self._seen.get((rule_id, header), 0) + 1
        self._seen[(rule_id, header)] = seen
        if seen > MAX_LISTED:
            self._unlisted[(rule_id, header)] = seen - MAX_LISTED
            return
        shown = None
        if value is not None and value.strip():
            shown = mask_id(value.strip()) if personal else mask_pii(display(value))
        where = f"{self.unit} {self.file} 第 {row} 行「{header}」"
        text = rule.template.format(where=where, value=shown or "", **fields)
        self._listed.append(Message(rule.severity, rule.id, row, header, shown, text))
