"""The programme catalogue (DOMAIN §8): what each programme pays, to whom, within which caps, on which
policy source and against which yearly target — data in ``catalogue.yaml``, versioned, validated here.

Pure (pydantic and YAML only). ``load`` refuses a bad file with :class:`CatalogueError`, one Chinese
line naming the entry and the field, so the service stops before it starts instead of paying by a
wrong rule. Every grant and payment records ``Catalogue.version``: change an amount or a cap by
editing the file *and* raising its version.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from services.runtime.config_file import first_error, read_yaml

from .facts import FACTS

DEFAULT_PATH = Path(__file__).with_name("catalogue.yaml")

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Recipient = Literal["person", "employer"]
Kind = Literal["training", "loan", "grant", "subsidy", "placement"]
PositiveYuan = Annotated[int, Field(gt=0)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FixedAmount(_Data):
    """A fixed sum per occasion (马兰花: 500 元 per person trained, on completion)."""

    rule: Literal["fixed"]
    yuan: PositiveYuan
    per: Literal["completion", "grant"]


class CappedAmount(_Data):
    """The amount decided case by case, at most the programme's cap for the recipient."""

    rule: Literal["up_to_cap"]


class ShareOfContributions(_Data):
    """A share of the social-insurance contributions the person paid, at most ``max_share``
    (灵活就业社保补贴: ¾). Given as a fraction string ("3/4") so the limit is exact."""

    rule: Literal["share_of_contributions"]
    max_share: str

    @model_validator(mode="after")
    def _share(self) -> Self:
        try:
            share = Fraction(self.max_share)
        except (ValueError, ZeroDivisionError):
            raise PydanticCustomError("share", "max_share 须为分数，如 3/4") from None
        if not 0 < share <= 1:
            raise PydanticCustomError("share", "max_share 须大于 0 且不超过 1")
        return self

    @property
    def share(self) -> Fraction:
        return Fraction(self.max_share)


Amount = Annotated[FixedAmount | CappedAmount | ShareOfContributions, Field(discriminator="rule")]


class Caps(_Data):
    """Largest single amount (a grant, a loan) by recipient, in 元."""

    person: PositiveYuan | None = None
    employer: PositiveYuan | None = None


class Duration(_Data):
    """Shortest and longest term or placement, in months, by recipient where they differ."""

    min_months: Annotated[int, Field(ge=1)] = 1
    max_months_person: Annotated[int, Field(ge=1)] | None = None
    max_months_employer: Annotated[int, Field(ge=1)] | None = None


class Target(_Data):
    """The plan's yearly target: ``value`` in ``unit`` of ``measure``, citing its source."""

    measure: Annotated[str, Field(min_length=1)]
    value: PositiveYuan
    unit: Literal["人", "人次", "元", "个"]
    source: Annotated[str, Field(min_length=1)]


class SubKind(_Data):
    name: Annotated[str, Field(min_length=1)]
    exclusive: bool = False


class Supervision(_Data):
    """资金监管: what the programme's rule forbids beyond what recording refuses, checked after the fact
    (``supervision.py``) and flagged on ``leye.alert``.

    - ``no_payment_while_employed``: the forms of employment (``EmploymentForm`` codes) during which
      the programme must not pay a person for the same months (灵活就业社保补贴: not while employed
      by a unit);
    - ``yearly_cap_person``: the most a person may receive from the programme in one calendar year,
      in 元 (职业技能培训: the cap of one completion also bounds a person's year).
    """

    no_payment_while_employed: list[str] = []
    yearly_cap_person: PositiveYuan | None = None

    @model_validator(mode="after")
    def _forms(self) -> Self:
        known = FACTS["employment_form"].codes or {}
        unknown = [form for form in self.no_payment_while_employed if form not in known]
        if unknown:
            raise PydanticCustomError("supervision", "就业形式 {form} 不存在", {"form": unknown[0]})
        return self


FactName = Literal["key_groups", "status", "employment_form", "street_code", "unemployment_spells", "graduation_year",
                   "zero_employment_household"]
assert set(get_args(FactName)) == set(FACTS), "a rule may name every fact the read model keeps"
Codes = Annotated[list[str], Field(min_length=1)]


class Clause(_Data):
    """One clause of an eligibility rule: one fact of the person (``facts.FACTS``) and one test —
    ``in`` (the code is one of), ``has_any`` (the set holds one of), ``at_least`` or ``at_most`` (a
    number, inclusive). A rule holds when all its clauses hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    fact: FactName
    in_: Annotated[Codes | None, Field(alias="in")] = None
    has_any: Codes | None = None
    at_least: int | None = None
    at_most: int | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        tests = [name for name in ("in_", "has_any", "at_least", "at_most") if getattr(self, name) is not None]
        if len(tests) != 1:
            raise PydanticCustomError("clause", "每个条件须且只能有 in、has_any、at_least、at_most 其中之一")
        fact = FACTS[self.fact]
        fits = {"set": ("has_any",), "code": ("in_",), "number": ("at_least", "at_most")}[fact.kind]
        if tests[0] not in fits:
            raise PydanticCustomError("clause", "事实 {fact} 不能用 {test} 判断",
                                      {"fact": self.fact, "test": tests[0].rstrip("_")})
        codes = self.in_ or self.has_any or []
        unknown = [code for code in codes if fact.codes is not None and code not in fact.codes]
        if unknown:
            raise PydanticCustomError("clause", "事实 {fact} 没有代码 {code}", {"fact": self.fact, "code": unknown[0]})
        return self


class Programme(_Data):
    """One programme of the catalogue."""

    code: Code
    name: Annotated[str, Field(min_length=1, max_length=40)]
    kind: Kind
    source: Annotated[str, Field(min_length=1)]
    recipients: Annotated[list[Recipient], Field(min_length=1)]
    # One grant per recipient, ever (一次性): a second one is refused. A sub-kind can be exclusive alone.
    exclusive: bool = False
    amount: Amount | None = None
    caps: Caps = Caps()
    duration: Duration | None = None
    kinds: dict[Code, SubKind] = {}
    yearly_target: Target | None = None
    # 政策找人: who is eligible without applying, as clauses over person facts (all must hold).
    eligibility: list[Clause] = []
    # 资金监管: what is flagged after the fact (see Supervision).
    supervision: Supervision = Supervision()
    # Values not taken from the seeds (national rules, defaults): to be confirmed by the bureau.
    provisional: list[str] = []

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.kind == "training" and self.recipients != ["person"]:
            raise PydanticCustomError("catalogue", "培训类项目的对象只能是 person")
        if self.kind == "training" and isinstance(self.amount, ShareOfContributions):
            raise PydanticCustomError("catalogue", "培训类项目的补贴须为 fixed 或 up_to_cap")
        if isinstance(self.amount, FixedAmount) and (self.amount.per == "completion") != (self.kind == "training"):
            raise PydanticCustomError("catalogue", "只有培训类项目按结业（per: completion）给付")
        needs_caps = self.kind == "loan" or isinstance(self.amount, CappedAmount)
        missing = [r for r in self.recipients if needs_caps and getattr(self.caps, r) is None]
        if missing:
            raise PydanticCustomError("catalogue", "缺少上限 caps.{who}", {"who": missing[0]})
        if self.kind == "loan" and self.duration is None:
            raise PydanticCustomError("catalogue", "贷款类项目须规定期限 duration")
        if self.kind in ("grant", "subsidy") and self.amount is None:
            raise PydanticCustomError("catalogue", "补贴类项目须规定金额规则 amount")
        if self.eligibility and "person" not in self.recipients:
            raise PydanticCustomError("catalogue", "资格规则 eligibility 只适用于面向个人的项目")
        if self.supervision.yearly_cap_person is not None and self.kind != "training":
            raise PydanticCustomError("catalogue", "supervision.yearly_cap_person 只适用于培训类项目")
        return self

    def cap_for(self, recipient: Recipient) -> int | None:
        cap: int | None = getattr(self.caps, recipient)
        return cap

    def max_months_for(self, recipient: Recipient) -> int | None:
        if self.duration is None:
            return None
        return self.duration.max_months_person if recipient == "person" else self.duration.max_months_employer

    def is_exclusive(self, kind: str | None) -> bool:
        return self.exclusive or (kind is not None and kind in self.kinds and self.kinds[kind].exclusive)


class Catalogue(_Data):
    """The whole file: its version (recorded on every grant and payment) and the programmes."""

    version: Annotated[str, Field(min_length=1, max_length=40)]
    effective_from: Annotated[date, Field(strict=False)]
    programmes: Annotated[list[Programme], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        seen: set[str] = set()
        for programme in self.programmes:
            if programme.code in seen:
                raise PydanticCustomError("catalogue", "项目代码 {code} 重复", {"code": programme.code})
            seen.add(programme.code)
        return self

    def get(self, code: str) -> Programme | None:
        return next((p for p in self.programmes if p.code == code), None)


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message is one Chinese line naming the entry."""


def _entry_name(raw: Any, index: int) -> str:
    try:
        code = raw["programmes"][index].get("code")
    except (KeyError, IndexError, TypeError, AttributeError):
        code = None
    return f"第 {index + 1} 项（{code}）" if code else f"第 {index + 1} 项"


def parse(raw: Any, origin: str) -> Catalogue:
    """Validate the loaded YAML document ``raw``; ``origin`` names the file in the message."""
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        index, field, message = first_error(exc, "programmes")
        where = "文件" if index is None else _entry_name(raw, index)
        at = f"字段 {field}" if field else "整体"
        raise CatalogueError(f"项目目录 {origin} 无效：{where} {at}：{message}") from None


def load(path: Path = DEFAULT_PATH) -> Catalogue:
    """Read and validate the catalogue file (:class:`CatalogueError` when it cannot be used)."""
    return parse(read_yaml(path, "项目目录", CatalogueError), str(path))
