"""The ``leye`` command groups that services contribute: mounted when they import, loud when they don't."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from leye.cli import COMMAND_GROUPS, CommandGroupError, groups_to_mount, mount_command_groups

ROOT = Path(__file__).parents[2]


def _leye(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``leye`` in a fresh interpreter, after ``prelude`` (Python) has run there."""
    script = f"import sys\n{prelude}\nfrom leye.cli import main\nsys.argv = ['leye', *{list(args)!r}]\nmain()\n"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_group_is_mounted() -> None:
    done = _leye("--help")
    assert done.returncode == 0, done.stderr
    for name in COMMAND_GROUPS:
        assert name in done.stdout


def test_a_group_that_fails_to_import_stops_leye_with_its_cause() -> None:
    # A None entry in sys.modules makes the import raise ModuleNotFoundError, as a missing dependency would.
    done = _leye("--help", prelude="sys.modules['services.gateway.cli'] = None")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "命令组 gateway 无法加载（services.gateway.cli）：import of services.gateway.cli halted; None in sys.modules"
    )
    assert "Usage" not in done.stdout


@pytest.mark.parametrize(
    ("module", "message"),
    [
        pytest.param("services.nothing.cli", "命令组 broken 无法加载（services.nothing.cli）：", id="missing"),
        pytest.param("json", "命令组 broken 无法加载：json 中没有 typer 应用 app", id="no typer app"),
    ],
)
def test_mount_refuses_a_broken_group(module: str, message: str) -> None:
    parent = typer.Typer()
    with pytest.raises(CommandGroupError) as caught:
        mount_command_groups(parent, {"broken": module})
    assert str(caught.value).startswith(message)
    assert parent.registered_groups == []


def test_a_command_line_mounts_only_the_group_it_names() -> None:
    assert groups_to_mount(["leye", "gateway", "clients", "list"]) == {"gateway": "services.gateway.cli"}
    assert groups_to_mount(["leye", "up", "--demo"]) == {} == groups_to_mount(["leye", "bench", "wall"])
    assert groups_to_mount(["leye", "--help"]) == COMMAND_GROUPS == groups_to_mount(["leye"])
    assert groups_to_mount(["leye", "gatewya"]) == COMMAND_GROUPS  # typer then names the real ones
