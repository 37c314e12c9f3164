"""The pre-aggregated state the indicators read, and how it is derived from the fact tables.

Pure SQL text, no I/O: ``migrations/0004_aggregated_state.py`` to ``0007_sums_read_without_final.py``
create the tables and build them from existing facts with these statements, and
``Store.refresh_sync`` runs the same statements for what a batch touched. Why each table has its
shape is in those migrations' docstrings; in short:

- **Flows** (counts in a period) are summed per day and 街镇 in ``flow_daily_sum``; a day's slice is
  recomputed from the ``FINAL``'d facts of that day and 街镇 and the difference from what the table
  holds is added (``_changes``), so doing it again (a replay, a retry) adds nothing.
- **Sets of people** (the cohort rates count distinct people): ``people_daily`` holds, per day, kind,
  街镇 and key groups, a roaring bitmap of the people's numbers (``person_ids``); adding a slice again
  is a union with itself, so the sets are fed incrementally and read without ``FINAL``.
- **Stocks** (state at the end of a period: the registered unemployed, the long-term unemployed,
  active job seekers, open posts) are kept as *deltas*. Each event of an aggregate's chain (its
  status events in order) owns a few rows in ``stock_deltas``, keyed by ``(day, event_id, slot)``:
  what its state adds on its day (``*_in``) and what the state before it stops adding (``*_out``),
  plus rows at days the calendar alone moves a state (6 months of unemployment, a posting's
  validity ending). The sum of every row up to a day is the stock at the end of that day, since the
  rows of one aggregate telescope to its latest state. A row's key depends only on its own event, so
  recomputing an aggregate's rows (its chain changed: a new event, one arriving late) replaces them
  in place under ``FINAL``; nothing is ever added twice. ``stock_daily_sum`` / ``stock_monthly_sum``
  hold the sums per day / month, 街镇 and key groups, brought to their recomputed values (as the
  flows) for exactly the days whose rows changed; readers sum them without ``FINAL``.

Which aggregates, slices and days a batch touched is recorded server-side by materialized views
into the ``dirty_*`` tables (plain MergeTrees: they survive a crash, so work a crash interrupted is
done by the next refresh). A refresh consumes them in order and empties each once its results are
written; a refresh cut short repeats, harmlessly, from what is left.
"""

from __future__ import annotations

# Which person events make each chain (DOMAIN.md §6): the unemployment status, and the job-seeker status.
UNEMPLOYMENT_CHAIN = ("(kind IN ('unemployment', 'employment') "
                      "OR (kind = 'closed' AND closed_registration = 'unemployment'))")
SEEKER_CHAIN = "kind IN ('jobseeker', 'unemployment', 'employment', 'closed')"
STATUS_KINDS = "kind IN ('jobseeker', 'unemployment', 'employment', 'closed')"

STOCK_COLUMNS = "day, event_id, slot, measure, street_code, key_groups, value"


def long_term_from(since: str) -> str:
    """The first day ``D`` with ``since <= addMonths(D, -6)`` (the 6-month line of DOMAIN.md §2, as
    ``long_term_unemployed`` compares it); ``addMonths`` clamps to the month's end, hence the +1."""
    return (f"if(addMonths(addMonths({since}, 6), -6) >= {since}, addMonths({since}, 6), "
            f"addMonths({since}, 6) + 1)")


def _dirty_people(all_people: bool) -> tuple[str, str]:
    """(filter on person_chain, source of each person's first changed day)."""
    if all_people:
        return "1", "SELECT DISTINCT person_ref, toDate('1970-01-01') AS since FROM person_chain"
    return ("person_ref IN (SELECT person_ref FROM dirty_people)",
            "SELECT person_ref, min(day) AS since FROM dirty_people GROUP BY person_ref")


def person_deltas(*, all_people: bool = False) -> list[str]:
    """Recompute the ``stock_deltas`` rows of the people in ``dirty_people`` (or of everybody): the
    rows of their events from the earliest changed day on, and the 6-month row of the event before
    (it depends on when the next one came); rows before cannot have changed, and writing only what
    may have changed keeps the days a refresh re-sums to those that moved."""
    where, dirty = _dirty_people(all_people)
    window = ("PARTITION BY person_ref ORDER BY event_time, event_id "
              "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING")

    def chain(members: str, inside: str, slots: str) -> str:
        return f"""
        INSERT INTO stock_deltas ({STOCK_COLUMNS})
        SELECT r.1, event_id, r.2, r.3, r.4, r.5, r.6
        FROM (
            SELECT *, toInt64(minIf(pos, day >= since) OVER (PARTITION BY person_ref)) - 1 AS earliest
            FROM (
                SELECT c.*, d.since AS since,
                       row_number() OVER w AS pos,
                       {inside} AS inside,
                       if(inside AND unemployed_since IS NOT NULL,
                          greatest(day, assumeNotNull({long_term_from('unemployed_since')})), day) AS long_day,
                       inside AND unemployed_since IS NOT NULL AS can_last,
                       lagInFrame(inside) OVER w AS p_inside,
                       lagInFrame(can_last) OVER w AS p_can_last,
                       lagInFrame(long_day) OVER w AS p_long_day,
                       lagInFrame(street_code) OVER w AS p_street,
                       lagInFrame(key_groups) OVER w AS p_groups,
                       leadInFrame(toNullable(day)) OVER w AS next_day
                FROM (SELECT * FROM person_chain FINAL WHERE {where} AND {members}) AS c
                INNER JOIN ({dirty}) AS d USING person_ref
                WINDOW w AS ({window})
            )
        )
        ARRAY JOIN {slots} AS r
        -- the event before the first changed one: only its row that looks ahead (l_in) can change
        WHERE earliest >= 0 AND (pos > earliest OR (pos = earliest AND r.2 = 'l_in'))
        """

    unemployed = """[
        (day, 'u_in', 'unemployed', street_code, key_groups, toInt64(inside)),
        (day, 'u_out', 'unemployed', p_street, p_groups, -toInt64(pos > 1 AND p_inside)),
        (long_day, 'l_in', 'long_term', street_code, key_groups,
         toInt64(can_last AND (next_day IS NULL OR next_day > long_day))),
        (day, 'l_out', 'long_term', p_street, p_groups, -toInt64(pos > 1 AND p_can_last AND day > p_long_day))
    ]"""
    seekers = """[
        (day, 's_in', 'seekers', street_code, CAST([], 'Array(LowCardinality(String))'), toInt64(inside)),
        (day, 's_out', 'seekers', p_street, CAST([], 'Array(LowCardinality(String))'),
         -toInt64(pos > 1 AND p_inside))
    ]"""
    return [chain(UNEMPLOYMENT_CHAIN, "kind = 'unemployment'", unemployed),
            chain(SEEKER_CHAIN, "kind IN ('jobseeker', 'unemployment')", seekers)]


def vacancy_deltas(*, all_vacancies: bool = False) -> str:
    """Recompute the ``stock_deltas`` rows (open posts) of the postings in ``dirty_vacancies`` (or of
    every posting). A posting's state after each event: its open headcount (that event's), its 街镇
    (the latest non-empty one) and its validity (the latest posting or update's ``valid_until``); it
    counts on the days up to that validity. The expiry row belongs to the posting or update that set
    the validity (``p_exp`` at ``valid_until + 1``): it takes back the state of its run that is still
    the latest when the validity ends, if one is."""
    if all_vacancies:
        where, dirty = "1", "SELECT DISTINCT vacancy_id, toDate('1970-01-01') AS since FROM vacancy_chain"
    else:
        where = "vacancy_id IN (SELECT vacancy_id FROM dirty_vacancies)"
        dirty = "SELECT vacancy_id, min(day) AS since FROM dirty_vacancies GROUP BY vacancy_id"
    return f"""
    INSERT INTO stock_deltas ({STOCK_COLUMNS})
    SELECT r.1, event_id, r.2, 'open_posts', r.3, CAST([], 'Array(LowCardinality(String))'), r.4
    FROM (
        SELECT *, if(pred_src > 0, pred_src, greatest(first_changed - 1, 1)) AS earliest
        FROM (
            SELECT *, anyIf(src_pos, pos + 1 = first_changed) OVER (PARTITION BY vacancy_id) AS pred_src
            FROM (
                SELECT *,
                       toInt64(minIf(pos, day >= since) OVER (PARTITION BY vacancy_id)) AS first_changed,
                       -sumIf(toInt64(open_headcount), expires_last) OVER run AS expired,
                       argMaxIf(street, pos, expires_last) OVER run AS expired_street
                FROM (
                    SELECT *,
                           lagInFrame(open_headcount) OVER w AS p_open,
                           lagInFrame(street) OVER w AS p_street,
                           lagInFrame(active_on) OVER w AS p_until,
                           leadInFrame(toNullable(day)) OVER w AS next_day,
                           until IS NOT NULL AND until >= day AND (next_day IS NULL OR next_day > until)
                               AS expires_last,
                           ifNull(until, toDate('1970-01-01')) AS active_on
                    FROM (
                        SELECT *,
                               argMaxIf(street_code, pos, street_code != '') OVER upto AS street,
                               argMaxIf(valid_until, pos, kind IN ('posted', 'updated')) OVER upto AS until,
                               maxIf(pos, kind IN ('posted', 'updated')) OVER upto AS src_pos
                        FROM (
                            SELECT c.*, d.since AS since,
                                   row_number() OVER (PARTITION BY vacancy_id ORDER BY event_time, event_id) AS pos
                            FROM (SELECT * FROM vacancy_chain FINAL WHERE {where}) AS c
                            INNER JOIN ({dirty}) AS d USING vacancy_id
                        )
                        WINDOW upto AS (PARTITION BY vacancy_id ORDER BY pos
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                    )
                    WINDOW w AS (PARTITION BY vacancy_id ORDER BY pos
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                )
                WINDOW run AS (PARTITION BY vacancy_id, src_pos)
            )
        )
    )
    ARRAY JOIN [
        (day, 'p_in', street, toInt64(open_headcount) * (until IS NOT NULL AND until >= day)),
        (day, 'p_out', p_street, -toInt64(p_open) * (pos > 1 AND p_until >= day)),
        (assumeNotNull(until) + 1, 'p_exp', expired_street, expired)
    ] AS r
    -- before the first changed event only an expiry (which looks ahead over its run) can change
    WHERE first_changed > 0 AND (r.2 != 'p_exp' OR pos = src_pos)
      AND (pos >= first_changed OR (pos >= earliest AND r.2 = 'p_exp'))
    """


def _case_rows(where: str) -> str:
    """One row per 红娘 case and dispatch (day, 街镇) of the cases ``where`` selects in ``case_chain``,
    with what ever happened to the case."""
    return f"""
    SELECT d.day AS day, d.street_code AS street_code, case_id, f.contacted AS contacted, f.referred AS referred,
           f.breached AS breached
    FROM (SELECT DISTINCT case_id, day, street_code FROM case_chain FINAL WHERE {where} AND kind = 'dispatched') AS d
    INNER JOIN (
        SELECT case_id, max(kind = 'contacted' AND on_time = 1) AS contacted,
               max(kind = 'referral' AND on_time = 1) AS referred, max(kind = 'sla_breached') AS breached
        FROM case_chain FINAL WHERE {where} GROUP BY case_id
    ) AS f USING case_id
    """


def case_states(*, all_cases: bool = False) -> list[str]:
    """Recompute the ``case_state`` rows of the cases in ``dirty_cases`` (or of every case) from all
    their events, and add the cases to the sets of ``case_sets``: by dispatch (day, 街镇), the cases
    dispatched, and of them those contacted on time, referred on time and in breach. What happens to
    a case only ever adds to its flags, so its sets only grow and adding them again is harmless."""
    where = "1" if all_cases else "case_id IN (SELECT case_id FROM dirty_cases)"
    rows = _case_rows(where)
    flags = "arrayFilter(x -> x != '', ['dispatched', if(contacted = 1, 'contacted', ''), " \
            "if(referred = 1, 'referred', ''), if(breached = 1, 'breached', '')])"
    return [
        f"INSERT INTO case_state (day, street_code, case_id, contacted, referred, breached) {rows}",
        number("case_ids", "case_id", f"SELECT case_id FROM case_chain WHERE {where} AND kind = 'dispatched'"),
        f"""
        INSERT INTO case_sets (flag, day, street_code, cases)
        SELECT flag, day, street_code, groupBitmapState(id)
        FROM ({rows}) AS c ARRAY JOIN {flags} AS flag
        INNER JOIN (SELECT case_id, id FROM case_ids WHERE {where}) AS i USING case_id
        GROUP BY flag, day, street_code
        """,
    ]


def stock_days(*, all_days: bool = False, industry: bool = True) -> str:
    """Sum ``stock_deltas`` into ``stock_daily`` for the days in ``dirty_stock_days``. A key of the
    day that no row adds to any more (a state moved to another 街镇) is written again as 0.
    The ReplacingMergeTree sums of migrations 0004 and 0006 (``industry=False``: 0004's, before the
    stocks had an industry); since 0007 the refresh writes :func:`stock_day_sums`."""
    days = "1" if all_days else "day IN (SELECT day FROM dirty_stock_days)"
    key = "measure, day, street_code, key_groups" + (", industry_section" if industry else "")
    return f"""
    INSERT INTO stock_daily ({key}, value)
    SELECT {key}, sum(value)
    FROM (
        SELECT {key}, value FROM stock_deltas FINAL WHERE {days}
        UNION ALL
        SELECT {key}, toInt64(0) FROM stock_daily FINAL WHERE {days}
    )
    GROUP BY {key}
    """


def stock_months(*, all_months: bool = False, industry: bool = True) -> str:
    """``stock_daily`` summed into ``stock_monthly`` (migrations 0004 and 0006, as :func:`stock_days`)."""
    months = "1" if all_months else "toStartOfMonth(day) IN (SELECT month FROM dirty_months WHERE family = 'stock')"
    monthly = "1" if all_months else "day IN (SELECT month FROM dirty_months WHERE family = 'stock')"
    key = "measure, day, street_code, key_groups" + (", industry_section" if industry else "")
    return f"""
    INSERT INTO stock_monthly ({key}, value)
    SELECT {key}, sum(value)
    FROM (
        SELECT {key.replace("day", "toStartOfMonth(day) AS day", 1)}, value FROM stock_daily FINAL WHERE {months}
        UNION ALL
        SELECT {key}, toInt64(0) FROM stock_monthly FINAL WHERE {monthly}
    )
    GROUP BY {key}
    """


def employer_deltas(*, all_employers: bool = False) -> str:
    """Recompute the ``stock_deltas`` rows of 岗位流失率 for the monitored enterprises in
    ``dirty_employers`` (or every one), from their earliest changed day on.

    The figure at the end of a day sums, over the enterprises, the baseline and current headcount of
    each one's *ruling* report: of the reports received up to that day, the one for the latest month
    (then the latest sent). In the order reports arrive (day, then time), a report that outranks
    every earlier one becomes the ruling one on its day: it adds its own baseline and current
    headcount (``b_in``, ``c_in``) and takes back the previous ruling report's (``b_out``, ``c_out``,
    in that report's 街镇 and industry). A report that does not outrank them (a late one for an older
    month) adds nothing — its rows are written as 0, so that a recomputation replaces what an
    earlier one wrote. The rows telescope to each enterprise's ruling report at any day."""
    if all_employers:
        where, dirty = "1", "SELECT DISTINCT employer_ref, toDate('1970-01-01') AS since FROM headcount_chain"
    else:
        where = "employer_ref IN (SELECT employer_ref FROM dirty_employers)"
        dirty = "SELECT employer_ref, min(day) AS since FROM dirty_employers GROUP BY employer_ref"
    return f"""
    INSERT INTO stock_deltas (day, event_id, slot, measure, street_code, key_groups, industry_section, value)
    SELECT day, event_id, r.1, r.2, r.3, {_NO_GROUPS}, r.4, r.5
    FROM (
        SELECT *, n_before = 0 OR rank > best_before AS rules
        FROM (
            SELECT *,
                   count() OVER earlier AS n_before,
                   max(rank) OVER earlier AS best_before,
                   argMax((toInt64(baseline_headcount), toInt64(current_headcount), street_code, industry_section),
                          rank) OVER earlier AS ruled
            FROM (
                SELECT c.*, d.since AS since, (month, event_time, event_id) AS rank
                FROM (SELECT * FROM headcount_chain FINAL WHERE {where}) AS c
                INNER JOIN ({dirty}) AS d USING employer_ref
            )
            WINDOW earlier AS (PARTITION BY employer_ref ORDER BY day, event_time, event_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        )
    )
    ARRAY JOIN [
        ('b_in', 'loss_baseline', street_code, industry_section, toInt64(baseline_headcount) * rules),
        ('c_in', 'loss_current', street_code, industry_section, toInt64(current_headcount) * rules),
        ('b_out', 'loss_baseline', ruled.3, ruled.4, -ruled.1 * (rules AND n_before > 0)),
        ('c_out', 'loss_current', ruled.3, ruled.4, -ruled.2 * (rules AND n_before > 0))
    ] AS r
    WHERE day >= since
    """


FLOW_COLUMNS = "measure, day, street_code, key_groups, industry_section, detail, n, a, b"
CLEAR_DAYS = "if(kind = 'cleared', toInt64(assumeNotNull(cleared_on) - identified_on), 0)"
"""Days a 零就业家庭 took to clear (``household_facts``: 0 for an identification)."""
_HOUSEHOLD_MEASURES = ("arrayJoin(if(kind = 'cleared', ['household_cleared', 'household_clear_days'], "
                       "['household_identified']))")
_NO_GROUPS = "CAST([], 'Array(LowCardinality(String))')"
_SESSION_MEASURES = ("arrayJoin(if(session_kind = 'livestream' AND toDayOfWeek(day) <= 5, "
                     "['session_ended', 'live_workday'], ['session_ended']))")

POLICY_FIRST_PAYMENTS = ("(kind != 'paid' OR (ref, day) IN "
                         "(SELECT ref, min(day) FROM policy_facts FINAL WHERE kind = 'paid' GROUP BY ref))")
"""The 政策找人 facts a flow counts: cases, grants, and a grant's first payment only (its time to benefit)."""
_POLICY_MEASURE = "multiIf(kind = 'case', 'policy_case', kind = 'granted', 'policy_granted', 'policy_benefit_days')"
_POLICY_DETAIL = "if(kind = 'paid', toString(toInt64(day - assumeNotNull(eligible_on))), programme_code)"
_POLICY_CONTACTED = ("uniqExactIf(ref, kind = 'case' AND ref IN (SELECT case_id FROM case_facts "
                     "WHERE kind = 'contacted' AND on_time = 1))")

# source -> (fact table, which facts, measure, key groups, industry, detail, n, a, b)
FLOW_SOURCES: dict[str, tuple[str, str, str, str, str, str, str, str, str]] = {
    "person": ("person_facts", "kind IN ('employment', 'unemployment')", "kind", "key_groups", "''", "''",
               "count()", "0", "0"),
    "posting": ("vacancy_facts", "kind = 'posted'", "'posted'", _NO_GROUPS, "industry_section", "vacancy_kind",
                "count()", "sum(headcount)", "0"),
    # sessions ended per kind (detail); and each 直播带岗 ended on a working day once more, with its day as
    # detail, so the working days with a session are the distinct details (working days: Mon–Fri)
    "session": ("session_facts", "kind = 'ended'", _SESSION_MEASURES, _NO_GROUPS, "''",
                "if(measure = 'live_workday', toString(day), session_kind)", "count()", "sum(applications)",
                "sum(hires)"),
    # 直播带岗 live (livestream_facts, 0013): applications on the day they were made, and decisions on the
    # day they were made (a = those that hired); viewer samples are read by the wall's live panel only
    "live": ("livestream_facts", "kind IN ('application', 'decided')",
             "if(kind = 'application', 'live_application', 'live_decided')", _NO_GROUPS, "''", "''",
             "count()", "sum(hired)", "0"),
    "programme": ("programme_facts", "1", "concat('programme_', kind)", _NO_GROUPS, "''", "programme_code",
                  "count()", "sum(amount_yuan)", "sum(retained)"),
    # 零就业家庭 identified and cleared per community (detail), a = the cleared families' days to clear; and
    # each clearing once more as a histogram of the days it took (detail): medians need more than sums.
    # One source, so one statement per refresh: each clearing is joined to its two measures.
    "household": ("household_facts", "1", _HOUSEHOLD_MEASURES, _NO_GROUPS, "''",
                  f"if(measure = 'household_clear_days', toString({CLEAR_DAYS}), community_code)",
                  "count()", f"sum({CLEAR_DAYS})", "0"),
    # 政策找人 (policy_facts): the policy-origin 红娘 cases per dispatch day (a = those contacted on time,
    # i.e. the same day), the grants to people it found, and each such grant's first payment once more
    # as a histogram of the days from eligibility to it (detail), as the households' clearing days.
    "policy": ("policy_facts", POLICY_FIRST_PAYMENTS, _POLICY_MEASURE, _NO_GROUPS, "''", _POLICY_DETAIL,
               "uniqExact(ref)", _POLICY_CONTACTED, "0"),
    # 创业孵化基地 (incubator_facts): recognitions (b = those that first bring a base to 市级 or above),
    # firms entering and leaving, and the jobs incubated firms report (a = headcount); detail = the level
    "incubator": ("incubator_facts", "1", "concat('incubator_', kind)", _NO_GROUPS, "''", "level",
                  "count()", "sum(headcount)", "sum(new_municipal)"),
}


def flow_slices(source: str, *, all_slices: bool = False) -> str:
    """Recount ``flow_daily`` for the (街镇, day) slices of one source in ``dirty_flows``, from the
    ``FINAL``'d facts of those slices only (a range of the fact table's sorting key). Facts only ever
    add to a slice, so its keys never disappear and a plain recount replaces it. Migration 0004's
    ReplacingMergeTree counts; since 0007 the refresh writes :func:`flow_day_sums`."""
    table, which, measure, groups, industry, detail, n, a, b = FLOW_SOURCES[source]
    slices = "1" if all_slices else \
        f"(street_code, day) IN (SELECT street_code, day FROM dirty_flows WHERE source = '{source}')"
    return f"""
    INSERT INTO flow_daily ({FLOW_COLUMNS})
    SELECT {measure} AS measure, day, street_code, {groups} AS groups, {industry} AS industry, {detail} AS detail,
           toInt64({n}), toInt64({a}), toInt64({b})
    FROM {table} FINAL
    WHERE {slices} AND {which}
    GROUP BY measure, day, street_code, groups, industry, detail
    """


# --- sums read without FINAL (migration 0007) -------------------------------------------------------

def _changes(target: str, key: str, sums: str, fresh: str, where: str) -> str:
    """Bring the rows of ``target`` that ``where`` selects to the sums of the query ``fresh`` (rows of
    ``key`` and ``sums`` columns) by adding, per key, the difference between them and what the table
    holds now. ``target`` is a SummingMergeTree, so what it holds is the plain sum of its rows: read
    without ``FINAL``, exact whether or not its parts have merged. Running this again adds nothing
    (the differences are then 0), so a refresh cut short, even half-way through its insert, is
    repaired by running it again."""
    columns = [column.strip() for column in sums.split(",")]
    changed = " OR ".join(f"change_{column} != 0" for column in columns)
    negated = ", ".join(f"-{column}" for column in columns)
    summed_ = ", ".join(f"sum({column}) AS change_{column}" for column in columns)
    return f"""
    INSERT INTO {target} ({key}, {sums})
    SELECT {key}, {summed_}
    FROM (
        {fresh}
        UNION ALL
        SELECT {key}, {negated} FROM {target} WHERE {where}
    )
    GROUP BY {key}
    HAVING {changed}
    """


_STOCK_KEY = "measure, day, street_code, key_groups, industry_section"


def stock_day_sums(*, all_days: bool = False) -> str:
    """``stock_deltas`` summed into ``stock_daily_sum`` for the days in ``dirty_stock_days`` (or every day)."""
    days = "1" if all_days else "day IN (SELECT day FROM dirty_stock_days)"
    return _changes("stock_daily_sum", _STOCK_KEY, "value",
                    f"SELECT {_STOCK_KEY}, value FROM stock_deltas FINAL WHERE {days}", days)


def stock_month_sums(*, all_months: bool = False) -> str:
    """``stock_daily_sum`` summed into ``stock_monthly_sum`` (rows on each month's first day) for the
    months in ``dirty_months`` (or every month)."""
    if all_months:
        days, months = "1", "1"
    else:
        months = "day IN (SELECT month FROM dirty_months WHERE family = 'stock')"
        days = "toStartOfMonth(day) IN (SELECT month FROM dirty_months WHERE family = 'stock')"
    by_month = _STOCK_KEY.replace("day", "toStartOfMonth(day) AS day", 1)
    return _changes("stock_monthly_sum", _STOCK_KEY, "value",
                    f"SELECT {by_month}, value FROM stock_daily_sum WHERE {days}", months)


FLOW_KEY = "measure, day, street_code, key_groups, industry_section, detail"
FLOW_MEASURES = {"person": "measure IN ('employment', 'unemployment')", "posting": "measure = 'posted'",
                 "session": "measure IN ('session_ended', 'live_workday')",
                 "live": "measure IN ('live_application', 'live_decided')",
                 "programme": "startsWith(measure, 'programme_')",
                 "household": "startsWith(measure, 'household_')", "policy": "startsWith(measure, 'policy_')",
                 "incubator": "startsWith(measure, 'incubator_')"}
"""The measures each source of ``FLOW_SOURCES`` writes."""
FIRST_FLOW_SOURCES = ("person", "posting", "session")
"""The sources whose facts migrations 0004 to 0008 sum (0009 adds the programmes' and 0010 the households',
and each sums them itself)."""


def household_stock_deltas(facts: str = "household_facts") -> str:
    """The ``stock_deltas`` rows of 零就业家庭 (measure ``zero_families``) for the rows of ``facts``: an
    identification adds the family on its ``identified_on``, a clearing takes it back on its
    ``cleared_on`` (which is never before the identification it names). Each row is keyed by its own
    event, so a redelivered event replaces its row, and the sum of every row up to a day is the
    families identified and not cleared at the end of that day. A clearing is taken back in its own
    街镇, which is the identification's: a household's community (so its 街镇) never changes."""
    return f"""
    SELECT day, event_id, 'zero_family' AS slot, 'zero_families' AS measure, street_code,
           {_NO_GROUPS} AS key_groups, '' AS industry_section, if(kind = 'identified', 1, -1) AS value
    FROM {facts}"""


def flow_day_sums(source: str, *, all_slices: bool = False) -> str:
    """Recount ``flow_daily_sum`` for the (街镇, day) slices of one source in ``dirty_flows`` (or every
    slice), from the ``FINAL``'d facts of those slices only (a range of the fact table's sorting key)."""
    table, which, measure, groups, industry, detail, n, a, b = FLOW_SOURCES[source]
    slices = "1" if all_slices else \
        f"(street_code, day) IN (SELECT street_code, day FROM dirty_flows WHERE source = '{source}')"
    if source == "policy" and not all_slices:
        # a payment recorded after a later one of its grant moves the grant's first payment: every
        # payment slice of a grant paid in a dirty slice is recounted
        slices = (f"({slices} OR (street_code, day) IN (SELECT street_code, day FROM policy_facts WHERE kind = 'paid' "
                  f"AND ref IN (SELECT ref FROM policy_facts WHERE kind = 'paid' AND {slices})))")
    fresh = f"""
        SELECT {measure} AS measure, day, street_code, {groups} AS key_groups, {industry} AS industry_section,
               {detail} AS detail, toInt64({n}) AS n, toInt64({a}) AS a, toInt64({b}) AS b
        FROM {table} FINAL
        WHERE {slices} AND {which}
        GROUP BY measure, day, street_code, key_groups, industry_section, detail"""
    return _changes("flow_daily_sum", FLOW_KEY, "n, a, b", fresh, f"{slices} AND {FLOW_MEASURES[source]}")


STATION_KEY = "day, street_code, station_code"
STATION_SUMS = "cases, contact_met, contact_due, referral_met, referral_due, closed, placed"


def station_day_sums(*, all_cases: bool = False) -> str:
    """Recount ``station_daily_sum`` (the 红娘 stations' cases and deadlines, by dispatch day, 街镇 and
    station) for the dispatch slices of the cases in ``dirty_cases`` (or every slice). A case counts
    once, in the slice of its first dispatch; every dispatch slice of a changed case is recounted, so
    a late earlier dispatch moves the case out of the slice that held it. A deadline is due once met
    or missed (a contact or referral, on time or not, or a breach); a placed case is a closed one
    with a referral outcome of 已录用. The cases of a slice are found by the facts' sorting key
    (街镇, day, kind), their events by the chain's (case)."""
    if all_cases:
        slices = first_in_slices = cases = "1"
    else:
        dirty = ("SELECT street_code, day FROM case_chain "
                 "WHERE case_id IN (SELECT case_id FROM dirty_cases) AND kind = 'dispatched'")
        slices, first_in_slices = f"(street_code, day) IN ({dirty})", f"(first.2, first.1) IN ({dirty})"
        cases = f"case_id IN (SELECT case_id FROM case_facts WHERE {slices} AND kind = 'dispatched')"
    fresh = f"""
        SELECT first.1 AS day, first.2 AS street_code, first.3 AS station_code, toInt64(count()) AS cases,
               toInt64(sum(c_met)) AS contact_met, toInt64(sum(c_due)) AS contact_due,
               toInt64(sum(r_met)) AS referral_met, toInt64(sum(r_due)) AS referral_due,
               toInt64(sum(was_closed)) AS closed, toInt64(sum(was_closed AND was_placed)) AS placed
        FROM (
            SELECT argMinIf((day, street_code, station_code), (event_time, event_id), kind = 'dispatched') AS first,
                   max(kind = 'contacted' AND on_time = 1) AS c_met,
                   max(kind = 'contacted' OR (kind = 'sla_breached' AND sla = 'contact')) AS c_due,
                   max(kind = 'referral' AND on_time = 1) AS r_met,
                   max(kind = 'referral' OR (kind = 'sla_breached' AND sla = 'referral')) AS r_due,
                   max(kind = 'closed') AS was_closed, max(kind = 'outcome' AND outcome = 'hired') AS was_placed
            FROM case_chain FINAL
            WHERE {cases}
            GROUP BY case_id
            HAVING countIf(kind = 'dispatched') > 0
        )
        WHERE {first_in_slices}
        GROUP BY day, street_code, station_code"""
    return _changes("station_daily_sum", STATION_KEY, STATION_SUMS, fresh, slices)


# --- sets of people: the cohort rates ------------------------------------------------------------------

PEOPLE_KINDS = "kind IN ('jobseeker', 'unemployment', 'employment', 'followup')"
"""The person facts kept as sets (``people_daily``): the cohorts' registrations, the employment that
ends them, and the follow-ups that serve them."""


def number(table: str, column: str, rows: str) -> str:
    """Give every reference in ``column`` of the query ``rows`` that has none in ``table`` (people or
    cases) the next free number. Run by one writer only (``store.py``), so numbers are unique."""
    refs = f"SELECT {column} FROM ({rows})"
    return f"""
    INSERT INTO {table} ({column}, id)
    SELECT {column}, (SELECT max(id) FROM {table}) + toUInt32(row_number() OVER (ORDER BY {column}))
    FROM (SELECT DISTINCT {column} FROM ({refs}) WHERE {column} != '')
    WHERE {column} NOT IN (SELECT {column} FROM {table} WHERE {column} IN ({refs}))
    """


def _insert_sets(rows: str, kind: str, street: str, groups: str) -> str:
    """Add the people of ``rows`` (``day``, ``person_ref`` and the columns named) to ``people_daily``
    as bitmaps of their numbers."""
    return f"""
    INSERT INTO people_daily (kind, day, street_code, key_groups, people)
    SELECT {kind} AS k, day, {street} AS s, {groups} AS g, groupBitmapState(id)
    FROM ({rows}) AS f
    INNER JOIN (SELECT person_ref, id FROM person_ids WHERE person_ref IN (SELECT person_ref FROM ({rows}))) AS i
        USING person_ref
    GROUP BY k, day, s, g
    """


def people_slices(*, all_slices: bool = False) -> list[str]:
    """Add the people of the person facts in the (街镇, day) slices of ``dirty_flows`` (source
    ``people``) to their sets. Adding someone already there changes nothing, so a slice is simply
    added again whole: no ``FINAL`` needed, and a replay or a retry is harmless."""
    slices = "1" if all_slices else \
        "(street_code, day) IN (SELECT street_code, day FROM dirty_flows WHERE source = 'people')"
    rows = f"SELECT day, person_ref, kind, street_code, key_groups FROM person_facts WHERE {slices} AND {PEOPLE_KINDS}"
    return [number("person_ids", "person_ref", rows), _insert_sets(rows, "kind", "street_code", "key_groups")]


def served_by_cases(*, all_cases: bool = False) -> list[str]:
    """Add the people the 红娘 served (a referral naming them, or a contact on a case dispatched for
    them, on the day of the referral or contact) for the cases in ``dirty_cases`` to the ``served``
    sets. A dispatch arriving after its contact is found too: both are the same case's events."""
    where = "1" if all_cases else "case_id IN (SELECT case_id FROM dirty_cases)"
    rows = f"""
        SELECT day, person_ref FROM case_chain WHERE {where} AND kind = 'referral' AND person_ref != ''
        UNION ALL
        SELECT c.day AS day, d.person_ref AS person_ref
        FROM (SELECT case_id, day FROM case_chain WHERE {where} AND kind = 'contacted') AS c
        INNER JOIN (SELECT case_id, person_ref FROM case_chain
                    WHERE {where} AND kind = 'dispatched' AND person_ref != '') AS d USING case_id"""
    return [number("person_ids", "person_ref", rows), _insert_sets(rows, "'served'", "''", _NO_GROUPS)]


GRANTED_PEOPLE = "programme_granted:"
"""The kind of the sets of people granted a programme (``people_daily``): this prefix and the
programme's code. A person granted a subsidy twice in a period is one person of it."""


def programme_people(*, all_slices: bool = False) -> list[str]:
    """Add the people granted a programme in the (街镇, day) slices of ``dirty_flows`` (source
    ``programme``, the slices the programme facts touched) to the sets ``programme_granted:<code>``,
    by 街镇 and no key groups (programme events carry none). Like :func:`people_slices`, a slice is
    added again whole: a union with itself changes nothing. Grants to businesses have no person_ref."""
    slices = "1" if all_slices else \
        "(street_code, day) IN (SELECT street_code, day FROM dirty_flows WHERE source = 'programme')"
    rows = (f"SELECT day, person_ref, programme_code, street_code FROM programme_facts "
            f"WHERE {slices} AND kind = 'granted' AND person_ref != ''")
    return [number("person_ids", "person_ref", rows),
            _insert_sets(rows, f"concat('{GRANTED_PEOPLE}', programme_code)", "street_code", _NO_GROUPS)]


def people_rebuild_statements() -> list[str]:
    """The sets of people and of cases from every fact (``migrations/0005_people_sets_and_daily_reads.py``)."""
    return [*people_slices(all_slices=True), *served_by_cases(all_cases=True), *case_states(all_cases=True)]


def refresh_steps() -> list[tuple[str, list[str]]]:
    """``(dirty table emptied afterwards, statements)`` in the order a refresh runs them: each step's
    statements feed the dirty tables of later steps, through the materialized views."""
    return [
        ("dirty_people", person_deltas()),
        ("dirty_vacancies", [vacancy_deltas()]),
        ("dirty_employers", [employer_deltas()]),
        ("dirty_cases", [*case_states(), *served_by_cases(), station_day_sums()]),
        ("dirty_stock_days", [stock_day_sums()]),
        ("dirty_flows", [*(flow_day_sums(source) for source in FLOW_SOURCES), *people_slices(),
                         *programme_people()]),
        ("dirty_months", [stock_month_sums()]),
    ]


def _case_rows_all() -> str:
    """``case_state`` from every case (migration 0004; 0005 adds the sets of cases)."""
    return f"INSERT INTO case_state (day, street_code, case_id, contacted, referred, breached) {_case_rows('1')}"


def rebuild_statements() -> list[str]:
    """The state tables of ``migrations/0004_aggregated_state.py`` built from every fact."""
    return [
        *person_deltas(all_people=True), vacancy_deltas(all_vacancies=True), _case_rows_all(),
        *[flow_slices(source, all_slices=True) for source in FIRST_FLOW_SOURCES],
        stock_days(all_days=True, industry=False), stock_months(all_months=True, industry=False),
        *(f"TRUNCATE TABLE IF EXISTS {table}" for table, _ in refresh_steps()),
    ]


# --- reading: a period's sum from the monthly and daily tables -----------------------------------------

EPOCH = "toDate('1970-01-01')"


NO_KEY = {"key": "''", "key_join": "", "daily_from": "toDate('2149-06-06')"}
"""The ``summed`` placeholders when the rows are not split by week or key group."""


SUM_TABLES = {"stock": ("stock_daily_sum", "stock_monthly_sum"), "flow": ("flow_daily_sum", ""),
              "people": ("people_daily", "")}
"""Per family, its daily and (for the stocks) monthly table: sums and sets, none read with ``FINAL``."""


def summed(family: str, columns: str, where: str, start: str, end: str, *, keyed: bool = True) -> str:
    """Rows of the family's monthly table for the months wholly inside ``[start, end]`` and of its
    daily table for the days of the partial months at either end: together, each day of the period
    exactly once, from at most a month's daily rows at each end. The flows and the sets of people
    have no monthly table: their daily tables grow with the days of history only (a day's rows are
    bounded by its 街镇, key groups and kinds), a period is at most a few years of days, and one table
    read is cheaper than two over state this small. The stocks, read from the epoch, keep the months.

    Placeholders for a breakdown in one scan (``Indicator.render``): ``$key_join`` may
    ``ARRAY JOIN`` each row to the weeks or key groups it counts in, as ``$key`` (a ``key`` column);
    ``$daily_from`` (a month's first day) moves the months from it on to the daily rows, so that
    weeks can be told apart. ``keyed=False``: no breakdown (the rows' ``key`` is empty)."""
    daily, monthly = SUM_TABLES[family]
    key, key_join, daily_from = ("$key", "$key_join", "$daily_from") if keyed else ("''", "", NO_KEY["daily_from"])
    if not monthly:
        return f"""(
        SELECT {columns}, {key} AS key FROM {daily} {key_join}
        WHERE {where} AND day BETWEEN {start} AND {end}
    )"""
    partial_head = f"(toStartOfMonth(day) = toStartOfMonth({start}) AND {start} != toStartOfMonth({start}))"
    partial_tail = f"(toStartOfMonth(day) = toStartOfMonth({end}) AND {end} != toLastDayOfMonth({end}))"
    return f"""(
        SELECT {columns}, {key} AS key FROM {monthly} {key_join}
        WHERE {where} AND day >= {start} AND toLastDayOfMonth(day) <= {end} AND toLastDayOfMonth(day) < {daily_from}
        UNION ALL
        SELECT {columns}, {key} AS key FROM {daily} {key_join}
        WHERE {where} AND day BETWEEN {start} AND {end} AND ({partial_head} OR {partial_tail} OR day >= {daily_from})
    )"""
