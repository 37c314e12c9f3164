"""Event contracts of the 乐业西青指挥中心 platform: envelope, event data models, topics, identifiers.

Every service imports this package and nothing else of another service. Modules:

- ``schemas.envelope``: the CloudEvents envelope, ``new_event``, ``parse_event`` (``parse_each`` for a
  batch), ``EVENT_TYPES``;
- ``schemas.events.*``: one module per topic with its event data models;
- ``schemas.topics``: Kafka topics and their settings;
- ``schemas.ids``: ID numbers, credit codes, ``person_ref``, 街镇 codes;
- ``schemas.vocab``: code lists with Chinese labels; ``schemas.fields``: shared value types;
- ``schemas.requests``: ``RequestModel``, the base of the services' request bodies;
- ``schemas.reference``: reference data files; ``schemas.errors``: Chinese validation messages;
- ``schemas.export``: ``python -m schemas.export`` writes the JSON Schemas under ``schemas/jsonschema/``.
"""

from schemas.envelope import EVENT_TYPES, CloudEvent, EventData, InvalidEvent, new_event, parse_each, parse_event
from schemas.ids import is_valid_credit_code, is_valid_id_number, normalise_id_number, person_ref
from schemas.topics import TOPICS, Topic, topic_for

__all__ = [
    "EVENT_TYPES",
    "TOPICS",
    "CloudEvent",
    "EventData",
    "InvalidEvent",
    "Topic",
    "is_valid_credit_code",
    "is_valid_id_number",
    "new_event",
    "normalise_id_number",
    "parse_each",
    "parse_event",
    "person_ref",
    "topic_for",
]
