"""Files the bureau edits (the targets, the programme catalogue): YAML validated by pydantic, refused
at start-up with one Chinese line that names the entry and the field.

Pure: no storage, broker or web library, so a service's pure rules may load their file with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from schemas.errors import chinese_errors


def read_yaml(path: Path, what: str, error: type[Exception], hint: str = "") -> Any:
    """The YAML document in ``path``; ``error`` (with ``what`` naming the file) when it cannot be read
    or is not YAML, ``hint`` added to the latter."""
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise error(f"{what} {path} 无法读取：{exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else "某处"
        raise error(f"{what} {path} 不是合法的 YAML（{line}{hint}）") from None


def first_error(exc: ValidationError, entries: str) -> tuple[int | None, str, str]:
    """The first of a validation's errors, in Chinese: the index of the entry of the list ``entries``
    it lies in (``None`` outside it), the field within (dotted; empty for the entry or file itself)
    and the message."""
    error = chinese_errors(exc)[0]
    loc = list(error["loc"])
    index = None
    if len(loc) >= 2 and loc[0] == entries and isinstance(loc[1], int):
        index, loc = loc[1], loc[2:]
    field = ".".join(str(part) for part in loc if not str(part).startswith(("function-", "tagged-")))
    return index, field, error["msg"]
