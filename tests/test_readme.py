"""The README's configuration table names exactly the variables the services read; the README and
docs/ point at nothing outside the repository and at no file that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leye.stack import SERVICES
from services.monitoring.settings import DEFAULT_THRESHOLDS
from services.monitoring.warnings.thresholds import Thresholds, signal_floor
from tests.deploy.test_compose import env_names, settings_class

README = Path(__file__).parents[1] / "README.md"
ROOT = README.parent
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
# A path in a code span that starts with one of these is a file of the repository and must exist.
SOURCE_DIRS = ("schemas/", "services/", "leye/", "tests/", "docs/", "deploy/")
READ_BY_THE_CLI = {"LEYE_SIM_CLIENT_ID", "LEYE_SIM_CLIENT_SECRET"}


def documented() -> set[str]:
    text = README.read_text()
    section = text[text.index("## Configuration"):]
    section = section[: section.index("\n## ", 1)]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_configuration_table_matches_the_settings_classes() -> None:
    read = set().union(*(env_names(settings_class(s.name)) for s in SERVICES))
    assert sorted(read - documented()) == [], "read by a service but missing from README's configuration table"
    assert sorted(documented() - read - READ_BY_THE_CLI) == [], "in README's table but read by nothing"


def test_the_two_commands_are_the_whole_setup() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
    makefile = (README.parent / "Makefile").read_text()
    assert "leye up --demo" in makefile and "pytest" in makefile


def test_warning_table_matches_the_shipped_thresholds() -> None:
    text = README.read_text()
    section = text[text.index("## Indicators and early warnings"):]
    section = section[: section.index("\n## ", 1)]
    thresholds = Thresholds.load(DEFAULT_THRESHOLDS)
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    assert {row[0].strip(" `") for row in rows} == set(type(thresholds.rules).model_fields)
    for signal, _scope, _value, levels, floor in rows:
        rule = thresholds.rule(signal.strip(" `"))
        shipped = [rule.levels[level] for level in sorted(rule.levels, key=lambda level: level.severity)]
        assert [float(number) for number in levels.split("/")] == shipped, signal
        minimum = signal_floor(signal.strip(" `"), thresholds)
        assert floor.split()[0] == (str(minimum.minimum) if minimum else "—"), signal


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_docs_point_at_nothing_outside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert [line for line in text.splitlines() if "../" in line] == [], "a path leaving the repository"
    absolute = re.findall(r"(?<![\w.:/])/(?:work|home|root|tmp|usr|opt|etc|mnt|srv)/\S*", text)
    assert absolute == [], "an absolute path on some machine"
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        assert "://" not in target and not target.startswith(("/", "mailto:")), target
        resolved = (doc.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT.resolve()) and resolved.exists(), target


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_files_named_in_docs_exist(doc: Path) -> None:
    named = {
        token.rstrip(".,;:)")
        for span in re.findall(r"`([^`\n]+)`", doc.read_text())
        for token in span.split()
        if token.startswith(SOURCE_DIRS) and not re.search(r"[<>*…{}\[\]|]", token)
    }
    assert sorted(path for path in named if not (ROOT / path).exists()) == []
