"""The monitoring tests' name for the shared event set, which lives in ``leye/bench/data/event_set.py``
because the ingest benchmark uses it too and must not import ``tests``."""

from leye.bench.data.event_set import STREET_CODES, credit_code, person_ref, varied_events

__all__ = ["STREET_CODES", "credit_code", "person_ref", "varied_events"]
