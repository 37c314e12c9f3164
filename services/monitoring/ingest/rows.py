"""Events to ClickHouse rows: pure functions, no I/O (snuba's ``process_message`` shape).

``rows_for(event)`` maps one validated event to the rows it adds, per table. The same event always
gives the same rows — that is what makes redelivery harmless (the tables are ReplacingMergeTrees
keyed on ``event_id``; see ``migrations/0001_event_log_and_facts.py``). Nothing here reads state:
current state (a person's status, a posting's open posts) is the latest row per aggregate, taken
with ``argMax`` by ``(event_time, event_id)`` in the indicator queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import orjson

from schemas import CloudEvent, EventData
from schemas.events import (
    alert,
    community,
    enterprise,
    household,
    layoff,
    programme,
    referral,
    registration,
    statistics,
    vacancy,
)
from schemas.fields import SHANGHAI
from schemas.vocab import CaseOrigin

Row = tuple[Any, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "topic", "type", "subject", "event_time", "day", "street_code", "payload"),
    "person_facts": ("event_id", "event_time", "day", "kind", "person_ref", "street_code", "key_groups",
                     "closed_registration", "unemployed_since", "was_registered_unemployed", "employment_form",
                     "industry_section"),
    "vacancy_facts": ("event_id", "event_time", "day", "kind", "vacancy_id", "street_code", "vacancy_kind",
                      "industry_section", "headcount", "open_headcount", "valid_until"),
    "employers": ("employer_ref", "street_code", "industry_section", "industry_division", "staff_count",
                  "event_time", "event_id"),
    "session_facts": ("event_id", "event_time", "day", "kind", "session_id", "session_kind", "street_code",
                      "viewers", "applications", "hires"),
    "layoff_facts": ("event_id", "event_time", "day", "report_id", "employer_ref", "street_code",
                     "industry_section", "industry_division", "total_staff", "planned_cuts", "is_mass_layoff",
                     "notice_days", "notice_compliant", "planned_on"),
    "headcount_facts": ("event_id", "event_time", "day", "report_id", "employer_ref", "month", "street_code",
                        "industry_section", "baseline_headcount", "current_headcount", "supersedes_report_id"),
    "case_facts": ("event_id", "event_time", "day", "kind", "case_id", "station_code", "street_code", "on_time",
                   "sla", "outcome", "person_ref"),
    "programme_facts": ("event_id", "event_time", "day", "kind", "programme_code", "street_code", "recipient",
                        "amount_yuan", "retained", "certificate", "person_ref", "occupation_code", "level"),
    "livestream_facts": ("event_id", "event_time", "day", "kind", "session_id", "vacancy_id", "street_code", "at",
                         "viewers", "hired"),
    "policy_facts": ("event_id", "event_time", "day", "kind", "ref", "programme_code", "street_code", "eligible_on"),
    "incubator_facts": ("event_id", "event_time", "day", "kind", "street_code", "level", "new_municipal", "headcount"),
    "household_facts": ("event_id", "event_time", "day", "kind", "household_ref", "street_code", "community_code",
                        "identified_on", "cleared_on"),
    "certification_facts": ("event_id", "event_time", "day", "community_code", "street_code", "level", "year"),
    "enterprise_facts": ("event_id", "event_time", "day", "kind", "employer_ref", "street_code", "item_id",
                         "occupation_code", "headcount", "opened_on", "due_on", "closed_on"),
    "survey_rates": ("event_id", "event_time", "period", "rate_percent", "source"),
    "alerts": ("event_id", "event_time", "alert_id", "status", "level", "scope_kind", "scope_code", "signal",
               "value", "threshold", "window", "source"),
}
"""Columns written per table, in the order of the row tuples."""

_PERSON_KIND: dict[type[EventData], str] = {
    registration.JobseekerRegistered: "jobseeker",
    registration.UnemploymentRegistered: "unemployment",
    registration.EmploymentRegistered: "employment",
    registration.FollowupRecorded: "followup",
    registration.HardshipCertified: "hardship",
    registration.RegistrationClosed: "closed",
}
_VACANCY_KIND: dict[type[EventData], str] = {
    vacancy.VacancyPosted: "posted", vacancy.VacancyUpdated: "updated", vacancy.VacancyFilled: "filled",
    vacancy.VacancyClosed: "closed", vacancy.VacancyFlagged: "flagged",
}
_SESSION_KIND: dict[type[EventData], str] = {
    vacancy.RecruitmentSessionScheduled: "scheduled", vacancy.RecruitmentSessionStarted: "started",
    vacancy.RecruitmentSessionEnded: "ended",
}
LIVE_KIND: dict[type[EventData], tuple[str, str]] = {
    vacancy.RecruitmentViewersSampled: ("sample", "sampled_at"),
    vacancy.RecruitmentApplicationReceived: ("application", "applied_at"),
    vacancy.RecruitmentApplicationDecided: ("decided", "decided_at"),
}
"""Per 直播带岗 live event: its kind in ``livestream_facts`` and the field holding the moment it happened
(the fact's ``at``, and its day in Asia/Shanghai)."""
_CASE_KIND: dict[type[EventData], str] = {
    referral.CaseDispatched: "dispatched", referral.CaseContacted: "contacted", referral.ReferralMade: "referral",
    referral.ReferralOutcome: "outcome", referral.CaseSlaBreached: "sla_breached", referral.CaseClosed: "closed",
}
PROGRAMME_KIND: dict[type[EventData], tuple[str, str | None]] = {
    programme.CourseOpened: ("course_opened", "starts_on"), programme.Enrolled: ("enrolled", "enrolled_on"),
    programme.Completed: ("completed", "completed_on"), programme.LoanIssued: ("loan_issued", "issued_on"),
    programme.Granted: ("granted", "granted_on"), programme.Paid: ("paid", "paid_on"),
    programme.PlacementStarted: ("placement_started", "starts_on"),
    programme.PlacementEnded: ("placement_ended", "ended_on"),
    programme.Eligible: ("eligible", None), programme.Refused: ("refused", "refused_on"),
    programme.CertificateIssued: ("certificate_issued", "issued_on"),
}
"""Per programme event: its kind in ``programme_facts`` and the field holding the day it happened
(a completion, a loan, a grant … is counted on its own date, which may be before the event was
recorded); ``None``: the event's own day."""
INCUBATOR_KIND: dict[type[EventData], tuple[str, str]] = {
    programme.IncubatorRecognised: ("recognised", "recognised_on"),
    programme.IncubateeEntered: ("entered", "entered_on"), programme.IncubateeLeft: ("left", "left_on"),
    programme.IncubateeJobsReported: ("jobs", "reported_on"),
}
"""Per 创业孵化基地 event: its kind in ``incubator_facts`` and the field holding the day it happened."""
ENTERPRISE_KIND: dict[type[EventData], tuple[str, str]] = {
    enterprise.KeyEnterpriseRegistered: ("key_registered", "enrolled_on"),
    enterprise.IssueOpened: ("issue_opened", "opened_on"), enterprise.IssueClosed: ("issue_closed", "closed_on"),
    enterprise.ShortageReported: ("shortage_reported", "reported_on"),
    enterprise.ShortageClosed: ("shortage_closed", "closed_on"),
    enterprise.MonitoringEnrolled: ("monitoring_enrolled", "enrolled_on"),
}
"""Per enterprise event: its kind in ``enterprise_facts`` and the field holding the day it happened."""
_ALERT_STATUS = {
    alert.AlertRaised: "open", alert.AlertUpdated: "open", alert.AlertAcknowledged: "open",
    alert.AlertResolved: "resolved",
}


def shanghai_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware time: the day every table buckets by."""
    return moment.astimezone(SHANGHAI).date()


def rows_for(event: CloudEvent) -> dict[str, list[Row]]:
    """Rows one event adds, by table. Every event adds one ``events`` row (the raw log)."""
    # This runs for every event the worker ingests, so optional fields are read from the model's
    # ``__dict__`` (``getattr`` with a default costs an exception when the model lacks the field),
    # and the payload — ``{"data": …}`` as ``event.model_dump_json(include={"data"})`` would give
    # it — is serialised by the data model's own serializer, at half the cost of an ``include``.
    data = event.data
    fields = data.__dict__
    at = event.time.astimezone(UTC)
    day = shanghai_day(event.time)
    out: dict[str, list[Row]] = {
        "events": [(event.id, event.topic, event.type, event.subject, at, day, str(fields.get("street_code") or ""),
                    b'{"data":' + data.__pydantic_serializer__.to_json(data) + b"}")],
    }
    head = (event.id, at, day)
    kind = type(data)
    if kind in _PERSON_KIND:
        out["person_facts"] = [_person_row(head, _PERSON_KIND[kind], data)]
    elif kind in _VACANCY_KIND:
        out["vacancy_facts"] = [_vacancy_row(head, _VACANCY_KIND[kind], data)]
    elif kind in _SESSION_KIND:
        ended = data if isinstance(data, vacancy.RecruitmentSessionEnded) else None
        out["session_facts"] = [(*head, _SESSION_KIND[kind], data.session_id, str(data.kind), data.street_code,
                                 ended.viewers if ended else 0, ended.applications if ended else 0,
                                 ended.hires if ended else 0)]
    elif kind in LIVE_KIND:
        out["livestream_facts"] = [_live_row(event, data)]
    elif kind in _CASE_KIND:
        out["case_facts"] = [(*head, _CASE_KIND[kind], data.case_id, data.station_code, data.street_code,
                              int(bool(fields.get("on_time"))), str(fields.get("sla") or ""),
                              str(fields.get("outcome") or ""), fields.get("person_ref") or "")]
        if kind is referral.CaseDispatched and data.origin is CaseOrigin.POLICY:
            out["policy_facts"] = [(*head, "case", data.case_id, data.programme_code, data.street_code, None)]
    elif isinstance(data, vacancy.EmployerRegistered):
        out["employers"] = [(data.employer_ref, data.street_code, str(data.industry.section),
                             data.industry.division or "", data.staff_count, at, event.id)]
    elif isinstance(data, layoff.LayoffReported):
        out["layoff_facts"] = [(*head, data.report_id, data.employer_ref, data.street_code,
                                str(data.industry.section), data.industry.division or "", data.staff_count,
                                data.planned_cuts, int(data.is_mass_layoff), data.notice_days,
                                int(data.notice_compliant), data.planned_on)]
    elif isinstance(data, layoff.HeadcountReported):
        out["headcount_facts"] = [(*head, data.report_id, data.employer_ref, data.month, data.street_code,
                                   str(data.industry.section), data.baseline_headcount, data.current_headcount,
                                   data.supersedes_report_id or "")]
    elif kind in PROGRAMME_KIND:
        out["programme_facts"] = [_programme_row(event, data)]
        if fields.get("eligible_on") is not None:  # a grant or payment 政策找人 found the person for
            grant = isinstance(data, programme.Granted)
            out["policy_facts"] = [(event.id, at, data.granted_on if grant else data.paid_on,
                                    "granted" if grant else "paid", data.grant_id, data.programme_code,
                                    data.street_code, data.eligible_on)]
    elif kind in INCUBATOR_KIND:
        out["incubator_facts"] = [_incubator_row(event, data)]
    elif isinstance(data, household.ZeroEmploymentIdentified):
        out["household_facts"] = [(event.id, at, data.identified_on, "identified", data.household_ref,
                                   data.street_code, data.community_code, data.identified_on, None)]
    elif isinstance(data, household.ZeroEmploymentCleared):
        out["household_facts"] = [(event.id, at, data.cleared_on, "cleared", data.household_ref, data.street_code,
                                   data.community_code, data.identified_on, data.cleared_on)]
    elif isinstance(data, community.CommunityCertified):
        out["certification_facts"] = [(event.id, at, data.certified_on, data.community_code, data.street_code,
                                       str(data.level), data.year)]
    elif kind in ENTERPRISE_KIND:
        out["enterprise_facts"] = [_enterprise_row(event, data)]
    elif isinstance(data, statistics.SurveyRateReported):
        out["survey_rates"] = [(event.id, at, data.period, data.rate_percent, data.source)]
    elif kind in _ALERT_STATUS:
        out["alerts"] = [alert_row(event)]
    return out


def alert_row(event: CloudEvent) -> Row:
    """The ``alerts`` row of one alert event (also written directly by the warning engine)."""
    data = event.data
    return (event.id, event.time.astimezone(UTC), data.alert_id, _ALERT_STATUS[type(data)], str(data.level),
            str(data.scope_kind), data.scope_code, data.signal, data.value, data.threshold, data.window,
            str(data.source))


def _programme_row(event: CloudEvent, data: Any) -> Row:
    """A programme fact: on the day it happened, with its programme, 街镇, recipient kind (a person or
    an employer), amount (元: a loan, grant or payment), whether a trainee was kept (见习), whether a
    certificate was awarded (a completion), the person's pseudonymous ``person_ref`` (so the figures
    can count distinct people, as the cohort rates do) and a certificate's occupation and level."""
    kind, on = PROGRAMME_KIND[type(data)]
    fields = data.__dict__
    recipient = "employer" if fields.get("employer_ref") and not fields.get("person_ref") else "person"
    return (event.id, event.time.astimezone(UTC), fields[on] if on else shanghai_day(event.time), kind,
            data.programme_code or "", data.street_code, recipient, int(fields.get("amount_yuan") or 0),
            int(bool(fields.get("retained_after"))), int(bool(fields.get("certificate"))),
            fields.get("person_ref") or "", fields.get("occupation_code") or "",
            int(fields.get("level") or 0) if isinstance(data, programme.CertificateIssued) else 0)


def _incubator_row(event: CloudEvent, data: Any) -> Row:
    """A 创业孵化基地 fact: on its own day, with the level a recognition gives, whether it is the one that
    first brings the base to 市级 or above (new_municipal: the plan's count, §6) and the jobs a firm
    reported. The base's name and the firm are not kept: the figures are counts and sums."""
    kind, on = INCUBATOR_KIND[type(data)]
    fields = data.__dict__
    level, previous = fields.get("level"), fields.get("previous_level")
    new_municipal = level is not None and level.rank >= 2 and (previous is None or previous.rank < 2)
    return (event.id, event.time.astimezone(UTC), fields[on], kind, data.street_code, str(level or ""),
            int(new_municipal), int(fields.get("headcount") or 0))


def _live_row(event: CloudEvent, data: Any) -> Row:
    """A 直播带岗 live fact: a viewer sample, an application or a decision on one, on the day it
    happened, with its session, vacancy and 街镇. No person reference: the figures are counts."""
    kind, on = LIVE_KIND[type(data)]
    fields = data.__dict__
    moment = fields[on].astimezone(UTC)
    return (event.id, event.time.astimezone(UTC), shanghai_day(moment), kind, data.session_id,
            fields.get("vacancy_id") or "", data.street_code, moment, int(fields.get("viewers") or 0),
            int(bool(fields.get("hired"))))


def _enterprise_row(event: CloudEvent, data: Any) -> Row:
    """An enterprise fact: on the day it happened, with the issue or shortage it is about (``item_id``),
    the shortage's occupation and headcount (an enrolment's baseline), and the issue's days."""
    kind, on = ENTERPRISE_KIND[type(data)]
    fields = data.__dict__
    opened = fields.get("opened_on") or fields.get("reported_on") or fields[on]
    return (event.id, event.time.astimezone(UTC), fields[on], kind, data.employer_ref, data.street_code,
            fields.get("issue_id") or fields.get("shortage_id") or "", fields.get("occupation_code") or "",
            int(fields.get("headcount") or fields.get("baseline_headcount") or 0), opened, fields.get("due_on"),
            fields.get("closed_on"))


def _person_row(head: tuple[Any, ...], kind: str, data: Any) -> Row:
    employment = data if isinstance(data, registration.EmploymentRegistered) else None
    since = data.__dict__.get("unemployed_since")
    closed = str(data.registration) if isinstance(data, registration.RegistrationClosed) else ""
    return (*head, kind, data.person_ref, data.street_code, [str(g) for g in data.key_groups], closed, since,
            int(employment.was_registered_unemployed) if employment else 0,
            str(employment.form) if employment else "",
            str(employment.industry.section) if employment and employment.industry else "")


def _vacancy_row(head: tuple[Any, ...], kind: str, data: Any) -> Row:
    if isinstance(data, vacancy.VacancyPosted | vacancy.VacancyUpdated):
        return (*head, kind, data.vacancy_id, data.street_code, str(data.kind), str(data.industry.section),
                data.headcount, data.headcount, data.valid_until)
    if isinstance(data, vacancy.VacancyFilled):
        return (*head, kind, data.vacancy_id, data.street_code, str(data.kind), "", 0, data.remaining, None)
    # closed or withheld (flagged): no open posts until a later update
    return (*head, kind, data.vacancy_id, str(data.__dict__.get("street_code", "")), "", "", 0, 0, None)


def json_lines(rows: Iterable[Row]) -> bytes:
    """Rows as ClickHouse's ``JSONCompactEachRow`` (``Store.INSERT_FORMAT``): one JSON array a line.

    Lines of many events simply concatenate, and ClickHouse parses them in its own threads, off
    Python's interpreter lock. A ``bytes`` value is JSON text already (the raw log's payload) and
    goes in as it is; ClickHouse stores a JSON object read into a String column as its text.
    """
    return b"".join(orjson.dumps(row, default=_json_text) + b"\n" for row in rows)


def _json_text(value: Any) -> orjson.Fragment:
    if isinstance(value, bytes):
        return orjson.Fragment(value)
    raise TypeError(f"no JSON for {type(value).__name__}")


class EncodedEvent(NamedTuple):
    """One valid event as the worker writes it (made by ``encoding.encode``, in the decoding child)."""

    id: str
    lines: dict[str, bytes]
    """Its rows per table, as :func:`json_lines`."""
    scopes: tuple[tuple[str, str, str], ...]
    """The warning scopes it touches (``alerting.touched_scopes``; the kind as its value)."""
