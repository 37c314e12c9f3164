"""Vacancy titles, for the wall's 直播带岗 panel (applications and hires per vacancy shown).

Why: the live panel named each vacancy by the tail of its id; the title is on ``vacancy.posted`` and
``vacancy.updated`` (a job title, not personal data) but monitoring kept it in the raw log only.

``vacancy_titles`` holds one row per posting or update with its title, sorted by vacancy, so the
panel looks up the handful of vacancies a session shows by the sorting key, never the history. A view
reads the title from the raw log's payload as events are written (as ``community_chain`` does), so
the vacancy facts and their row function stay as they are; keyed by the event, a redelivered event
is one row under ``FINAL``, and the latest title is the ``argMax`` by ``(event_time, event_id)``. The
postings already in the raw log are read back.
"""

from schemas.events.vacancy import VacancyPosted, VacancyUpdated

_ROWS = """
    SELECT subject AS vacancy_id, event_time, event_id, JSONExtractString(payload, 'data', 'title') AS title
    FROM events"""
_WHERE = f"type IN ('{VacancyPosted.event_type}', '{VacancyUpdated.event_type}')"

forwards = [
    """
    CREATE TABLE IF NOT EXISTS vacancy_titles (
        vacancy_id String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        title String
    ) ENGINE = ReplacingMergeTree ORDER BY (vacancy_id, event_time, event_id)
    """,
    f"CREATE MATERIALIZED VIEW IF NOT EXISTS vacancy_titles_mv TO vacancy_titles AS {_ROWS} WHERE {_WHERE}",
    f"INSERT INTO vacancy_titles {_ROWS} FINAL WHERE {_WHERE}",
]

backwards = [
    "DROP VIEW IF EXISTS vacancy_titles_mv",
    "DROP TABLE IF EXISTS vacancy_titles",
]
