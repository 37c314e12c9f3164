"""Current state of people, postings, 红娘 cases and monitored enterprises, as views.

Why views and not tables: each aggregate's state is its latest fact by ``(event_time, event_id)``,
which ``argMax`` over the fact tables gives exactly and replay-safely; a second copy of that state
would have to be kept in step with the facts by the writer, and could drift after a crash. The
indicators inline the same ``argMax`` (with their period's end as the cut-off); these views are the
"as of now" state for panels, operators and ad-hoc queries.
"""

_K = "(f.event_time, f.event_id)"

forwards = [
    f"""
    CREATE VIEW IF NOT EXISTS people_current AS
    SELECT f.person_ref AS person_ref,
           argMax(f.street_code, {_K}) AS street_code,
           argMax(f.key_groups, {_K}) AS key_groups,
           argMaxIf(f.kind, {_K}, f.kind IN ('unemployment', 'employment')
                    OR (f.kind = 'closed' AND f.closed_registration = 'unemployment')) = 'unemployment'
               AS registered_unemployed,
           argMaxIf(f.unemployed_since, {_K}, f.kind = 'unemployment') AS unemployed_since,
           argMaxIf(f.kind, {_K}, f.kind IN ('jobseeker', 'unemployment', 'employment', 'closed'))
               IN ('jobseeker', 'unemployment') AS active_seeker,
           max(f.event_time) AS updated_at
    FROM person_facts AS f FINAL
    GROUP BY f.person_ref
    """,
    f"""
    CREATE VIEW IF NOT EXISTS vacancies_current AS
    SELECT f.vacancy_id AS vacancy_id,
           argMaxIf(f.street_code, {_K}, f.street_code != '') AS street_code,
           argMaxIf(f.vacancy_kind, {_K}, f.vacancy_kind != '') AS vacancy_kind,
           argMaxIf(f.industry_section, {_K}, f.kind IN ('posted', 'updated')) AS industry_section,
           argMax(f.kind, {_K}) AS last_event,
           argMax(f.open_headcount, {_K}) AS open_headcount,
           argMaxIf(f.valid_until, {_K}, f.kind IN ('posted', 'updated')) AS valid_until,
           max(f.event_time) AS updated_at
    FROM vacancy_facts AS f FINAL
    GROUP BY f.vacancy_id
    """,
    """
    CREATE VIEW IF NOT EXISTS cases_current AS
    SELECT f.case_id AS case_id,
           any(f.street_code) AS street_code,
           any(f.station_code) AS station_code,
           minIf(f.event_time, f.kind = 'dispatched') AS dispatched_at,
           maxIf(f.on_time, f.kind = 'contacted') = 1 AS contacted_on_time,
           maxIf(f.on_time, f.kind = 'referral') = 1 AS referred_on_time,
           countIf(f.kind = 'sla_breached') > 0 AS breached,
           countIf(f.kind = 'closed') > 0 AS closed,
           max(f.event_time) AS updated_at
    FROM case_facts AS f FINAL
    GROUP BY f.case_id
    """,
    """
    CREATE VIEW IF NOT EXISTS monitored_employers AS
    SELECT f.employer_ref AS employer_ref,
           argMax(f.street_code, (f.month, f.event_time, f.event_id)) AS street_code,
           argMax(f.industry_section, (f.month, f.event_time, f.event_id)) AS industry_section,
           argMax(f.month, (f.month, f.event_time, f.event_id)) AS month,
           argMax(f.baseline_headcount, (f.month, f.event_time, f.event_id)) AS baseline_headcount,
           argMax(f.current_headcount, (f.month, f.event_time, f.event_id)) AS current_headcount
    FROM headcount_facts AS f FINAL
    GROUP BY f.employer_ref
    """,
]

backwards = [f"DROP VIEW IF EXISTS {view}"
             for view in ("monitored_employers", "cases_current", "vacancies_current", "people_current")]
