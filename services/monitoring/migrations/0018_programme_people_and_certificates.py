"""The programme facts keep the person (pseudonymous ``person_ref``) and a certificate's occupation and
level; the people granted each programme are kept as sets.

Why: issue 17 asks for 灵活就业社保补贴 "people and amount", and monitoring counted grants (人次), not
people: ``programme_facts`` had no person reference, so a person subsidised twice in a period counted
twice. And it asks for the 职业技能 certificates by occupation and level, which the facts did not keep.

- ``programme_facts`` gains ``person_ref`` (the programme events' own pseudonym, HMAC of the ID
  number, as ``person_facts`` and ``case_facts`` already hold it; empty for a business),
  ``occupation_code`` and ``level`` (a ``certificate_issued`` fact's; empty and 0 otherwise).
- ``people_daily`` gains the sets ``programme_granted:<programme code>``: per grant day and 街镇, the
  people granted the programme (``state.programme_people``), numbered in ``person_ids`` like the
  registrations' people. A period's distinct people are the union of its days' sets, as for the
  cohort rates; the refresh adds the slices the programme facts touched (``dirty_flows``, source
  ``programme``), and adding a slice again changes nothing.

The programme facts already stored are written again from the raw log with the new columns (same
event ids: under ``FINAL`` the later row is the one read), then the sets are built from them.
"""

from schemas.events import programme
from services.monitoring.indicators.state import GRANTED_PEOPLE, programme_people
from services.monitoring.ingest.rows import PROGRAMME_KIND


def _from_log(field: str) -> str:
    return f"JSONExtractString(payload, 'data', '{field}')"


_KIND = "multiIf(" + ", ".join(f"type = '{model.event_type}', '{kind}'"
                              for model, (kind, _) in PROGRAMME_KIND.items()) + ", '')"
_DAY = "multiIf(" + ", ".join(f"type = '{model.event_type}', toDate({_from_log(on)})"
                              for model, (_, on) in PROGRAMME_KIND.items() if on) + ", day)"
_CERTIFICATE = f"type = '{programme.CertificateIssued.event_type}'"

forwards = [
    "ALTER TABLE programme_facts ADD COLUMN IF NOT EXISTS person_ref String, "
    "ADD COLUMN IF NOT EXISTS occupation_code LowCardinality(String), ADD COLUMN IF NOT EXISTS level UInt8",
    f"""
    INSERT INTO programme_facts (event_id, event_time, day, kind, programme_code, street_code, recipient, amount_yuan,
                                 retained, certificate, person_ref, occupation_code, level)
    SELECT event_id, event_time, {_DAY}, {_KIND}, {_from_log('programme_code')}, {_from_log('street_code')},
           if({_from_log('employer_ref')} != '' AND {_from_log('person_ref')} = '', 'employer', 'person'),
           JSONExtractUInt(payload, 'data', 'amount_yuan'), JSONExtractBool(payload, 'data', 'retained_after'),
           JSONExtractBool(payload, 'data', 'certificate'), {_from_log('person_ref')},
           {_from_log('occupation_code')}, toUInt8(if({_CERTIFICATE}, JSONExtractUInt(payload, 'data', 'level'), 0))
    FROM events FINAL
    WHERE topic = '{programme.TOPIC}' AND {_KIND} != ''
    """,
    *programme_people(all_slices=True),
]

backwards = [
    f"ALTER TABLE people_daily DELETE WHERE startsWith(kind, '{GRANTED_PEOPLE}') SETTINGS mutations_sync = 1",
    "ALTER TABLE programme_facts DROP COLUMN IF EXISTS person_ref, DROP COLUMN IF EXISTS occupation_code, "
    "DROP COLUMN IF EXISTS level",
]
