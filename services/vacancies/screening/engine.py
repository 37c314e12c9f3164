"""The screening engine: normalise a posting, blank out lawful phrasing, search the restrictions of
``rules.py`` and quote the employer's own words. Pure: no I/O, no shared mutable state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .rules import (
    AGE_ALLOW,
    AGE_CAP_BASIS,
    AGE_CAP_FLOOR,
    AGE_CAP_RULE,
    AGE_CAPS,
    AGE_FLOORS,
    AGE_RANGES,
    AGE_WORDS,
    CATEGORY_LABELS,
    CHILD_LABOUR_BASIS,
    CHILD_LABOUR_RULE,
    CLAUSE_END,
    KEY_SUFFIXES,
    MAX_REASON_CHARS,
    MIN_WORKING_AGE,
    NEUTRAL_VALUE,
    NEUTRAL_VALUES,
    OTHERS_AGE,
    REQUIREMENT_KEYS,
    TEXT_RULES,
    TRAINEESHIP,
    TRAINEESHIP_KINDS,
)

_MAX_QUOTES = 2
_MAX_QUOTE_CHARS = 24


@dataclass(frozen=True)
class ScreeningFinding:
    """One ground on which a posting is discriminatory.

    ``category`` is one of ``CATEGORIES``; ``label`` its Chinese name; ``reason`` the Chinese
    explanation shown to the employer (rule, quoted phrase, legal basis), at most 200 characters.
    """

    category: str
    label: str
    reason: str


@dataclass(frozen=True)
class _Posting:
    """A posting's text as the employer wrote it and in normalised form, with a position map."""

    original: str
    text: str  # normalised: what the patterns run on
    positions: tuple[int, ...]  # text[i] comes from original[positions[i]]

    @classmethod
    def of(cls, original: str) -> _Posting:
        """Normalise: character-wise NFKC (full-width punctuation and digits to ASCII), lower case,
        runs of spaces collapsed, a space between two Chinese characters dropped (限 男 性)."""
        chars: list[str] = []
        positions: list[int] = []
        for index, char in enumerate(original):
            for out in unicodedata.normalize("NFKC", char).lower():
                if out == "\t":
                    out = " "
                if out == " " and chars and chars[-1] == " ":
                    continue
                if len(chars) >= 2 and chars[-1] == " " and _is_cjk(chars[-2]) and _is_cjk(out):
                    chars.pop()
                    positions.pop()
                chars.append(out)
                positions.append(index)
        return cls(original, "".join(chars), tuple(positions))

    def quote(self, start: int, end: int) -> str:
        """The employer's own words for the clause around normalised ``text[start:end]``."""
        left, right = _clause(self.text, start, end)
        if left >= right:
            return ""
        return self.original[self.positions[left] : self.positions[right - 1] + 1].strip()


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _normalise(text: str) -> str:
    return _Posting.of(text).text


def _blank(pattern: re.Pattern[str] | None, text: str) -> str:
    """Replace every match of ``pattern`` by placeholders of the same length (positions are kept)."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: "\u25a0" * len(m.group()), text)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Span of the clause around ``text[start:end]``, narrowed to a window when long."""
    left = max(text.rfind(c, 0, start) for c in CLAUSE_END) + 1
    right = min((i for i in (text.find(c, end) for c in CLAUSE_END) if i != -1), default=len(text))
    if right - left > _MAX_QUOTE_CHARS:
        pad = max(0, (_MAX_QUOTE_CHARS - (end - start)) // 2)
        left, right = max(left, start - pad), min(right, end + pad)
    return left, min(right, left + _MAX_QUOTE_CHARS)


def _finding(category: str, rule: str, quotes: Iterable[str], basis: str) -> ScreeningFinding:
    """Rule, quoted phrases and basis, within MAX_REASON_CHARS (quotes are dropped first)."""
    unique = list(dict.fromkeys(q for q in quotes if q))[:_MAX_QUOTES]
    while True:
        found = "（发现：" + "、".join(f"“{q}”" for q in unique) + "）" if unique else ""
        reason = f"{rule}{found}。{basis}"
        if len(reason) <= MAX_REASON_CHARS or not unique:
            return ScreeningFinding(category, CATEGORY_LABELS[category], reason[:MAX_REASON_CHARS])
        unique.pop()


def _requirement_lines(requirements: Mapping[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """Render requirements as "key：value" lines and check the protected fields by key."""
    lines: list[str] = []
    by_key: dict[str, list[str]] = {}
    for raw_key, raw_value in requirements.items():
        line = f"{raw_key}：{raw_value}"
        lines.append(line)
        key = _normalise(str(raw_key)).strip()
        value = _normalise(str(raw_value)).strip()
        for suffix in KEY_SUFFIXES:
            key = key.removesuffix(suffix)
        category = REQUIREMENT_KEYS.get(key)
        if category is not None and value not in NEUTRAL_VALUES and not NEUTRAL_VALUE.search(value):
            by_key.setdefault(category, []).append(line)
    return lines, by_key


def _age_quotes(
    posting: _Posting, age_min: int | None, age_max: int | None, traineeship: bool
) -> tuple[list[str], list[str]]:
    """Quotes for (upper caps below the floor and age words, lower bounds under 16)."""
    caps: list[str] = []
    under_age: list[str] = []
    scan = _blank(AGE_ALLOW, posting.text)

    def others_age(match: re.Match[str]) -> bool:
        return OTHERS_AGE.match(scan, match.end()) is not None

    for pattern in AGE_RANGES:
        for match in pattern.finditer(scan):
            low, high = int(match.group(1)), int(match.group(2))
            if others_age(match) or high < MIN_WORKING_AGE:
                continue
            if low < MIN_WORKING_AGE:
                under_age.append(posting.quote(match.start(), match.end()))
            if high < AGE_CAP_FLOOR and not traineeship:
                caps.append(posting.quote(match.start(), match.end()))
    for pattern in AGE_FLOORS:
        for match in pattern.finditer(scan):
            if int(match.group(1)) < MIN_WORKING_AGE and not others_age(match):
                under_age.append(posting.quote(match.start(), match.end()))
    if not traineeship:
        for pattern in AGE_CAPS:
            for match in pattern.finditer(scan):
                cap = int(match.group(1))
                if MIN_WORKING_AGE <= cap < AGE_CAP_FLOOR and not others_age(match):
                    caps.append(posting.quote(match.start(), match.end()))
        caps.extend(posting.quote(m.start(), m.end()) for m in AGE_WORDS.finditer(scan))
        if age_max is not None and age_max < AGE_CAP_FLOOR:
            caps.append(f"年龄上限{age_max}周岁")
    if age_min is not None and age_min < MIN_WORKING_AGE:
        under_age.append(f"最低年龄{age_min}周岁")
    return caps, under_age


def screen_posting(
    title: str,
    description: str,
    *,
    age_min: int | None = None,
    age_max: int | None = None,
    requirements: Mapping[str, str] | None = None,
) -> list[ScreeningFinding]:
    """Screen one job posting for discriminatory restrictions; ``[]`` means clean.

    ``age_min`` / ``age_max`` are the structured age bounds, ``requirements`` any other structured
    fields (e.g. ``{"gender_required": "男", "hukou_required": "天津"}``; ``"kind": "traineeship"``
    marks a 就业见习 post). At most one finding per category, in ``CATEGORIES`` order. Pure and
    deterministic; see the package docstring for the policy behind each category.
    """
    lines, by_key = _requirement_lines(requirements or {})
    posting = _Posting.of("\n".join([title, description, *lines]))

    findings: list[ScreeningFinding] = []
    for rule in TEXT_RULES:
        scan = _blank(rule.allow, posting.text)
        quotes = by_key.get(rule.category, []) + [
            posting.quote(m.start(), m.end()) for m in rule.restrict.finditer(scan)
        ]
        if quotes:
            findings.append(_finding(rule.category, rule.rule, quotes, rule.basis))

    kind = _normalise(str((requirements or {}).get("kind", ""))).strip()
    traineeship = kind in TRAINEESHIP_KINDS or TRAINEESHIP.search(posting.text) is not None
    caps, under_age = _age_quotes(posting, age_min, age_max, traineeship)
    if under_age:  # hiring under-16s is the graver breach: the one age finding names it
        findings.append(_finding("age", CHILD_LABOUR_RULE, under_age, CHILD_LABOUR_BASIS))
    elif caps:
        findings.append(_finding("age", AGE_CAP_RULE, caps, AGE_CAP_BASIS))
    return findings
