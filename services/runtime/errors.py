"""How the platform's work fails (plain exceptions, no web or broker library: domain rules raise them).

A request: :class:`ProblemError`, which ``problems.py`` turns into an RFC 9457 problem document.

An event, in the two ways arroyo separates:

- :class:`PoisonEvent`: this event can never be processed (it contradicts its contract or the
  state it refers to). It goes to ``leye.deadletter`` and processing continues.
- anything else: the world is broken for now (ClickHouse down, disk full, a bug). The batch is
  retried with back-off and never acknowledged until it succeeds.
"""

from __future__ import annotations


class PoisonEvent(Exception):  # noqa: N818 - the name says what the event is, as in arroyo
    """Raised by a handler for one event that must be dead-lettered."""

    def __init__(self, event_id: str, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.event_id, self.code, self.message = event_id, code, message


class DeadLetterLimitExceeded(Exception):  # noqa: N818
    """Too many consecutive messages were dead-lettered: stop instead of draining a topic into the DLQ."""


# Chinese titles for the statuses the platform returns.
TITLES: dict[int, str] = {
    400: "请求格式错误",
    401: "未认证或令牌无效",
    403: "无权访问",
    404: "资源不存在",
    405: "不支持的请求方法",
    409: "状态冲突",
    413: "请求体过大",
    415: "不支持的内容类型",
    422: "请求参数校验失败",
    429: "请求过于频繁",
    500: "服务内部错误",
    502: "上游服务错误",
    503: "服务暂不可用",
    504: "上游服务响应超时",
}
CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_failed", 429: "rate_limited", 500: "internal_error", 502: "bad_gateway", 503: "unavailable",
    504: "gateway_timeout",
}


class ProblemError(Exception):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or code or str(status))
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.title = title or TITLES.get(status, "请求失败")
        self.detail = detail
        self.errors = errors
        self.headers = headers


def validation_detail(errors: list[dict[str, str]]) -> str:
    """A problem's ``detail`` for invalid input: one sentence naming the first field and its fault,
    and how many more ``errors`` lists."""
    if not errors:
        return TITLES[422]
    first = f"{errors[0]['field']}：{errors[0]['message']}"
    return first if len(errors) == 1 else f"{first}（另有 {len(errors) - 1} 处错误，见 errors）"
