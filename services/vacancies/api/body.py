"""Request bodies validated in pydantic's JSON mode.

The shared value types (``Industry``, ``Skill``) are strict models: in Python mode they accept only
enum members, so FastAPI's own body parsing (Python mode, on the decoded dict) would reject ``"C"``
for an industry section. ``json_body(Model)`` validates the raw bytes with ``model_validate_json``
instead, which parses codes and ISO dates from their natural JSON form, and reports errors exactly as
FastAPI would (``RequestValidationError`` with ``body.<field>`` locations, values dropped), so the
runtime's problem+json handler translates them and answers 400 for malformed JSON and 422 naming the field otherwise.

``request_body(Model)`` documents the body in OpenAPI; ``app.include_body_schemas`` moves the
nested definitions into ``components/schemas``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
DEFS_KEY = "x-body-defs"


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency returning the request body validated as ``model`` in JSON mode."""

    async def parse(request: Request) -> M:
        try:
            return model.model_validate_json(await request.body())
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)  # values may be personal data
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None

    return parse


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as the JSON request body."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        DEFS_KEY: defs,
    }
