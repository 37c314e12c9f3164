"""Pure rules of the programmes service: which programme may be recorded how, amounts against the
catalogue's rules and caps, exclusivity. No I/O; every refusal is a 422 naming the request field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from schemas.fields import SHANGHAI
from schemas.vocab import IncubatorLevel, VacancyKind
from services.runtime.errors import ProblemError, validation_detail

from .catalogue import CappedAmount, Catalogue, FixedAmount, Kind, Programme, Recipient, ShareOfContributions


def local_day(now: datetime) -> date:
    """The Asia/Shanghai calendar day of ``now``: the district's today."""
    return now.astimezone(SHANGHAI).date()


def field_error(field: str, message: str, kind: str, code: str = "validation_failed") -> ProblemError:
    """A 422 problem naming one field (``body.x``), in the shape of the validation handler."""
    errors = [{"field": field, "message": message, "type": kind}]
    return ProblemError(422, code, validation_detail(errors), errors=errors)


def programme_of(catalogue: Catalogue, code: str, kinds: tuple[Kind, ...], field: str = "body.programme_code",
                 ) -> Programme:
    """The programme ``code``, which must be one of ``kinds`` (a course needs a training programme)."""
    programme = catalogue.get(code)
    if programme is None:
        raise field_error(field, f"项目目录（{catalogue.version}）中没有该项目", "unknown_programme")
    if programme.kind not in kinds:
        raise field_error(field, f"{programme.name}不能按此方式登记", "wrong_programme_kind")
    return programme


def recipient_of(programme: Programme, person_ref: str | None, employer_ref: str | None) -> Recipient:
    """Who receives: exactly one of the two references, of a kind the programme serves."""
    if (person_ref is None) == (employer_ref is None):
        raise field_error("body.person_ref", "须且只能填写 person_ref 与 employer_ref 其中之一", "recipient")
    recipient: Recipient = "person" if person_ref is not None else "employer"
    if recipient not in programme.recipients:
        field = "body.person_ref" if recipient == "person" else "body.employer_ref"
        who = "个人" if recipient == "person" else "用人单位"
        raise field_error(field, f"{programme.name}不面向{who}", "wrong_recipient")
    return recipient


def not_after_today(field: str, day: date, today: date) -> None:
    if day > today:
        raise field_error(field, "日期不得晚于今天", "future_date")


def check_within_cap(programme: Programme, recipient: Recipient, amount: int, field: str) -> None:
    cap = programme.cap_for(recipient)
    if cap is not None and amount > cap:
        raise field_error(field, f"金额超过{programme.name}的上限（{cap}元）", "over_cap")


def check_loan(programme: Programme, recipient: Recipient, amount: int, term_months: int,
               interest_subsidy: int) -> None:
    """A 创业担保贷款 within the cap and the longest term for its borrower; 贴息 within the loan."""
    check_within_cap(programme, recipient, amount, "body.amount_yuan")
    assert programme.duration is not None  # the catalogue requires it for loans
    longest = programme.max_months_for(recipient)
    if term_months < programme.duration.min_months or (longest is not None and term_months > longest):
        raise field_error("body.term_months", f"贷款期限须在 {programme.duration.min_months} 至 {longest} 个月之间",
                          "term")
    if interest_subsidy > amount:
        raise field_error("body.interest_subsidy_yuan", "贴息金额不得超过贷款金额", "interest_subsidy")


def grant_amount(programme: Programme, recipient: Recipient, amount: int | None,
                 contributions: int | None, months: int | None) -> int:
    """The amount a grant may be made for under the programme's rule (the given one, checked)."""
    rule = programme.amount
    if isinstance(rule, FixedAmount):
        if amount is not None and amount != rule.yuan:
            raise field_error("body.amount_yuan", f"{programme.name}的标准为每人 {rule.yuan} 元", "fixed_amount")
        return rule.yuan
    if amount is None:
        raise field_error("body.amount_yuan", "缺少必填字段", "missing")
    if isinstance(rule, CappedAmount):
        check_within_cap(programme, recipient, amount, "body.amount_yuan")
    elif isinstance(rule, ShareOfContributions):
        if contributions is None:
            raise field_error("body.contributions_yuan", "须填写个人已缴纳的社会保险费", "missing")
        if months is None:
            raise field_error("body.months", "须填写补贴月数", "missing")
        # Integer arithmetic keeps the ¾ boundary exact: amount / contributions ≤ share.
        share = rule.share
        if amount * share.denominator > contributions * share.numerator:
            raise field_error("body.amount_yuan", f"补贴不得超过已缴保费的 {share.numerator}/{share.denominator}",
                              "over_share")
    return amount


def check_kind(programme: Programme, kind: str | None) -> None:
    if programme.kinds and kind is None:
        raise field_error("body.kind", f"须填写{programme.name}的类别（{'、'.join(programme.kinds)}）", "missing")
    if kind is not None and kind not in programme.kinds:
        raise field_error("body.kind", f"{programme.name}没有该类别", "unknown_kind")


def exclusive_key(programme: Programme, kind: str | None, recipient_ref: str) -> str | None:
    """The key that makes a one-off grant unique per recipient (None: the grant may repeat)."""
    if not programme.is_exclusive(kind):
        return None
    scope = programme.code if programme.exclusive else f"{programme.code}:{kind}"
    return f"{scope}:{recipient_ref}"


VACANCY_KIND_OF = {"traineeship": "traineeship", "public_welfare_post": "public_welfare"}
"""The kind of posting (``VacancyKind``) a placement programme places into: 见习岗位, 公益性岗位."""


def check_vacancy(programme: Programme, vacancy: tuple[str, str] | None, employer_ref: str) -> None:
    """A placement's posting (``vacancy``: its employer and kind, none when the service has not seen
    it) must exist, belong to the host and be of the programme's kind of post."""
    if vacancy is None:
        raise field_error("body.vacancy_id", "未找到该岗位：岗位服务中没有这个岗位编号，或其发布尚未同步到项目服务",
                          "unknown_vacancy")
    owner, kind = vacancy
    if owner != employer_ref:
        raise field_error("body.vacancy_id", "该岗位不属于所填写的单位（employer_ref）", "vacancy_of_another_employer")
    wanted = VACANCY_KIND_OF.get(programme.code)
    if wanted is not None and kind != wanted:
        labels = VacancyKind.labels()
        message = f"{programme.name}须安置到{labels[wanted]}，该岗位是{labels.get(kind, kind)}"
        raise field_error("body.vacancy_id", message, "wrong_vacancy_kind")


def months_between(start: date, end: date) -> float:
    """Whole and part months from ``start`` to ``end`` (a month counted from a day to the same day
    of the next month), for placement durations."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (end.day - start.day) / 31


def check_placement_duration(programme: Programme, starts_on: date, ends_on: date | None) -> None:
    """A planned end not before the start, and within the programme's shortest and longest duration."""
    if ends_on is None:
        return
    if ends_on < starts_on:
        raise field_error("body.ends_on", "结束日期不得早于开始日期", "ends_before_start")
    duration = programme.duration
    if duration is None:
        return
    months = months_between(starts_on, ends_on)
    longest = duration.max_months_person
    if months < duration.min_months or (longest is not None and months > longest):
        upper = f"至 {longest} " if longest is not None else "以上"
        raise field_error("body.ends_on", f"{programme.name}期限须为 {duration.min_months} {upper}个月", "duration")


def percentile(values: Sequence[int], share: float) -> int | None:
    """The nearest-rank percentile (``share`` in (0, 1]) of ``values``: the smallest value with at
    least that share of the values at or below it; none for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * round(share * 1000) // 1000))  # ceil, exact for shares in ‰
    return ordered[min(rank, len(ordered)) - 1]


def check_recognition(current: IncubatorLevel, since: date, level: IncubatorLevel, on: date) -> None:
    """A base is recognised again only upwards (区级 → 市级 → 国家级, a level may be skipped) and not
    before its current recognition: the plan counts new 市级 bases (§6), so a recognition at the same
    or a lower level would count a base twice or hide a downgrade the register does not model."""
    if level.rank <= current.rank:
        raise field_error("body.level", f"该基地已认定为{current.label}，只能认定为更高级别", "level_out_of_order")
    if on < since:
        raise field_error("body.recognised_on", f"认定日期不得早于{current.label}认定日期（{since.isoformat()}）",
                          "recognised_before_previous")
