"""The facts about a person that eligibility rules read (政策找人), and how each registration event
changes them. Pure: no I/O.

The programmes service keeps these facts as a read model of ``leye.registration`` and ``leye.household``
(``store.PersonFactsRow``):
codes and numbers only, never a name, an ID number or a phone number. A rule clause names one fact
(``catalogue.Clause``); :data:`FACTS` says what kind of value each holds, which codes it may hold and
how it is called in Chinese, for the catalogue's validation and for the "why eligible" explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal

from schemas.events import registration as reg
from schemas.events.base import PersonEventData
from schemas.reference import STREETS
from schemas.vocab import EmploymentForm, KeyGroup, RegistrationKind

FactKind = Literal["set", "code", "number"]

STATUS_LABELS = {"jobseeker": "求职登记", "unemployed": "登记失业", "employed": "已就业", "closed": "登记已注销"}
"""A person's registration status as the facts keep it (the last registration event decides)."""


@dataclass(frozen=True)
class Fact:
    """One fact rules may read: ``kind`` says which tests apply (``set``: ``has_any``; ``code``: ``in``;
    ``number``: ``at_least`` / ``at_most``); ``codes`` maps the codes it may hold to their Chinese names."""

    name: str
    label: str
    kind: FactKind
    codes: dict[str, str] | None = None


FACTS: dict[str, Fact] = {fact.name: fact for fact in (
    Fact("key_groups", "重点群体", "set", KeyGroup.labels()),
    Fact("status", "登记状态", "code", STATUS_LABELS),
    Fact("employment_form", "就业形式", "code", EmploymentForm.labels()),
    Fact("street_code", "所在街镇", "code", {code: street.name for code, street in STREETS.items()}),
    Fact("unemployment_spells", "失业登记次数", "number"),
    Fact("graduation_year", "毕业年份", "number"),
    Fact("zero_employment_household", "零就业家庭（按户认定）", "code", {"yes": "是"}),
)}
ZERO_EMPLOYMENT_GROUP = KeyGroup.ZERO_EMPLOYMENT_FAMILY.value
"""The key group a member of a household derived 零就业家庭 holds while it is one: rules read it as they
read the groups typed in at registration."""


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules may know about one person. ``employment_form`` is that of the current
    employment (none once they register unemployed again); ``unemployment_spells`` counts the
    unemployment registrations seen. ``zero_employment_household`` is ``"yes"`` while the person's
    household is a 零就业家庭 (``leye.household``); their ``key_groups`` then hold
    ``zero_employment_family`` too."""

    street_code: str | None = None
    key_groups: frozenset[str] = frozenset()
    status: str | None = None
    employment_form: str | None = None
    unemployment_spells: int = 0
    graduation_year: int | None = None
    zero_employment_household: str | None = None


NO_FACTS = PersonFacts()
"""A person before their first event: every fact a first event sets counts as changed."""

FACT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PersonFacts))
assert set(FACT_NAMES) == set(FACTS), "every fact of PersonFacts is described in FACTS"


def apply(before: PersonFacts, data: PersonEventData) -> PersonFacts:
    """The facts after one registration event. Every person event carries the 街镇 and the key
    groups as they are now, so those two are taken from any of them (with ``zero_employment_family``
    kept while the household is a 零就业家庭)."""
    groups = frozenset(g.value for g in data.key_groups)
    if before.zero_employment_household:
        groups |= {ZERO_EMPLOYMENT_GROUP}
    after = replace(before, street_code=data.street_code, key_groups=groups)
    if isinstance(data, reg.JobseekerRegistered):
        status = before.status if before.status == "unemployed" else "jobseeker"
        year = data.graduation_year if data.graduation_year is not None else before.graduation_year
        return replace(after, status=status, graduation_year=year)
    if isinstance(data, reg.UnemploymentRegistered):
        return replace(after, status="unemployed", employment_form=None,
                       unemployment_spells=before.unemployment_spells + 1)
    if isinstance(data, reg.EmploymentRegistered):
        return replace(after, status="employed", employment_form=data.form.value)
    if isinstance(data, reg.RegistrationClosed):
        if data.registration is RegistrationKind.JOBSEEKER:
            return replace(after, status="closed")
        return replace(after, status="jobseeker" if before.status == "unemployed" else before.status)
    return after  # a follow-up or a hardship certification: the groups (and 街镇) only


def apply_household(before: PersonFacts, street_code: str, zero_employment: bool) -> PersonFacts:
    """The facts after the person's household was derived a 零就业家庭 (``zero_employment``) or cleared.
    Clearing takes ``zero_employment_family`` out of the groups even if it was also typed in at
    registration: the household's derivation is the record (the person's next registration event
    brings back whatever registration still holds)."""
    street = before.street_code or street_code
    if zero_employment:
        return replace(before, street_code=street, zero_employment_household="yes",
                       key_groups=before.key_groups | {ZERO_EMPLOYMENT_GROUP})
    return replace(before, street_code=street, zero_employment_household=None,
                   key_groups=before.key_groups - {ZERO_EMPLOYMENT_GROUP})


def changed(before: PersonFacts, after: PersonFacts) -> frozenset[str]:
    """The names of the facts whose value differs."""
    return frozenset(name for name in FACT_NAMES if getattr(before, name) != getattr(after, name))
