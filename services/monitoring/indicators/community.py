"""充分就业社区 (DOMAIN.md §6): per community, the residents able and willing to work and of them the
employed, at the end of any day, from pre-aggregated state like the other stocks (MONITORING.md).

Pure SQL text, no I/O. ``migrations/0014_community_stock.py`` creates the tables and builds them
from the raw log; ``Store.refresh_sync`` runs :func:`refresh_steps` after the state of ``state.py``.

- ``community_chain``: each person's status events (求职, 失业, 就业, 注销) with the event's
  ``community_code``, sorted by person; fed by a view from the raw log (the code is read from the
  payload there, so the person facts and their row function stay as they are).
- ``community_deltas``: per event of a chain, ``+1`` for the person's state after it (able and
  willing; employed) in their community, ``−1`` for the state before it, keyed ``(day, event_id,
  slot)`` so a recomputation replaces rows instead of adding them. A person's community is the latest
  code their events gave (an event without one keeps it). The rows telescope: their sum up to a day
  is each person's state at the end of that day.
- ``community_daily_sum`` / ``community_monthly_sum``: the deltas summed per day / month, 街镇,
  community and measure (SummingMergeTrees brought to their values by differences, read without
  ``FINAL``, as ``state._changes`` does for the stocks).

The state lives in its own tables, not in ``stock_deltas``: the stocks' key has no community, and
adding one to the key of every stock sum would grow them all for two measures.
"""

from __future__ import annotations

from schemas.events.registration import (
    EmploymentRegistered,
    JobseekerRegistered,
    RegistrationClosed,
    UnemploymentRegistered,
)

from .state import CLEAR_DAYS

STANDARD_PERCENT = 90.0
"""The district standard of a 充分就业社区: employed ≥ 90 % of the residents able and willing to work
(action plan §10)."""

KINDS = {JobseekerRegistered.event_type: "jobseeker", UnemploymentRegistered.event_type: "unemployment",
         EmploymentRegistered.event_type: "employment", RegistrationClosed.event_type: "closed"}
"""The person events that set a status, by CloudEvents type."""

_TYPES = ", ".join(f"'{t}'" for t in KINDS)
_KIND = "multiIf(" + ", ".join(f"type = '{t}', '{k}'" for t, k in KINDS.items()) + ", '')"

CHAIN_ROWS = f"""
    SELECT subject AS person_ref, event_time, event_id, day, {_KIND} AS kind, street_code,
           JSONExtractString(payload, 'data', 'community_code') AS community_code
    FROM events"""
"""The ``community_chain`` rows of raw-log rows (append ``WHERE``): their status kind and community code."""

CHAIN_WHERE = f"type IN ({_TYPES})"

ABLE = "kind IN ('jobseeker', 'unemployment', 'employment')"
"""Able and willing to work after the event: an open 求职 or 失业 registration, or employed (DOMAIN.md §6)."""
EMPLOYED = "kind = 'employment'"

_KEY = "measure, day, street_code, community_code"


def community_deltas(*, all_people: bool = False) -> str:
    """Recompute the ``community_deltas`` rows of the people in ``dirty_community_people`` (or of
    everybody) from their earliest changed day on: an event's rows depend on it and on the state
    before it only, and events are never dated before an earlier one of the chain (the day is the
    recording time's), so later events are all that can change."""
    if all_people:
        where, dirty = "1", "SELECT DISTINCT person_ref, toDate('1970-01-01') AS since FROM community_chain"
    else:
        where = "person_ref IN (SELECT person_ref FROM dirty_community_people)"
        dirty = "SELECT person_ref, min(day) AS since FROM dirty_community_people GROUP BY person_ref"
    return f"""
    INSERT INTO community_deltas (day, event_id, slot, {_KEY.replace('day, ', '')}, value)
    SELECT day, event_id, r.1, r.2, r.3, r.4, r.5
    FROM (
        SELECT *, toInt64(minIf(pos, day >= since) OVER (PARTITION BY person_ref)) AS first_changed,
               lagInFrame(able) OVER w AS p_able, lagInFrame(employed) OVER w AS p_employed,
               lagInFrame(community) OVER w AS p_community, lagInFrame(street_code) OVER w AS p_street
        FROM (
            SELECT *, argMaxIf(community_code, pos, community_code != '') OVER upto AS community,
                   {ABLE} AS able, {EMPLOYED} AS employed
            FROM (
                SELECT c.*, d.since AS since,
                       row_number() OVER (PARTITION BY person_ref ORDER BY event_time, event_id) AS pos
                FROM (SELECT * FROM community_chain FINAL WHERE {where}) AS c
                INNER JOIN ({dirty}) AS d USING person_ref
            )
            WINDOW upto AS (PARTITION BY person_ref ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        WINDOW w AS (PARTITION BY person_ref ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    )
    ARRAY JOIN [
        ('a_in', 'able', street_code, community, toInt64(able)),
        ('a_out', 'able', p_street, p_community, -toInt64(pos > 1 AND p_able)),
        ('e_in', 'employed', street_code, community, toInt64(employed)),
        ('e_out', 'employed', p_street, p_community, -toInt64(pos > 1 AND p_employed))
    ] AS r
    WHERE first_changed > 0 AND pos >= first_changed
    """


def _changes(target: str, fresh: str, where: str) -> str:
    """Bring the rows of ``target`` that ``where`` selects to the sums of ``fresh`` by adding the
    differences (``state._changes``: running it again adds nothing)."""
    return f"""
    INSERT INTO {target} ({_KEY}, value)
    SELECT {_KEY}, sum(value) AS change
    FROM (
        {fresh}
        UNION ALL
        SELECT {_KEY}, -value AS value FROM {target} WHERE {where}
    )
    GROUP BY {_KEY}
    HAVING change != 0
    """


def day_sums(*, all_days: bool = False) -> str:
    """``community_deltas`` summed into ``community_daily_sum`` for the days in ``dirty_community_days``."""
    days = "1" if all_days else "day IN (SELECT day FROM dirty_community_days)"
    return _changes("community_daily_sum", f"SELECT {_KEY}, value FROM community_deltas FINAL WHERE {days}", days)


def month_sums(*, all_months: bool = False) -> str:
    """``community_daily_sum`` summed into ``community_monthly_sum`` (rows on each month's first day)
    for the months in ``dirty_community_months``."""
    months = "1" if all_months else "day IN (SELECT month FROM dirty_community_months)"
    days = "1" if all_months else "toStartOfMonth(day) IN (SELECT month FROM dirty_community_months)"
    by_month = _KEY.replace("day", "toStartOfMonth(day) AS day", 1)
    return _changes("community_monthly_sum", f"SELECT {by_month}, value FROM community_daily_sum WHERE {days}",
                    months)


def refresh_steps() -> list[tuple[str, list[str]]]:
    """``(dirty table emptied afterwards, statements)``, in order: each feeds the next one's table."""
    return [("dirty_community_people", [community_deltas()]),
            ("dirty_community_days", [day_sums()]),
            ("dirty_community_months", [month_sums()])]


def rebuild_statements() -> list[str]:
    """The state from every chain row (the migration, after filling the chain)."""
    return [community_deltas(all_people=True), day_sums(all_days=True), month_sums(all_months=True),
            *(f"TRUNCATE TABLE IF EXISTS {table}" for table, _ in refresh_steps())]


def communities_query() -> str:
    """Per community (and 街镇) at the end of ``{end:Date}``: the residents able and willing to work
    and the employed; whole months from the monthly sums, the end's month from the daily ones."""
    return """
    SELECT community_code, street_code, sumIf(value, measure = 'able') AS able,
           sumIf(value, measure = 'employed') AS employed
    FROM (
        SELECT measure, street_code, community_code, value FROM community_monthly_sum
        WHERE day < toStartOfMonth({end:Date})
        UNION ALL
        SELECT measure, street_code, community_code, value FROM community_daily_sum
        WHERE day >= toStartOfMonth({end:Date}) AND day <= {end:Date}
    )
    WHERE community_code != ''
    GROUP BY community_code, street_code
    HAVING able != 0 OR employed != 0
    ORDER BY community_code, street_code
    """


MUNICIPAL_PER_YEAR, NATIONAL_PER_YEAR = 3, 1
"""The action plan's yearly certifications (§10): 3 communities certified 市级 and 1 国家级 a year."""


def certifications_query() -> str:
    """Every certification for ``{year:UInt16}`` or before: (community, 街镇, level, year)."""
    return """
    SELECT community_code, street_code, level, year FROM certification_facts FINAL
    WHERE year <= {year:UInt16}
    ORDER BY year, level, community_code
    """


def rate(able: int, employed: int) -> float | None:
    """就业率 of a community in percent (one decimal), ``None`` without anybody able and willing."""
    return round(100.0 * employed / able, 1) if able > 0 else None


def households_query() -> str:
    """零就业家庭 per community (and 街镇), from the household facts (a few rows per household, so read
    directly): the families 零就业 at the end of ``{end:Date}`` (identified by then, less those
    cleared by then, as the ``zero_families`` stock counts them), the identifications and clearings
    dated in ``[{start:Date}, {end:Date}]``, and the days each clearing in the period took, sorted."""
    return f"""
    SELECT community_code, street_code,
           countIf(kind = 'identified') - countIf(kind = 'cleared') AS families,
           countIf(kind = 'identified' AND day >= {{start:Date}}) AS identified,
           countIf(kind = 'cleared' AND day >= {{start:Date}}) AS cleared,
           arraySort(groupArrayIf(toInt64({CLEAR_DAYS}), kind = 'cleared' AND day >= {{start:Date}})) AS days
    FROM household_facts FINAL
    WHERE day <= {{end:Date}} AND community_code != ''
    GROUP BY community_code, street_code
    ORDER BY community_code, street_code
    """


def nearest_rank(sorted_days: list[int], numerator: int, denominator: int) -> float | None:
    """The ⌈n·numerator/denominator⌉-th of ``sorted_days`` (nearest rank, as the 街镇 figures read it
    from their histogram: ``catalogue._clear_days``); ``None`` when there are none."""
    if not sorted_days:
        return None
    return float(sorted_days[-(-len(sorted_days) * numerator // denominator) - 1])
