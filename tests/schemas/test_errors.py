"""Chinese validation messages for API responses."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from schemas.errors import chinese_errors
from schemas.events.registration import JobseekerRegistered
from tests.schemas.samples import SAMPLES

JOBSEEKER = next(s for s in SAMPLES if isinstance(s, JobseekerRegistered))


def messages(**changes: Any) -> dict[str, str]:
    document = {k: v for k, v in {**JOBSEEKER.model_dump(mode="json"), **changes}.items() if v is not ...}
    with pytest.raises(ValidationError) as caught:
        JobseekerRegistered.model_validate_json(orjson.dumps(document))
    errors = chinese_errors(caught.value)
    assert all("input" not in e and "url" not in e for e in errors)
    return {".".join(map(str, e["loc"])): e["msg"] for e in errors}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"age": ...}, {"age": "缺少必填字段"}, id="missing"),
        pytest.param({"name": "张三"}, {"name": "不允许的字段"}, id="unknown field"),
        pytest.param({"gender": "3"}, {"gender": "取值须为以下代码之一：'0', '1', '2', '9'"}, id="enum"),
        pytest.param({"age": "30"}, {"age": "须为整数"}, id="string for integer"),
        pytest.param(
            {"registered_on": "2025-02-30"}, {"registered_on": "须为日期（YYYY-MM-DD）"}, id="bad date"
        ),
        pytest.param({"desired_salary_min": -5}, {"desired_salary_min": "不得小于0"}, id="negative"),
        pytest.param(
            {"skills": [{"name": "", "level": 6}]},
            {"skills.0.name": "长度不得少于1个字符", "skills.0.level": "不得大于5"},
            id="nested",
        ),
        pytest.param({"person_ref": "ABC"}, {"person_ref": "格式不正确"}, id="pattern"),
        pytest.param({"age": 15}, {"age": "年龄须在16周岁至法定退休年龄之间"}, id="domain rule kept"),
        pytest.param({"street_code": "120111999"}, {"street_code": "未知的街镇代码"}, id="street kept"),
    ],
)
def test_chinese_errors(changes: dict[str, Any], expected: dict[str, str]) -> None:
    assert messages(**changes) == expected
