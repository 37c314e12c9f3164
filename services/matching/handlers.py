"""Event handlers: keep the read models current and trigger cases and referrals.

Contract (see ``services.runtime.streaming``): :meth:`EventApplier.apply_batch` gets decoded events in
partition order and may be called again with the same events after a crash. Each event is handled in
its own transaction that also records its id in ``processed_events``, so a redelivered event is a
no-op and a half-handled one never exists. The changed people and vacancies rows are stamped with a
revision (:func:`store.stamp_revision`) and the in-memory index is updated only after the commit;
the rows other replicas change reach it through :mod:`services.matching.sync`.

Events about an aggregate not seen yet (``unemployment.registered`` before ``jobseeker.registered``,
``vacancy.filled`` before ``vacancy.posted``) are parked in ``pending_events`` and replayed, state
only, when the aggregate arrives. A request that should open a case while no station is active is
parked under ``station`` and dispatched by :func:`dispatch_parked` when a station is created.

Triggers (effects, run once per event):
- ``jobseeker.registered`` / ``unemployment.registered``: a case for the person (unless one is open)
  and referrals to their top vacancies (人找岗);
- ``vacancy.posted``: a case at the vacancy's 街镇 and referrals of the top candidates (岗找人);
- ``layoff.reported`` that is a mass layoff: an early-intervention case at the employer's station,
  with open vacancies of the employer's industry pre-matched to the skills its own postings asked for;
- ``programme.eligible`` (政策找人): a case of origin ``policy`` at the person's station, naming the
  programme and why (the clauses and the facts that met them), with the same deadlines as any case;
  a ``programme.granted``, ``programme.placement_started`` or ``programme.refused`` for that person and
  programme closes it. One that arrives first (another partition) waits in ``policy_settlements``
  and closes the case as soon as it opens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from schemas import CloudEvent, parse_event
from schemas.events import household as hh
from schemas.events import layoff as layoff_events
from schemas.events import programme as prog
from schemas.events import registration as reg
from schemas.events import vacancy as vac
from schemas.events.base import PersonEventData
from schemas.vocab import (
    CaseCloseReason,
    CaseOrigin,
    ReferralDirection,
    RefusalReason,
    RegistrationKind,
    ZeroEmploymentClearReason,
)

from . import cases, domain
from .index import MatchIndex
from .store import (
    EmployerRow,
    PendingEvent,
    PersonRow,
    PolicySettlement,
    ProcessedEvent,
    VacancyRow,
    open_case_for_person,
    open_household_case,
    open_policy_case,
    stamp_revision,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
STATION = "station"
REFUSAL_CLOSES_AS = {RefusalReason.DECLINED: CaseCloseReason.DECLINED,
                     RefusalReason.UNREACHABLE: CaseCloseReason.UNREACHABLE,
                     RefusalReason.NOT_ELIGIBLE: CaseCloseReason.OTHER, RefusalReason.OTHER: CaseCloseReason.OTHER}


def household_reason(data: hh.ZeroEmploymentIdentified) -> str:
    """Why a 一户一策 case was opened, in Chinese, for the 红娘 who visits the family."""
    return (f"零就业家庭（{data.community}，{data.members}口之家，{len(data.seeking_members)}人有就业意愿），"
            f"{data.identified_on:%Y-%m-%d}认定：请当天联系，一户一策帮扶至少一人就业")[:500]


def policy_reason(data: prog.Eligible) -> str:
    """Why a 政策找人 case was opened, in Chinese, for the 红娘 who calls the person."""
    clauses = "；".join(clause.clause for clause in data.clauses)
    return (f"政策找人：符合{data.programme_name}的条件（{clauses}；规则版本 {data.rule_version}），"
            "请当天联系本人告知政策并协助办理")[:500]


class EventApplier:
    """Applies events to the database and then to the index; one event at a time (a lock)."""

    def __init__(self, sessions: sessionmaker[Session], index: MatchIndex, clock: Clock, *,
                 referrals: int = 5, after_commit: Callable[[], None] = lambda: None) -> None:
        self.sessions, self.index, self.clock = sessions, index, clock
        self.referrals, self.after_commit = referrals, after_commit
        self._lock = threading.Lock()

    def apply_batch(self, events: Sequence[CloudEvent]) -> None:
        with self._lock:
            for event in events:
                self._apply(event)
        self.after_commit()

    def _apply(self, event: CloudEvent) -> None:
        with self.sessions.begin() as session:
            if session.get(ProcessedEvent, event.id) is not None:
                return
            session.add(ProcessedEvent(event_id=event.id))
            handler = Handler(session, self.index, self.clock(), self.referrals)
            handler.handle(event, effects=True)
            people, vacancies = handler.touched_rows()
            if not people and not vacancies:
                return
            revision = stamp_revision(session, [p.person_ref for p, _ in people], [v.vacancy_id for v in vacancies])
        for person, active in people:
            self.index.put_person(person, active, revision)
        for vacancy in vacancies:
            self.index.put_vacancy(vacancy, revision)
        self.index.advance(revision, contiguous=True)


class Handler:
    """Handles events inside one transaction and remembers which read-model rows changed."""

    def __init__(self, session: Session, index: MatchIndex, now: datetime, referrals: int) -> None:
        self.session, self.index, self.now, self.referrals = session, index, now, referrals
        self.today = cases.local_date(now)
        self._people: set[str] = set()
        self._vacancies: set[str] = set()

    def touched_rows(self) -> tuple[list[tuple[domain.Person, bool]], list[domain.Vacancy]]:
        self.session.flush()
        people = [(person.to_domain(), person.active) for ref in self._people
                  if (person := self.session.get(PersonRow, ref)) is not None]
        vacancies = [vacancy.to_domain() for vid in self._vacancies
                     if (vacancy := self.session.get(VacancyRow, vid)) is not None]
        return people, vacancies

    def handle(self, event: CloudEvent, *, effects: bool) -> None:
        data = event.data
        if isinstance(data, reg.JobseekerRegistered):
            self._jobseeker(data)
            self._reconcile(f"person:{data.person_ref}", event)
            if effects:
                self._person_case(data.person_ref, event)
        elif isinstance(data, reg.RegistrationClosed | reg.EmploymentRegistered | reg.UnemploymentRegistered
                        | reg.HardshipCertified | reg.FollowupRecorded):
            row = self.session.get(PersonRow, data.person_ref)
            if row is None:
                self._park(f"person:{data.person_ref}", event)
                return
            self._person_update(row, data)
            if effects and isinstance(data, reg.UnemploymentRegistered):
                self._person_case(data.person_ref, event)
        elif isinstance(data, vac.EmployerRegistered):
            self.session.merge(EmployerRow(employer_ref=data.employer_ref, industry=data.industry.section.value,
                                           street_code=data.street_code))
        elif isinstance(data, vac.VacancyPosted):
            self._vacancy_state(data)
            self._reconcile(f"vacancy:{data.vacancy_id}", event)
            if effects:
                self._vacancy_case(data.vacancy_id, event)
        elif isinstance(data, vac.VacancyUpdated | vac.VacancyFilled | vac.VacancyClosed | vac.VacancyFlagged):
            vacancy = self.session.get(VacancyRow, data.vacancy_id)
            if vacancy is None:
                self._park(f"vacancy:{data.vacancy_id}", event)
                return
            self._vacancy_update(vacancy, data)
        elif isinstance(data, layoff_events.LayoffReported) and data.is_mass_layoff and effects:
            self._layoff_case(data, event)
        elif isinstance(data, prog.Eligible) and effects:
            self._policy_case(data, event)
        elif isinstance(data, prog.Granted | prog.PlacementStarted | prog.Refused) and effects:
            self._policy_settled(data, event)
        elif isinstance(data, hh.ZeroEmploymentIdentified) and effects:
            self._household_case(data, event)
        elif isinstance(data, hh.ZeroEmploymentCleared) and effects:
            self._household_cleared(data)

    # --- read models ------------------------------------------------------------------------------

    def _jobseeker(self, data: reg.JobseekerRegistered) -> None:
        row = self.session.get(PersonRow, data.person_ref)
        if row is None:
            row = PersonRow(person_ref=data.person_ref, unemployed_since=None)
            self.session.add(row)
        row.street_code, row.community, row.age = data.street_code, data.community, data.age
        row.education = data.education.value
        row.skills = domain.skills_by_name(data.skills)
        row.desired_industry = data.desired_industry.value if data.desired_industry else None
        row.desired_salary_min = data.desired_salary_min
        row.key_groups = [g.value for g in data.key_groups]
        row.active = True
        self._people.add(data.person_ref)

    def _person_update(self, row: PersonRow, data: PersonEventData) -> None:
        row.street_code, row.key_groups = data.street_code, [g.value for g in data.key_groups]
        if isinstance(data, reg.UnemploymentRegistered):
            row.unemployed_since, row.active = data.unemployed_since, True
        elif isinstance(data, reg.EmploymentRegistered):
            row.active, row.unemployed_since = False, None
            case = open_case_for_person(self.session, row.person_ref)
            if case is not None:
                case.placed = data.case_id == case.case_id or data.vacancy_id is not None
                cases.close(self.session, case, CaseCloseReason.RESOLVED, self.now)
        elif isinstance(data, reg.RegistrationClosed):
            if data.registration is RegistrationKind.JOBSEEKER:
                row.active = False
            else:
                row.unemployed_since = None
        self._people.add(row.person_ref)

    def _vacancy_state(self, data: vac.VacancyPosted | vac.VacancyUpdated) -> None:
        row = self.session.get(VacancyRow, data.vacancy_id)
        if row is None:
            row = VacancyRow(vacancy_id=data.vacancy_id, remaining=data.headcount, status="open")
            self.session.add(row)
        row.employer_ref, row.street_code = data.employer_ref, data.street_code
        row.industry = data.industry.section.value
        row.kind, row.salary_max = data.kind.value, data.salary_max
        row.education_required = data.education_required.value if data.education_required else None
        row.skills_required = domain.skills_by_name(data.skills_required)
        row.age_min, row.age_max, row.valid_until = data.age_min, data.age_max, data.valid_until
        if isinstance(data, vac.VacancyUpdated) and row.status == "flagged":
            row.status = "open"  # an update that passed the checks clears the flag
        self._vacancies.add(data.vacancy_id)

    def _vacancy_update(
        self, row: VacancyRow, data: vac.VacancyUpdated | vac.VacancyFilled | vac.VacancyClosed | vac.VacancyFlagged
    ) -> None:
        if isinstance(data, vac.VacancyUpdated):
            self._vacancy_state(data)
        elif isinstance(data, vac.VacancyFilled):
            row.remaining = data.remaining
            if data.fully_filled and row.status == "open":
                row.status = "filled"
        elif isinstance(data, vac.VacancyClosed):
            row.status = "closed"
        elif isinstance(data, vac.VacancyFlagged) and row.status == "open":
            row.status = "flagged"
        self._vacancies.add(row.vacancy_id)

    def _park(self, aggregate: str, event: CloudEvent) -> None:
        self.session.merge(PendingEvent(event_id=event.id, aggregate=aggregate, payload=event.to_json()))

    def _reconcile(self, aggregate: str, arrived: CloudEvent) -> None:
        """Replay, state only and in order, the parked events about ``aggregate`` that are newer than
        the event that just created it. Older ones are superseded: the creating event carries the
        full state (e.g. a posting first withheld by ``vacancy.flagged``, then fixed and posted).
        Event ids are UUIDv7, so their order is the order the events were made in."""
        pending = self.session.scalars(select(PendingEvent).where(PendingEvent.aggregate == aggregate)
                                       .order_by(PendingEvent.event_id)).all()
        for row in pending:
            if row.event_id > arrived.id:
                self.handle(parse_event(row.payload), effects=False)
        if pending:
            self.session.execute(delete(PendingEvent).where(PendingEvent.aggregate == aggregate))

    # --- effects ----------------------------------------------------------------------------------

    def _person_case(self, person_ref: str, event: CloudEvent) -> None:
        self.session.flush()
        row = self.session.get(PersonRow, person_ref)
        if row is None or not row.active or open_case_for_person(self.session, person_ref) is not None:
            return
        station = cases.pick_station(self.session, row.street_code, row.community)
        if station is None:
            self._park(STATION, event)
            return
        case = cases.open_case(self.session, station, CaseOrigin.SYSTEM, self.now, person_ref=person_ref)
        for match in self.index.top_vacancies(row.to_domain(), self.today, self.referrals):
            cases.refer(self.session, case, match, ReferralDirection.PERSON_TO_JOB, self.now)

    def _vacancy_case(self, vacancy_id: str, event: CloudEvent) -> None:
        self.session.flush()
        row = self.session.get(VacancyRow, vacancy_id)
        vacancy = row.to_domain() if row is not None else None
        if row is None or vacancy is None or not domain.vacancy_is_open(vacancy, self.today):
            return
        station = cases.pick_station(self.session, row.street_code)
        if station is None:
            self._park(STATION, event)
            return
        case = cases.open_case(self.session, station, CaseOrigin.SYSTEM, self.now, vacancy_id=vacancy_id,
                               employer_ref=row.employer_ref)
        for match in self.index.top_candidates(vacancy, self.today, self.referrals):
            cases.refer(self.session, case, match, ReferralDirection.JOB_TO_PERSON, self.now)

    def _layoff_case(self, data: layoff_events.LayoffReported, event: CloudEvent) -> None:
        station = cases.pick_station(self.session, data.street_code)
        if station is None:
            self._park(STATION, event)
            return
        likely_skills: dict[str, int] = {}
        for row in self.session.scalars(select(VacancyRow).where(VacancyRow.employer_ref == data.employer_ref)):
            for name, level in row.skills_required.items():
                likely_skills[name] = max(likely_skills.get(name, 0), level)
        prematched = domain.layoff_prematch(self.index.vacancies_in_industry(data.industry.section, self.today),
                                            data.street_code, likely_skills)
        cases.open_case(self.session, station, CaseOrigin.LAYOFF, self.now, employer_ref=data.employer_ref,
                        prematched=prematched)

    def _policy_case(self, data: prog.Eligible, event: CloudEvent) -> None:
        if open_policy_case(self.session, data.person_ref, data.programme_code) is not None:
            return
        person = self.session.get(PersonRow, data.person_ref)
        station = cases.pick_station(self.session, data.street_code, person.community if person else None)
        if station is None:
            self._park(STATION, event)
            return
        case = cases.open_case(self.session, station, CaseOrigin.POLICY, self.now, person_ref=data.person_ref,
                               programme_code=data.programme_code, reason=policy_reason(data))
        # a grant or refusal made after this eligibility that got here first (UUIDv7 ids: creation order)
        settled = self.session.scalars(
            select(PolicySettlement).where(PolicySettlement.person_ref == data.person_ref,
                                           PolicySettlement.programme_code == data.programme_code,
                                           PolicySettlement.event_id > event.id)
            .order_by(PolicySettlement.event_id).limit(1)).first()
        if settled is not None:
            cases.close(self.session, case, CaseCloseReason(settled.close_reason), self.now)
            self.session.delete(settled)

    def _policy_settled(self, data: prog.Granted | prog.PlacementStarted | prog.Refused, event: CloudEvent) -> None:
        if data.person_ref is None:
            return  # a grant to a business: 政策找人 finds people
        reason = REFUSAL_CLOSES_AS[data.reason] if isinstance(data, prog.Refused) else CaseCloseReason.RESOLVED
        case = open_policy_case(self.session, data.person_ref, data.programme_code)
        if case is not None:
            cases.close(self.session, case, reason, self.now)
            return
        self.session.merge(PolicySettlement(event_id=event.id, person_ref=data.person_ref,
                                            programme_code=data.programme_code, close_reason=reason.value,
                                            received_at=self.now))

    def _household_case(self, data: hh.ZeroEmploymentIdentified, event: CloudEvent) -> None:
        """一户一策: one case per identified family, at its community's station, with the usual deadlines.
        A family still helped by an open case (an identification replayed under a new id) gets no second."""
        if open_household_case(self.session, data.household_ref) is not None:
            return
        station = cases.pick_station(self.session, data.street_code, data.community)
        if station is None:
            self._park(STATION, event)
            return
        cases.open_case(self.session, station, CaseOrigin.HOUSEHOLD, self.now, household_ref=data.household_ref,
                        reason=household_reason(data))

    def _household_cleared(self, data: hh.ZeroEmploymentCleared) -> None:
        """清零 closes the family's case: resolved when a member found work, else closed as other."""
        case = open_household_case(self.session, data.household_ref)
        if case is None:
            return  # none open (closed by its 红娘, or the identification is still parked for a station)
        if data.reason is ZeroEmploymentClearReason.EMPLOYMENT:
            case.placed = True
            cases.close(self.session, case, CaseCloseReason.RESOLVED, self.now)
        else:
            cases.close(self.session, case, CaseCloseReason.OTHER, self.now)

    def dispatch_parked(self) -> int:
        """Open the cases parked for lack of a station (call after a station was created)."""
        # DELETE … RETURNING claims the rows: when two replicas create stations at once, each parked
        # request is returned to (and dispatched by) only the transaction that deleted it
        parked = self.session.execute(delete(PendingEvent).where(PendingEvent.aggregate == STATION)
                                      .returning(PendingEvent.event_id, PendingEvent.payload)
                                      .execution_options(synchronize_session=False)).all()
        for _, payload in sorted(parked):
            event = parse_event(payload)
            data = event.data
            if isinstance(data, PersonEventData):
                self._person_case(data.person_ref, event)
            elif isinstance(data, vac.VacancyPosted):
                self._vacancy_case(data.vacancy_id, event)
            elif isinstance(data, layoff_events.LayoffReported):
                self._layoff_case(data, event)
            elif isinstance(data, prog.Eligible):
                self._policy_case(data, event)
            elif isinstance(data, hh.ZeroEmploymentIdentified):
                self._household_case(data, event)
        return len(parked)
