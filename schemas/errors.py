"""Chinese messages for validation errors, for API responses (RFC 9457 per-field errors).

Rules specific to this domain already raise Chinese messages (``PydanticCustomError``); pydantic's own
shape errors (missing field, wrong type, out of range, ...) are in English. ``chinese_errors``
translates those, keeps the Chinese ones, and drops the input values, which may be personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_DATE = "须为日期（YYYY-MM-DD）"
_DATETIME = "须为带时区的时间（RFC 3339，如 2025-01-31T09:00:00+08:00）"

_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "frozen_instance": "不可修改",
    "is_instance_of": "类型不正确",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "dict_type": "须为对象",
    "list_type": "须为数组",
    "string_type": "须为字符串",
    "bool_type": "须为布尔值",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限数字",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "timezone_aware": "时间须带时区",
    "enum": "取值须为以下代码之一：{expected}",
    "literal_error": "取值须为：{expected}",
    "string_pattern_mismatch": "格式不正确",
    "string_too_short": "长度不得少于{min_length}个字符",
    "string_too_long": "长度不得超过{max_length}个字符",
    "too_short": "至少须有{min_length}项",
    "too_long": "最多只能有{max_length}项",
    "greater_than": "须大于{gt}",
    "greater_than_equal": "不得小于{ge}",
    "less_than": "须小于{lt}",
    "less_than_equal": "不得大于{le}",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON 文本",
}
_FALLBACK = "输入无效"


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _context(error: ErrorDetails) -> dict[str, Any]:
    ctx = dict(error.get("ctx", {}))
    if "expected" in ctx:  # pydantic phrases alternatives as "'a', 'b' or 'c'"
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    return ctx


def chinese_errors(exc: ValidationError) -> list[ErrorDetails]:
    """``exc.errors()`` with every ``msg`` in Chinese and without ``input`` or ``url``.

    Messages that are already Chinese (the domain rules) are kept; known pydantic types are
    translated; anything else becomes "输入无效" rather than leaking an English message.
    """
    return translate_errors(exc.errors(include_url=False, include_input=False))


def translate_errors(errors: Iterable[ErrorDetails]) -> list[ErrorDetails]:
    """:func:`chinese_errors` for error dicts already taken out of an exception (e.g. FastAPI's
    ``RequestValidationError.errors()``); ``input``, ``url`` and ``ctx`` values are dropped."""
    translated: list[ErrorDetails] = []
    for raw in errors:
        error = cast(ErrorDetails, {k: v for k, v in raw.items() if k not in ("input", "url")})
        template = _MESSAGES.get(error["type"])
        if template is not None:
            error["msg"] = template.format_map(_context(error))
        elif not _is_chinese(error["msg"]):
            error["msg"] = _FALLBACK
        error.pop("ctx", None)
        translated.append(error)
    return translated
