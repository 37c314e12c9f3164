"""The read model of person and employer facts, and 政策找人: what the service does with the events it
consumes (``leye.registration``, ``leye.household``, ``leye.vacancy``).

Contract (``services.runtime.streaming``): :meth:`FactApplier.apply_batch` gets valid events in
partition order and may get them again after a crash. A batch is applied in one transaction that
also records every event id in ``processed_events``, so a redelivered event is a no-op and a
half-applied batch never exists (the runtime retries a failed batch whole).

A household derived a 零就业家庭 (``household.zero_employment_identified``) gives each member seeking
work the flag and the group ``zero_employment_family`` until it is cleared; they are person facts
like the others. For a person event, the facts before and after it are compared; only the rules that read a fact
that changed (``eligibility.RuleIndex.affected``) are evaluated for that person. A rule that holds
where it did not (or for the first time) marks the person eligible and stages ``programme.eligible``
in the outbox, in the same transaction; one that no longer holds marks them not eligible (no event:
an open 红娘 case is closed by a grant or a refusal). A person who already received a one-off
programme is recorded eligible but not published again.

For 资金监管 (``funds.py``) the same transaction keeps each person's facts as every change left them
(``person_facts_history``, by the day the event was recorded) and their periods of employment
(``employment_spells``); an employment registration re-checks the person's paid grants, so a job
registered after a payment still flags it. For placements it keeps the postings' employer and kind
(``vacancy_facts``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

import uuid_utils
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from schemas import CloudEvent
from schemas.events import household as hh
from schemas.events import registration as reg
from schemas.events import vacancy as vac
from schemas.events.base import PersonEventData
from schemas.events.programme import ClauseMet, Eligible

from . import domain, events, funds
from .catalogue import Catalogue
from .eligibility import Rule, RuleIndex, explain
from .facts import NO_FACTS, PersonFacts, apply, apply_household, changed
from .store import (
    Eligibility,
    EmployerFactsRow,
    EmploymentSpellRow,
    FactsHistoryRow,
    Grant,
    PersonFactsRow,
    ProcessedEvent,
    VacancyFactsRow,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CHUNK = 500  # ids per IN (…) list: well below every engine's bound on parameters


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


class FactApplier:
    """Applies batches of events to the read model and evaluates the rules they touch; one batch at
    a time (a lock: the agents of both topics share it)."""

    def __init__(self, sessions: sessionmaker[Session], catalogue: Catalogue, clock: Clock,
                 after_commit: Callable[[], None] = lambda: None) -> None:
        self.sessions, self.catalogue, self.clock, self.after_commit = sessions, catalogue, clock, after_commit
        self.index = RuleIndex(catalogue)
        self._lock = threading.Lock()
        self.evaluations = 0  # rule evaluations so far (the benchmark reads it)
        self.flags = 0  # 资金监管 flags raised by registration events so far

    def apply_batch(self, batch: Sequence[CloudEvent]) -> int:
        """Apply ``batch``; return how many ``programme.eligible`` events it staged."""
        with self._lock, self.sessions.begin() as session:
            fresh = self._fresh(session, batch)
            if not fresh:
                return 0
            applied = _Batch(session, self, fresh)
            published = applied.apply()
        self.flags += applied.flags
        if published or applied.flags:
            self.after_commit()
        return published

    def _fresh(self, session: Session, batch: Sequence[CloudEvent]) -> list[CloudEvent]:
        ids = list(dict.fromkeys(event.id for event in batch))
        done: set[str] = set()
        for chunk in _chunks(ids):
            done.update(session.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id.in_(chunk))))
        seen: set[str] = set()
        fresh = []
        for event in batch:
            if event.id not in done and event.id not in seen:
                seen.add(event.id)
                fresh.append(event)
        return fresh


class _Batch:
    """One batch in one transaction: the rows it needs are read once, up front."""

    def __init__(self, session: Session, applier: FactApplier, batch: list[CloudEvent]) -> None:
        self.session, self.applier, self.batch = session, applier, batch
        self.now = applier.clock()
        self.people: dict[str, PersonFactsRow] = {}
        self.states: dict[tuple[str, str], Eligibility] = {}
        self.published = 0
        self.flags = 0

    def apply(self) -> int:
        refs = list(dict.fromkeys(e.data.person_ref for e in self.batch if isinstance(e.data, PersonEventData)))
        for chunk in _chunks(refs):
            for row in self.session.scalars(select(PersonFactsRow).where(PersonFactsRow.person_ref.in_(chunk))):
                self.people[row.person_ref] = row
            for state in self.session.scalars(select(Eligibility).where(Eligibility.person_ref.in_(chunk))):
                self.states[(state.person_ref, state.programme_code)] = state
        for event in self.batch:
            data = event.data
            if isinstance(data, PersonEventData):
                self._person(event, data)
            elif isinstance(data, hh.ZeroEmploymentIdentified):
                for ref in data.seeking_members:
                    self._household(event, ref, data, zero_employment=True)
            elif isinstance(data, hh.ZeroEmploymentCleared):
                members = list(self.session.scalars(select(PersonFactsRow.person_ref).where(
                    PersonFactsRow.household_ref == data.household_ref)))
                members += [ref for ref, row in self.people.items()  # flagged earlier in this batch
                            if row.household_ref == data.household_ref and ref not in members]
                for ref in members:
                    self._household(event, ref, data, zero_employment=False)
            elif isinstance(data, vac.EmployerRegistered):
                self.session.merge(EmployerFactsRow(employer_ref=data.employer_ref, street_code=data.street_code,
                                                    industry=data.industry.section.value, updated_at=self.now))
            elif isinstance(data, vac.VacancyPosted | vac.VacancyUpdated):
                self.session.merge(VacancyFactsRow(vacancy_id=data.vacancy_id, employer_ref=data.employer_ref,
                                                   kind=data.kind.value, updated_at=self.now))
        self.session.add_all(ProcessedEvent(event_id=event.id, processed_at=self.now) for event in self.batch)
        return self.published

    def _row(self, person_ref: str) -> tuple[PersonFactsRow, PersonFacts]:
        """The person's row (made when they are new) and their facts before this change. A person a
        household event names was not read up front: their row and eligibility are read here."""
        row = self.people.get(person_ref)
        if row is None and (row := self.session.get(PersonFactsRow, person_ref)) is not None:
            self.people[person_ref] = row
            for state in self.session.scalars(select(Eligibility).where(Eligibility.person_ref == person_ref)):
                self.states[(person_ref, state.programme_code)] = state
        if row is None:
            row = self.people[person_ref] = PersonFactsRow(person_ref=person_ref)
            self.session.add(row)
            return row, NO_FACTS
        return row, row.facts()

    def _person(self, event: CloudEvent, data: PersonEventData) -> None:
        row, before = self._row(data.person_ref)
        employment = data if isinstance(data, reg.EmploymentRegistered | reg.UnemploymentRegistered) else None
        self._changed(event, data.person_ref, row, before, apply(before, data), employment)

    def _household(self, event: CloudEvent, person_ref: str, data: hh.ZeroEmploymentIdentified
                   | hh.ZeroEmploymentCleared, *, zero_employment: bool) -> None:
        """A member's household became a 零就业家庭 or was cleared (the event may come before the
        member's registration events, from another topic: the row is made from the household's 街镇)."""
        row, before = self._row(person_ref)
        row.household_ref = data.household_ref if zero_employment else None
        self._changed(event, person_ref, row, before, apply_household(before, data.street_code, zero_employment))

    def _changed(self, event: CloudEvent, person_ref: str, row: PersonFactsRow, before: PersonFacts,
                 after: PersonFacts, employment: reg.EmploymentRegistered | reg.UnemploymentRegistered | None = None,
                 ) -> None:
        """Keep the new facts (and their history, which 资金监管 reads: before an employment's
        re-check), then evaluate the rules that read a fact that changed."""
        row.put(after, self.now)
        differ = changed(before, after)
        if differ:
            assert after.street_code is not None
            self.session.add(FactsHistoryRow(
                person_ref=person_ref, recorded_on=domain.local_day(event.time), street_code=after.street_code,
                key_groups=sorted(after.key_groups), status=after.status, employment_form=after.employment_form,
                unemployment_spells=after.unemployment_spells, graduation_year=after.graduation_year))
        if employment is not None:
            self._employment(employment)
        for rule in self.applier.index.affected(differ):
            self.applier.evaluations += 1
            self._evaluate(event, person_ref, rule, after)

    def _employment(self, data: reg.EmploymentRegistered | reg.UnemploymentRegistered) -> None:
        """A job ends the period before it and starts one; an unemployment registration ends it. Then
        the person's paid grants are checked again against their employment."""
        ends = data.employed_on if isinstance(data, reg.EmploymentRegistered) else data.unemployed_since
        for spell in self.session.scalars(select(EmploymentSpellRow).where(
                EmploymentSpellRow.person_ref == data.person_ref, EmploymentSpellRow.ended_on.is_(None))):
            spell.ended_on = max(ends, spell.started_on)
        if isinstance(data, reg.EmploymentRegistered):
            self.session.add(EmploymentSpellRow(
                id=str(uuid_utils.uuid7()), person_ref=data.person_ref, form=data.form.value,
                employer_ref=data.employer_ref, started_on=data.employed_on, ended_on=None))
            self.flags += funds.recheck_employment(self.session, self.applier.catalogue, data.person_ref)

    def _evaluate(self, cause: CloudEvent, person_ref: str, rule: Rule, facts: PersonFacts) -> None:
        holds = rule.holds(facts)
        state = self.states.get((person_ref, rule.programme_code))
        if holds == (state is not None and state.eligible):
            return  # no change (a rule that never held leaves no row)
        version = self.applier.index.version
        if state is not None and not holds:
            state.eligible, state.changed_at, state.rule_version = False, self.now, version
            return
        met = [ClauseMet(clause=c.clause, fact=c.fact, value=c.value) for c in explain(rule, facts)]
        if state is None:
            state = self.states[(person_ref, rule.programme_code)] = Eligibility(
                person_ref=person_ref, programme_code=rule.programme_code)
            self.session.add(state)
        state.eligible, state.rule_version, state.clauses = True, version, [m.model_dump() for m in met]
        state.found_at, state.changed_at, state.event_id = self.now, self.now, None
        if self._already_received(person_ref, rule.programme_code):
            return
        assert facts.street_code is not None
        state.event_id = events.publish(self.session, Eligible(
            person_ref=person_ref, programme_code=rule.programme_code, programme_name=rule.programme_name,
            street_code=facts.street_code, rule_version=version, clauses=met,
            cause_event_id=cause.id))
        self.published += 1

    def _already_received(self, person_ref: str, programme_code: str) -> bool:
        """Whether the person already holds the one-off grant of this programme, or of its one-off
        sub-kind (一次性创业补贴): they cannot receive it again, so there is nothing to tell them."""
        programme = self.applier.catalogue.get(programme_code)
        if programme is None:
            return False
        keys = {domain.exclusive_key(programme, kind, person_ref) for kind in (None, *programme.kinds)} - {None}
        return bool(keys) and self.session.scalar(
            select(Grant.id).where(Grant.exclusive_key.in_(keys)).limit(1)) is not None
