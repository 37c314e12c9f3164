"""The CloudEvents 1.0 envelope every message on the bus uses (JSON structured mode, UTF-8).

Producers call ``new_event(data, source=...)`` and send ``event.to_json()`` with key ``event.key`` to
``event.topic``. Consumers call ``parse_event(message_value)`` and get a ``CloudEvent`` whose ``data``
is the concrete model of its type, or an ``InvalidEvent`` whose ``code`` says what was wrong (a poison
message: dead-letter it, see ``DeadletterRecorded.for_message``).

The envelope is strict: only the attributes below are allowed (no ``dataschema`` and no extension
attributes), ``type`` must be registered, ``subject`` must be the data's aggregate id, and ``time``
always carries the Asia/Shanghai offset (+08:00).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar, Union

import orjson
import uuid_utils
from pydantic import Field, SerializeAsAny, TypeAdapter, ValidationError, create_model, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from schemas.events import EVENT_TYPES, EventData
from schemas.fields import SHANGHAI, ShanghaiDatetime, StrictModel

__all__ = [
    "EVENT_TYPES",
    "CloudEvent",
    "EventData",
    "InvalidEvent",
    "InvalidEventCode",
    "cloud_event_model",
    "new_event",
    "parse_event",
]

DataT = TypeVar("DataT", bound=EventData)

_UUID7 = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class CloudEvent(StrictModel, Generic[DataT]):
    """One event. ``CloudEvent[SomeData]`` narrows ``data`` for type checkers and for validation.

    - ``id``: UUIDv7 (time-ordered); consumers deduplicate on it.
    - ``source``: ``/services/<name>`` of the producing service.
    - ``type`` and ``subject``: the data model's ``event_type`` and ``subject()``; checked to agree.
    - ``time``: when the change happened, RFC 3339 with +08:00.
    """

    specversion: Literal["1.0"]
    id: Annotated[str, Field(pattern=_UUID7)]
    source: Annotated[str, Field(pattern=r"^/services/[a-z]+$")]
    type: Annotated[str, Field(min_length=1)]
    subject: Annotated[str, Field(min_length=1)]
    time: ShanghaiDatetime
    datacontenttype: Literal["application/json"]
    data: SerializeAsAny[DataT]

    @model_validator(mode="after")
    def _matches_data(self) -> Self:
        if self.type != self.data.event_type:
            raise PydanticCustomError("event_type_mismatch", "事件类型与数据模型不一致")
        if self.subject != self.data.subject():
            raise PydanticCustomError("event_subject_mismatch", "事件主体与数据中的聚合标识不一致")
        return self

    @property
    def topic(self) -> str:
        """The Kafka topic this event is published on."""
        return self.data.topic

    @property
    def key(self) -> bytes:
        """The Kafka message key: the subject (aggregate id), UTF-8."""
        return self.subject.encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict of the whole event (structured mode)."""
        return self.model_dump(mode="json")

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON of the whole event: the Kafka message value."""
        return orjson.dumps(self.to_dict())

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        # pickled as its message (a decoding child process returns events): the per-type classes
        # are made at import time and cannot be found by name, as pickle would look them up
        return parse_event, (self.to_json(),)


@functools.cache
def cloud_event_model(data_model: type[DataT]) -> type[CloudEvent[DataT]]:
    """The envelope of one event type: ``CloudEvent[data_model]`` with ``type`` fixed to the data
    model's ``event_type``. Every event built or parsed here has this class, so events compare equal
    whichever way they were made, and the fixed ``type`` lets :func:`parse_event` pick the model
    by tag inside pydantic-core."""
    return create_model(
        f"CloudEvent[{data_model.__name__}]",
        __base__=CloudEvent[data_model],  # type: ignore[valid-type]  # a runtime class as type argument
        __module__=__name__,
        type=(Literal[data_model.event_type], ...),  # type: ignore[arg-type]  # a Literal made at run time
    )


def new_event(
    data: DataT, *, source: str, time: datetime | None = None, id: str | None = None  # noqa: A002 - CloudEvents' name
) -> CloudEvent[DataT]:
    """Wrap ``data`` in an envelope: type and subject come from the data model, ``id`` defaults to a
    fresh UUIDv7 and ``time`` to now. Pass ``id`` only to re-create an event that already exists
    (e.g. from an outbox row), so its consumers can deduplicate it."""
    return cloud_event_model(type(data))(
        specversion="1.0",
        id=id if id is not None else str(uuid_utils.uuid7()),
        source=source,
        type=data.event_type,
        subject=data.subject(),
        time=time if time is not None else datetime.now(SHANGHAI),
        datacontenttype="application/json",
        data=data,
    )


InvalidEventCode = Literal["oversized", "not_json", "bad_envelope", "unknown_type", "bad_data"]


class InvalidEvent(ValueError):  # noqa: N818 - names what the message is, like PoisonEvent
    """A message that is not a valid event. ``code`` is one of ``InvalidEventCode``; ``message`` names
    the offending fields and error types, never their values (they may be personal data)."""

    def __init__(self, code: InvalidEventCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: InvalidEventCode = code
        self.message = message

    def __reduce__(self) -> tuple[type[InvalidEvent], tuple[InvalidEventCode, str]]:
        # picklable as itself (a decoding child process returns it): the default would call
        # ``InvalidEvent(str(self))`` and fail
        return InvalidEvent, (self.code, self.message)


@functools.cache
def _any_event() -> TypeAdapter[CloudEvent[EventData]]:
    """Every registered event type, told apart by ``type`` in one pass over the JSON (a quarter faster
    than reading ``type`` with orjson first and then validating with the chosen model). Built on first
    use: it takes most of a second, which a process that never parses an event (the CLI) need not pay."""
    return TypeAdapter(
        Annotated[Union[tuple(cloud_event_model(model) for model in EVENT_TYPES.values())],  # noqa: UP007
                  Field(discriminator="type")]  # type: ignore[arg-type]  # a Union made at run time
    )


def parse_event(raw: bytes | str | dict[str, Any], *, max_bytes: int = 1_048_576) -> CloudEvent[EventData]:
    """Validate a message (Kafka value, request body or decoded dict) into a typed ``CloudEvent``.

    Checks, in order: size (``oversized``), JSON syntax (``not_json``), a JSON object with a string
    ``type`` (``bad_envelope``), a registered type (``unknown_type``), then the envelope attributes
    (``bad_envelope``) and the data (``bad_data``) in one pass. A dict is validated exactly as its
    JSON would be.
    """
    try:
        payload = _as_bytes(raw)
    except (orjson.JSONEncodeError, UnicodeEncodeError):
        raise InvalidEvent("not_json", "不是有效的 JSON (not valid JSON)") from None
    if len(payload) > max_bytes:
        raise InvalidEvent("oversized", f"事件过大 (event is {len(payload)} bytes, limit {max_bytes})")
    try:
        return _any_event().validate_json(payload)
    except ValidationError as exc:
        # ``from None``: the ValidationError's text contains the input values.
        raise _invalid(payload, exc.errors(include_url=False, include_context=False, include_input=False)) from None


def parse_each(values: Iterable[bytes]) -> list[CloudEvent[EventData] | InvalidEvent]:
    """Each message validated (:func:`parse_event`) or the reason it is not a valid event: for a
    batch, where one bad message must not stop the others."""
    out: list[CloudEvent[EventData] | InvalidEvent] = []
    for value in values:
        try:
            out.append(parse_event(value))
        except InvalidEvent as invalid:
            out.append(invalid)
    return out


def _as_bytes(raw: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return orjson.dumps(raw)


def _invalid(payload: bytes, errors: list[ErrorDetails]) -> InvalidEvent:
    """Classify validation errors. Before the tag: not JSON, no object or no string ``type``
    (``bad_envelope``), an unregistered type. After it (the location starts with the tag): anything
    outside ``data``, or ``data`` missing, is the envelope's."""
    first = errors[0]
    if first["type"] == "json_invalid":
        return InvalidEvent("not_json", "不是有效的 JSON (not valid JSON)")
    if first["type"] == "union_tag_invalid" and isinstance(orjson.loads(payload).get("type"), str):
        return InvalidEvent("unknown_type", "未知的事件类型 (unknown event type)")
    if not first["loc"]:  # not an object, no ``type``, or a ``type`` that is not a string
        return InvalidEvent("bad_envelope", "事件须为带 type 属性的 JSON 对象 (a JSON object with a string type)")
    errors = [{**error, "loc": error["loc"][1:]} for error in errors]

    def in_data(error: ErrorDetails) -> bool:
        loc = error["loc"]
        return len(loc) > 0 and loc[0] == "data" and not (len(loc) == 1 and error["type"] == "missing")

    envelope_errors = [e for e in errors if not in_data(e)]
    if envelope_errors:
        return InvalidEvent("bad_envelope", "事件信封无效 (invalid envelope): " + _fields(envelope_errors))
    return InvalidEvent("bad_data", "事件数据无效 (invalid data): " + _fields(errors))


def _fields(errors: list[ErrorDetails], limit: int = 5) -> str:
    """``loc [error type]`` for the first few errors, each location cut to 80 characters."""
    shown = [f"{'.'.join(map(str, e['loc']))[:80] or '(event)'} [{e['type']}]" for e in errors[:limit]]
    if len(errors) > limit:
        shown.append(f"and {len(errors) - limit} more")
    return ", ".join(shown)
