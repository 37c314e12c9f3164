"""政策找人 (免申即享): the catalogue's eligibility rules, compiled, indexed by the facts they read,
evaluated and explained in Chinese. Pure: no I/O.

A rule is a programme's ``eligibility`` clauses (all must hold). :class:`RuleIndex` keeps, for each
fact, the rules that read it, so when one event changes some of a person's facts only those rules
are evaluated for that person (:meth:`RuleIndex.affected`); a rule none of whose facts changed cannot
have changed its answer. :func:`explain` says, clause by clause, which fact held which value and
whether the clause held: the ``clauses`` of ``programme.eligible`` and the "why eligible" route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .catalogue import Catalogue, Clause, Programme
from .facts import FACTS, PersonFacts

FactValue = str | int | list[str] | None


@dataclass(frozen=True, slots=True)
class Test:
    """One compiled clause: reads ``fact``, holds when ``check`` says so."""

    fact: str
    text: str
    check: Callable[[Any], bool]


@dataclass(frozen=True)
class Rule:
    """A programme's rule as evaluated: its tests in the catalogue's order, and the facts it reads."""

    programme_code: str
    programme_name: str
    tests: tuple[Test, ...]
    reads: frozenset[str]

    def holds(self, facts: PersonFacts) -> bool:
        return all(test.check(getattr(facts, test.fact)) for test in self.tests)


@dataclass(frozen=True)
class ClauseCheck:
    """One clause for one person: the clause, the fact it read, its value and whether it held."""

    clause: str
    fact: str
    fact_label: str
    value: FactValue
    value_text: str
    held: bool


def _codes_text(fact: str, codes: Iterable[str]) -> str:
    labels = FACTS[fact].codes or {}
    return "或".join(labels.get(code, code) for code in codes)


def clause_text(clause: Clause) -> str:
    """The clause in Chinese: 重点群体包含就业困难人员, 就业形式为灵活就业, 失业登记次数不少于 2."""
    label = FACTS[clause.fact].label
    if clause.has_any is not None:
        return f"{label}包含{_codes_text(clause.fact, clause.has_any)}"
    if clause.in_ is not None:
        return f"{label}为{_codes_text(clause.fact, clause.in_)}"
    if clause.at_least is not None:
        return f"{label}不少于 {clause.at_least}"
    return f"{label}不超过 {clause.at_most}"


def compile_clause(clause: Clause) -> Test:
    """A clause as a plain predicate over the fact's value (a missing value never satisfies one)."""
    text = clause_text(clause)
    if clause.has_any is not None:
        wanted = frozenset(clause.has_any)
        return Test(clause.fact, text, lambda value: not wanted.isdisjoint(value))
    if clause.in_ is not None:
        allowed = frozenset(clause.in_)
        return Test(clause.fact, text, lambda value: value in allowed)
    if clause.at_least is not None:
        low = clause.at_least
        return Test(clause.fact, text, lambda value: value is not None and value >= low)
    high = clause.at_most
    assert high is not None  # Clause validates that exactly one test is given
    return Test(clause.fact, text, lambda value: value is not None and value <= high)


def _rule(programme: Programme) -> Rule:
    tests = tuple(compile_clause(clause) for clause in programme.eligibility)
    return Rule(programme.code, programme.name, tests, frozenset(test.fact for test in tests))


class RuleIndex:
    """The catalogue's rules and, for every fact, the rules that read it."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.version = catalogue.version
        self.rules: tuple[Rule, ...] = tuple(_rule(p) for p in catalogue.programmes if p.eligibility)
        self._by_code = {rule.programme_code: rule for rule in self.rules}
        self._by_fact: dict[str, tuple[Rule, ...]] = {
            fact: tuple(rule for rule in self.rules if fact in rule.reads) for fact in FACTS
        }
        # the answer for each set of changed facts, in catalogue order: a handful of distinct sets occur
        self._affected: dict[frozenset[str], tuple[Rule, ...]] = {}

    def rule(self, programme_code: str) -> Rule | None:
        return self._by_code.get(programme_code)

    def affected(self, changed: frozenset[str]) -> tuple[Rule, ...]:
        """The rules that read at least one of the ``changed`` facts, each once, in catalogue order."""
        found = self._affected.get(changed)
        if found is None:
            hit = {id(rule) for fact in changed for rule in self._by_fact.get(fact, ())}
            found = self._affected[changed] = tuple(rule for rule in self.rules if id(rule) in hit)
        return found


def fact_value(facts: PersonFacts, fact: str) -> FactValue:
    """A fact's value as events and the API show it: sets as sorted lists."""
    value = getattr(facts, fact)
    return sorted(value) if isinstance(value, frozenset) else value


def value_text(fact: str, value: FactValue) -> str:
    """A fact's value in Chinese (codes by their names; 无 when nothing is recorded)."""
    if value is None or value == []:
        return "无"
    labels = FACTS[fact].codes
    if isinstance(value, list):
        return "、".join((labels or {}).get(code, code) for code in value)
    if isinstance(value, str):
        return (labels or {}).get(value, value)
    return str(value)


def explain(rule: Rule, facts: PersonFacts) -> list[ClauseCheck]:
    """Every clause of ``rule`` for this person: the fact it read, its value, whether it held."""
    checks = []
    for test in rule.tests:
        value = fact_value(facts, test.fact)
        checks.append(ClauseCheck(clause=test.text, fact=test.fact, fact_label=FACTS[test.fact].label, value=value,
                                  value_text=value_text(test.fact, value),
                                  held=test.check(getattr(facts, test.fact))))
    return checks


def summary(rule: Rule, checks: list[ClauseCheck]) -> str:
    """One Chinese sentence: eligible or not, and why, clause by clause."""
    parts = [f"{c.clause}（现为：{c.value_text}）{'' if c.held else '——不满足'}" for c in checks]
    if all(c.held for c in checks):
        return f"符合{rule.programme_name}的条件：" + "；".join(parts) + "。"
    return f"不符合{rule.programme_name}的条件：" + "；".join(parts) + "。"


def evaluate_naively(rules: Iterable[Rule], facts: PersonFacts) -> list[tuple[str, bool]]:
    """Every rule for the person, whatever changed (the baseline ``leye bench policy`` compares with)."""
    return [(rule.programme_code, rule.holds(facts)) for rule in rules]
