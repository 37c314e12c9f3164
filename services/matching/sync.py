"""Keeps a process's in-memory index equal to the committed read models, whatever partitions it owns.

Several matching replicas share one database (PostgreSQL in production) and one consumer group;
each applies only the events of the partitions it owns. Its :class:`MatchIndex` must nevertheless
hold every person and vacancy, or its referrals, ``/match`` answers and layoff pre-matches would
differ from those of a single process.

Chosen design: **catch up from the database before every index query.** Every transaction that
changes ``people`` / ``vacancies`` rows stamps them with the next value of a counter row
(:func:`store.stamp_revision`) taken just before its commit; the counter's row lock makes revisions
gapless and committed in order, so "revision ``r`` is visible" implies "every revision below ``r``
is visible". :meth:`IndexSync.catch_up` reads the counter (one primary-key lookup: the whole cost
when nothing changed), and only when it moved past the index's revision reads the rows stamped
after it (an indexed range) and puts them. Puts are per-row idempotent and ignore anything older
than what the index holds, so the rows this process put right after its own commit, read again
here, are skipped; a process's own commit that directly follows the index's revision advances it
without any read, which keeps a lone replica at one cheap query per catch-up.

Rejected: a time-stamped overlap window (rows committed out of order are caught only if the
window outlasts the slowest transaction, which nothing bounds); serving queries from the database
(loses the vectorised scoring the index exists for); partition-local indexes (a registration on one
partition must be matched against vacancies of all).
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.runtime.db import begin_read

from .index import MatchIndex
from .store import PersonRow, VacancyRow, current_revision


class IndexSync:
    """Loads ``index`` from the database and installs :meth:`catch_up` as its pre-query hook."""

    def __init__(self, sessions: sessionmaker[Session], index: MatchIndex) -> None:
        self.sessions, self.index = sessions, index
        self._lock = threading.Lock()  # one catch-up at a time; the others then find nothing to do
        index.catch_up = self.catch_up

    def load(self) -> None:
        """Put every active person and open vacancy (at start, into an empty index)."""
        with self._lock, self.sessions() as session:
            begin_read(session)
            revision = current_revision(session)  # read first: rows committed later are read again
            for person in session.scalars(select(PersonRow).where(PersonRow.active.is_(True))):
                self.index.put_person(person.to_domain(), revision=person.revision)
            for vacancy in session.scalars(select(VacancyRow).where(VacancyRow.status == "open")):
                self.index.put_vacancy(vacancy.to_domain(), revision=vacancy.revision)
            self.index.advance(revision, contiguous=False)

    def catch_up(self) -> int:
        """Apply the rows changed since the index's revision (by any replica); returns how many.

        A deferred read transaction: on SQLite it never waits for the writer, which may be this
        very thread (the event handlers query the index inside their write transaction)."""
        with self._lock, self.sessions() as session:
            begin_read(session)
            since, revision = self.index.revision, current_revision(session)
            if revision <= since:
                return 0
            people = session.scalars(select(PersonRow).where(PersonRow.revision > since)).all()
            vacancies = session.scalars(select(VacancyRow).where(VacancyRow.revision > since)).all()
            for person in people:
                self.index.put_person(person.to_domain(), person.active, revision=person.revision)
            for vacancy in vacancies:
                self.index.put_vacancy(vacancy.to_domain(), revision=vacancy.revision)
            # only up to the counter read first: on PostgreSQL each SELECT has its own snapshot, so
            # a row newer than ``revision`` seen by a later one may have a sibling an earlier missed
            self.index.advance(revision, contiguous=False)
        return len(people) + len(vacancies)
