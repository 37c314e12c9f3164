"""Re-deriving 零就业家庭 inside the request's unit of work.

Every change that can flip a household — a household registered, a member joining or leaving, a
member's 求职, 失业 or 就业 registration or closure — calls :func:`rederive` (or
:func:`rederive_for_person`) after changing its rows. The rule itself is pure
(``domain.zero_employment_change``); this module gathers the members' facts (age on the business day,
read from the ID number), writes the derived state and stages ``household.zero_employment_identified``
or ``household.zero_employment_cleared`` in the same session, so the change and its event commit
together. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from schemas.reference import Community
from schemas.vocab import Gender
from services.runtime.db import utcnow
from services.runtime.outbox import add_event

from . import events
from .crypto import PiiCipher
from .domain import MemberFacts, Status, age_on, birth_date, zero_employment_change
from .store import Household, Person, membership


def member_facts(person: Person, cipher: PiiCipher, day: date) -> MemberFacts:
    age = age_on(birth_date(cipher.decrypt(person.id_number_enc)), day)
    return MemberFacts(person.person_ref, Status(person.status), age, Gender(person.gender))


def rederive(session: Session, household: Household, cipher: PiiCipher, communities: Mapping[str, Community],
             day: date, *, employed_person_ref: str | None = None, membership_changed: bool = False) -> None:
    """Derive the household again as of ``day`` (the business date of the change) and, when the
    derived state flips, record it and stage its event."""
    session.flush()  # memberships added or removed in this unit of work are seen by the relationship
    session.refresh(household, attribute_names=["members"])
    people = [session.get(Person, m.person_ref) for m in household.members]
    facts = [member_facts(p, cipher, day) for p in people if p is not None]
    change = zero_employment_change(household.zero_employment, facts, employed_person_ref=employed_person_ref,
                                    membership_changed=membership_changed)
    # Always write the household row (its optimistic version): two members' changes committed at once
    # would otherwise each derive from the other's old status (write skew); now one of them gets 409.
    household.updated_at = utcnow()
    if change is None:
        return
    community = communities[household.community_code].name
    if change.identified:
        household.zero_employment, household.zero_employment_since = True, day
        add_event(session, events.zero_employment_identified(household, community, day, list(change.seeking)))
        return
    identified_on = household.zero_employment_since or day
    # a backdated employment (employed_on before the identification) clears on the identification day
    assert change.reason is not None
    household.zero_employment, household.zero_employment_since = False, None
    add_event(session, events.zero_employment_cleared(household, community, identified_on, max(day, identified_on),
                                                      change.reason, change.employed_person_ref))


def rederive_for_person(session: Session, person: Person, cipher: PiiCipher, communities: Mapping[str, Community],
                        day: date, *, employed: bool = False) -> None:
    """After a change of ``person``'s status: re-derive their household, if they have one."""
    member = membership(session, person.person_ref)
    if member is None:
        return
    household = session.get(Household, member.household_ref)
    assert household is not None
    rederive(session, household, cipher, communities, day,
             employed_person_ref=person.person_ref if employed else None)
