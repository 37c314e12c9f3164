"""资金监管 (fund supervision): the rules that flag a grant or a payment after the fact, as warnings on
``leye.alert``. Pure: no I/O; ``funds.py`` reads the rows, calls these and records what they find.

Recording already refuses what it can see (an amount over the cap, a second one-off grant, a payment
above what is left). These rules catch what it cannot: a breach that only shows once other records
or facts are known — a later employment registration, another replica's grant, a year's total, the
person's facts on a back-dated grant's day. Each :class:`Flag` names its rule (``rule``: a stable
code, the alert's ``signal``; ``summary``: Chinese for people) and carries ``breach_key``: the same
breach gives the same key, so it is flagged once however often it is found again.

Levels, fixed per rule (the warnings' yellow / orange / red): a one-off grant given twice is red
(money certainly paid twice), a payment for months worked elsewhere and training subsidies beyond
the yearly cap are orange (money paid against the rule, to be recovered), a grant without
eligibility at its date is yellow (the bureau may decide on evidence the platform does not hold).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from schemas.vocab import AlertLevel, EmploymentForm

from .catalogue import Programme
from .eligibility import Rule, explain
from .facts import PersonFacts

DOUBLE_EXCLUSIVE = "funds_double_exclusive_grant"
PAID_WHILE_EMPLOYED = "funds_paid_while_employed"
TRAINING_OVER_CAP = "funds_training_over_cap"
WITHOUT_ELIGIBILITY = "funds_granted_without_eligibility"

RULES: dict[str, tuple[str, AlertLevel]] = {
    DOUBLE_EXCLUSIVE: ("一次性补贴重复发放", AlertLevel.RED),
    PAID_WHILE_EMPLOYED: ("补贴所属月份已在单位就业", AlertLevel.ORANGE),
    TRAINING_OVER_CAP: ("培训补贴超过年度上限", AlertLevel.ORANGE),
    WITHOUT_ELIGIBILITY: ("发放时不符合资格条件", AlertLevel.YELLOW),
}
"""Each rule's code, its Chinese name and its level."""

RESOLUTIONS: dict[str, str] = {
    "recovered": "经核实违规，资金已追回",
    "recovery_ordered": "经核实违规，已责令退回",
    "no_breach": "经核实不构成违规",
    "record_corrected": "记录有误，已更正",
}
"""How the bureau may close a flag it reviewed (the resolution's code and its Chinese name)."""


def resolution_summary(rule: str, resolution: str) -> str:
    """The ``summary`` of the ``alert.resolved`` that closes a reviewed flag: the rule and the
    outcome, never the reviewer's note (free text stays in the service, behind the audited API)."""
    name = RULES[rule][0] if rule in RULES else rule
    return f"资金监管预警已复核解除（{name}）：{RESOLUTIONS[resolution]}"


@dataclass(frozen=True)
class Flag:
    """One breach found: the rule, what identifies the breach (flagged once), the record it is about
    (``subject_ref``: a grant or a payment id, never a person), the measured ``value`` against the
    ``threshold`` it broke, the period ``window`` of the value, and the Chinese ``summary``."""

    rule: str
    breach_key: str
    subject_ref: str
    street_code: str
    value: float
    threshold: float
    window: str
    summary: str

    @property
    def level(self) -> AlertLevel:
        return RULES[self.rule][1]


@dataclass(frozen=True)
class GrantView:
    """What the rules read of a grant."""

    grant_id: str
    programme_code: str
    kind: str | None
    recipient_ref: str
    street_code: str
    amount_yuan: int
    granted_on: date
    months: int | None = None


@dataclass(frozen=True)
class Spell:
    """A period of employment from the registration events: from ``started_on`` to the day before
    ``ended_on`` (none: still employed)."""

    form: str
    started_on: date
    ended_on: date | None


def _exclusive_scope(programme: Programme, kind: str | None) -> str | None:
    if programme.exclusive:
        return programme.code
    if kind is not None and kind in programme.kinds and programme.kinds[kind].exclusive:
        return f"{programme.code}:{kind}"
    return None


def conflicting(programme: Programme, kind: str | None, others: Iterable[GrantView]) -> list[GrantView]:
    """The grants among ``others`` (the recipient's other grants of the programme) that the current
    catalogue's exclusivity forbids beside a grant of ``kind``: any other grant when the programme is
    one-off as a whole, any other grant of the same kind when only the kind is."""
    if _exclusive_scope(programme, kind) is None:
        return []
    return [g for g in others if g.programme_code == programme.code and (programme.exclusive or g.kind == kind)]


def double_exclusive(programme: Programme, grant: GrantView, others: Sequence[GrantView]) -> Flag | None:
    """A one-off grant with another grant of the same programme (or one-off kind) to the same recipient."""
    scope = _exclusive_scope(programme, grant.kind)
    clash = conflicting(programme, grant.kind, [g for g in others if g.grant_id != grant.grant_id])
    if scope is None or not clash:
        return None
    what = programme.name if programme.exclusive else f"{programme.name}（{programme.kinds[grant.kind or ''].name}）"
    ids = sorted([grant.grant_id, *(g.grant_id for g in clash)])
    return Flag(DOUBLE_EXCLUSIVE, f"{DOUBLE_EXCLUSIVE}:{scope}:{grant.recipient_ref}", grant.grant_id,
                grant.street_code, value=float(len(ids)), threshold=1.0, window="1d",
                summary=f"违反{programme.name}“一次性补贴每人限一次”规则：同一对象有 {len(ids)} 笔{what}"
                        f"（补贴 {'、'.join(ids)}），本次支付的是补贴 {grant.grant_id}")


def covered_months(granted_on: date, months: int) -> tuple[date, date]:
    """The months a grant for ``months`` months pays for: that many calendar months, ending with the
    month of the decision (社保补贴 reimburses contributions already paid), first and last day."""
    end_year, end_month = granted_on.year, granted_on.month
    index = end_year * 12 + (end_month - 1) - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    last = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    return first, last


def _months_overlapping(spell: Spell, first: date, last: date) -> set[tuple[int, int]]:
    start = max(spell.started_on, first)
    end = last if spell.ended_on is None else min(last, date.fromordinal(spell.ended_on.toordinal() - 1))
    if start > end:
        return set()
    return {(y, m) for y in range(start.year, end.year + 1) for m in range(1, 13)
            if (start.year, start.month) <= (y, m) <= (end.year, end.month)}


def paid_while_employed(programme: Programme, grant: GrantView, spells: Sequence[Spell]) -> Flag | None:
    """Money paid on a grant whose months overlap a period of employment in a form the programme's
    rule excludes (``supervision.no_payment_while_employed``). Only a grant that says how many
    months it covers can be checked."""
    forbidden = set(programme.supervision.no_payment_while_employed)
    if not forbidden or grant.months is None:
        return None
    first, last = covered_months(grant.granted_on, grant.months)
    overlap: set[tuple[int, int]] = set()
    forms: set[str] = set()
    for spell in spells:
        if spell.form in forbidden:
            months = _months_overlapping(spell, first, last)
            if months:
                overlap |= months
                forms.add(spell.form)
    if not overlap:
        return None
    labels = EmploymentForm.labels()
    month_text = "、".join(f"{y}年{m}月" for y, m in sorted(overlap))
    rule_text = "或".join(labels.get(form, form) for form in programme.supervision.no_payment_while_employed)
    form_text = "、".join(labels.get(form, form) for form in sorted(forms))
    return Flag(PAID_WHILE_EMPLOYED, f"{PAID_WHILE_EMPLOYED}:{grant.grant_id}", grant.grant_id, grant.street_code,
                value=float(len(overlap)), threshold=0.0, window=f"{(last - first).days + 1}d",
                summary=f"违反{programme.name}“{rule_text}期间不得领取”规则：补贴 {grant.grant_id} 所属月份中"
                        f"{month_text}该人员已登记{form_text}")


def training_over_cap(programme: Programme, person_ref: str, grant: GrantView,
                      year_grants: Sequence[GrantView]) -> Flag | None:
    """A person's training subsidies of one programme in the calendar year of ``grant`` (``year_grants``,
    ``grant`` among them) summing to more than ``supervision.yearly_cap_person``."""
    cap = programme.supervision.yearly_cap_person
    year = grant.granted_on.year
    total = sum(g.amount_yuan for g in year_grants if g.granted_on.year == year)
    if cap is None or total <= cap:
        return None
    return Flag(TRAINING_OVER_CAP, f"{TRAINING_OVER_CAP}:{programme.code}:{person_ref}:{year}", grant.grant_id,
                grant.street_code, value=float(total), threshold=float(cap), window="1y",
                summary=f"违反{programme.name}“每人每年培训补贴不超过 {cap} 元”规则：{year}年同一人员已获"
                        f" {total} 元（最近一笔为补贴 {grant.grant_id}）")


def without_eligibility(rule: Rule, grant: GrantView, facts: PersonFacts | None) -> Flag | None:
    """A grant of a programme with an eligibility rule to a person whose facts on the grant's day
    (``facts``: none when nothing was known of them by then) did not satisfy it."""
    if facts is not None and rule.holds(facts):
        return None
    if facts is None:
        failed_text = "当日尚无该人员的登记信息"
        failed = len(rule.tests)
    else:
        checks = [c for c in explain(rule, facts) if not c.held]
        failed = len(checks)
        failed_text = "；".join(f"{c.clause}（当时为：{c.value_text}）" for c in checks)
    return Flag(WITHOUT_ELIGIBILITY, f"{WITHOUT_ELIGIBILITY}:{grant.grant_id}", grant.grant_id, grant.street_code,
                value=float(failed), threshold=0.0, window="1d",
                summary=f"违反{rule.programme_name}资格规则：补贴 {grant.grant_id} 发放日"
                        f"（{grant.granted_on.isoformat()}）不符合条件——{failed_text}")
