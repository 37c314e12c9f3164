"""Every service has the same shape (docs/DEVELOPING.md, "Layout"): the same files for the same roles,
and a ``__main__.py`` that is ``run(build)``."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from services.runtime.service import Service

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("gateway", "registration", "vacancies", "matching", "monitoring", "programmes")
EVERY_SERVICE_HAS = ("__main__.py", "app.py", "settings.py", "components.py", "deps.py", "store.py", "api",
                     "migrations")
PUBLISHERS = ("gateway", "registration", "vacancies", "matching", "monitoring", "programmes")
CONSUMERS = ("matching", "monitoring", "programmes")


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_the_same_files_for_the_same_roles(name: str) -> None:
    folder = ROOT / "services" / name
    missing = [part for part in EVERY_SERVICE_HAS if not (folder / part).exists()]
    assert missing == []
    assert (folder / "events.py").exists() == (name in PUBLISHERS)
    assert (folder / "handlers.py").exists() == (name in CONSUMERS)


@pytest.mark.parametrize("name", SERVICES)
def test_every_main_is_run_of_build(name: str) -> None:
    tree = ast.parse((ROOT / "services" / name / "__main__.py").read_text("utf-8"))
    calls = [node.value for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert [ast.unparse(call) for call in calls] == ["run(build)"]


@pytest.mark.parametrize("name", SERVICES)
def test_every_build_takes_its_settings_and_describes_a_service(name: str) -> None:
    module = __import__(f"services.{name}.app", fromlist=["build"])
    hints = inspect.get_annotations(module.build, eval_str=True)
    settings_class = __import__(f"services.{name}.settings", fromlist=["Settings"]).Settings
    assert hints["settings"] is settings_class
    assert getattr(hints["return"], "__origin__", hints["return"]) is Service
