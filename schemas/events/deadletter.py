"""The dead-letter record on ``leye.deadletter`` (subject and key: ``topic/partition/offset``).

A consumer that cannot process a message (a poison message: unparseable, unknown type, invalid data,
or an effect that fails deterministically) publishes one of these and carries on. The record points at
the original message, which stays in its topic until retention removes it, and keeps a short excerpt so
an operator can judge the problem after that. Events never carry personal data by contract, so the
excerpt is kept even though a misbehaving producer could in principle have broken that contract.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData

EXCERPT_BYTES = 2048


class DeadletterRecorded(EventData):
    """A message could not be processed.

    ``reason_code`` is machine-readable (``parse_event``'s ``InvalidEvent.code`` such as ``bad_data``,
    or the consumer's own code); ``reason_message`` is the short human reason, which must not echo
    field values. ``consumer`` is the consumer group or service that gave up. Build it with
    ``for_message`` so the reference and the excerpt are derived consistently.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.deadletter.recorded.v1"
    topic: ClassVar[str] = "leye.deadletter"
    subject_field: ClassVar[str] = "message_ref"

    message_ref: Annotated[str, Field(min_length=1, max_length=300)]
    original_topic: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,249}$")]
    partition: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]
    key: Annotated[str, Field(max_length=256)] | None = None
    reason_code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    reason_message: Annotated[str, Field(min_length=1, max_length=500)]
    consumer: Annotated[str, Field(min_length=1, max_length=100)]
    payload_excerpt: Annotated[str, Field(max_length=EXCERPT_BYTES)]

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.message_ref != f"{self.original_topic}/{self.partition}/{self.offset}":
            raise PydanticCustomError("message_ref", "message_ref 须为 topic/partition/offset")
        return self

    @classmethod
    def for_message(
        cls,
        *,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        payload: bytes,
        reason_code: str,
        reason_message: str,
        consumer: str,
    ) -> DeadletterRecorded:
        """Describe a failed Kafka message; the excerpt is its first 2 KiB decoded as UTF-8 (lossy)."""
        return cls(
            message_ref=f"{topic}/{partition}/{offset}",
            original_topic=topic,
            partition=partition,
            offset=offset,
            key=None if key is None else key[:256].decode("utf-8", errors="replace"),
            reason_code=reason_code,
            reason_message=reason_message,
            consumer=consumer,
            payload_excerpt=payload[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
        )


EVENTS: tuple[type[EventData], ...] = (DeadletterRecorded,)
