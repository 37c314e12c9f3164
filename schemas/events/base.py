"""``EventData``: the base of every event's ``data`` model, and the person-event base."""

from __future__ import annotations

from typing import ClassVar

from schemas.fields import StrictModel, UniqueList
from schemas.ids import PersonRef, StreetCode
from schemas.vocab import KeyGroup


class EventData(StrictModel):
    """The ``data`` of one event type.

    Each concrete subclass sets three class variables:

    - ``event_type``: the full CloudEvents type, ``cn.xiqing.leye.<aggregate>.<what_happened>.v<N>``;
    - ``topic``: the Kafka topic it is published on (a key of ``schemas.topics.TOPICS``);
    - ``subject_field``: the field holding the aggregate id, which becomes the CloudEvents ``subject``
      and the Kafka key, so all events of one aggregate stay ordered in one partition.

    Contract: no personal identifiers (names, ID numbers, phone numbers, addresses) in any field.
    Within one version only additive, optional changes are allowed; anything else is a new ``vN``.
    """

    event_type: ClassVar[str]
    topic: ClassVar[str]
    subject_field: ClassVar[str]

    def subject(self) -> str:
        """The aggregate id: the value of ``subject_field``."""
        return str(getattr(self, self.subject_field))


class PersonEventData(EventData):
    """Base of events about one person on ``leye.registration``, keyed by ``person_ref``.

    Every person event carries the person's 街镇 and a snapshot of their key groups at the time of the
    event, so the monitoring service can count by 街镇 and group without joining earlier events.
    """

    topic: ClassVar[str] = "leye.registration"
    subject_field: ClassVar[str] = "person_ref"

    person_ref: PersonRef
    street_code: StreetCode
    key_groups: UniqueList[KeyGroup]
