"""The error document every service answers with: RFC 9457 problem details
(``application/problem+json``), as ``services.runtime.problems`` writes them. The gateway's OpenAPI
document describes every error response with this model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """一个字段的错误（不回显提交的值）。"""

    model_config = ConfigDict(title="FieldError")

    field: str = Field(description="出错的位置，例如 `body.planned_on`、`query.limit`、`path.person_ref`")
    message: str = Field(description="中文说明")
    type: str = Field(description="错误类型（机器可读）")


class Problem(BaseModel):
    """错误响应（RFC 9457 problem details）。"""

    model_config = ConfigDict(title="Problem")

    type: str = Field(description="问题类型的 URI，以 `code` 结尾")
    title: str = Field(description="中文标题")
    status: int = Field(description="HTTP 状态码")
    code: str = Field(description="稳定的机器可读代码，例如 `validation_failed`、`insufficient_scope`")
    detail: str | None = Field(default=None, description="中文说明")
    instance: str | None = Field(default=None, description="出错请求的路径")
    errors: list[FieldError] | None = Field(default=None, description="逐字段的错误（校验失败时）")
