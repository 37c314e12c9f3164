"""Request bodies of the services' APIs: ``RequestModel`` and the value types it needs.

FastAPI decodes a JSON body and validates the resulting ``dict`` in pydantic's *Python* mode. A
request model therefore says what its JSON form is, in Python-mode terms:

- ``RequestModel`` is strict and forbids unknown fields: a number is a JSON number (``"5000"`` and
  ``5000.0`` are not integers), a boolean is ``true``/``false`` (not ``"true"`` or ``1``).
- ``Code[E]``: a vocabulary member, given as its code (``"C"``, ``"20"``).
- ``IsoDate`` / ``IsoDatetime``: an ISO 8601 string (a datetime with its offset). JSON has no date
  type, and lax mode would read a number, or a string holding one, as a Unix timestamp: both are
  refused, other strings are parsed as pydantic parses JSON.
- ``IndustryIn``: the shared ``Industry`` from its JSON form. Other shared models without codes or
  dates (``Skill``) are used as they are: strict models accept a ``dict``.

The event contracts (``schemas.events``, ``StrictModel``) are not affected: they stay strict in
Python mode, so producers keep passing enum members and ``date`` objects.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Strict
from pydantic_core import PydanticKnownError

from schemas.fields import Industry


class RequestModel(BaseModel):
    """Base of every request body: strict, unknown fields are errors (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", strict=True)


E = TypeVar("E", bound=Enum)

Code = Annotated[E, Strict(False)]
"""A vocabulary member read from its code (lax enum validation accepts the value, nothing else)."""


def _numeric(text: str) -> bool:
    """Whether pydantic's lax parsing would read ``text`` as Unix time ("0" is 1970-01-01)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _date_text(value: Any) -> Any:
    if isinstance(value, date):  # a date object: a Python caller, not JSON
        return value
    if not isinstance(value, str):
        raise PydanticKnownError("date_type")
    if _numeric(value):
        raise PydanticKnownError("date_parsing", {"error": "a number is not a date"})
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticKnownError("datetime_type")
    if _numeric(value):
        raise PydanticKnownError("datetime_parsing", {"error": "a number is not a time"})
    return value


IsoDate = Annotated[date, Strict(False), BeforeValidator(_date_text)]
"""A date as ``YYYY-MM-DD`` (pydantic's own parsing, as in JSON mode); numbers are refused."""

IsoDatetime = Annotated[AwareDatetime, Strict(False), BeforeValidator(_datetime_text)]
"""A time with its offset, RFC 3339 (``2026-01-05T09:00:00+08:00``); numbers and naive times are refused."""


def _industry_from_json(value: Any) -> Any:
    # Lax validation reads exactly the JSON form here: Industry holds a section code and a string,
    # and lax mode still refuses a number for a string.
    return Industry.model_validate(value, strict=False) if isinstance(value, dict) else value


IndustryIn = Annotated[Industry, BeforeValidator(_industry_from_json)]
"""The shared ``Industry`` (``{"section": "C", "division": "34"}``), its rules included."""
