"""The labelled corpus of the discrimination screener: job postings with the categories they should be
flagged for. The screener's tests score against it and ``leye bench screening`` measures on it; the
screener itself (``services.vacancies.screening``) never reads it, so it stays out of that package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from services.vacancies.screening import CATEGORIES, ScreeningFinding, screen_posting


@dataclass(frozen=True)
class CorpusEntry:
    """One labelled posting of ``screening_corpus.yaml``."""

    id: str
    title: str
    description: str
    discriminatory: bool
    categories: frozenset[str]
    age_min: int | None = None
    age_max: int | None = None
    requirements: Mapping[str, str] | None = None
    note: str = ""

    def screen(self) -> list[ScreeningFinding]:
        """Run ``screen_posting`` on this entry."""
        return screen_posting(
            self.title,
            self.description,
            age_min=self.age_min,
            age_max=self.age_max,
            requirements=self.requirements,
        )


def load_corpus() -> list[CorpusEntry]:
    """Read the labelled corpus, ``screening_corpus.yaml`` beside this module.

    Raises ``ValueError`` on a malformed entry (unknown category, labels that contradict
    ``discriminatory``, duplicate id), so a bad edit fails loudly rather than skewing the scores.
    """
    raw = yaml.safe_load(
        resources.files(__package__).joinpath("screening_corpus.yaml").read_text(encoding="utf-8")
    )
    entries: list[CorpusEntry] = []
    seen: set[str] = set()
    for item in raw:
        entry = CorpusEntry(
            id=str(item["id"]),
            title=str(item["title"]),
            description=str(item["description"]),
            discriminatory=bool(item["discriminatory"]),
            categories=frozenset(item.get("categories") or ()),
            age_min=item.get("age_min"),
            age_max=item.get("age_max"),
            requirements={str(k): str(v) for k, v in item["requirements"].items()}
            if item.get("requirements")
            else None,
            note=str(item.get("note", "")),
        )
        unknown = entry.categories - set(CATEGORIES)
        if unknown or entry.id in seen or entry.discriminatory != bool(entry.categories):
            raise ValueError(f"malformed corpus entry {entry.id!r}")
        seen.add(entry.id)
        entries.append(entry)
    return entries
