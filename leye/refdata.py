"""``leye reference``: the reference data the bureau maintains, loaded from its files.

``leye reference load communities FILE.csv`` validates the bureau's list of 社区/行政村 (UTF-8 CSV,
header ``code,name,street_code,kind[,demo]``), compares it with the list in force and writes it as
the reference JSON the services read at start (by default the shipped
``schemas/reference/xiqing_communities.json``; ``--to`` another file, which ``REGISTRATION_COMMUNITIES``,
``VACANCIES_COMMUNITIES`` and ``MATCHING_COMMUNITIES`` then name). The first error stops it with a
Chinese message naming the line and field, and nothing is written; loading the same list again
changes nothing. Services read the list at start, so restart them after a load (docs/DOMAIN.md §1
says why a file and not a table).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from schemas.reference import (
    CommunityFileError,
    communities_from_json,
    communities_json,
    community_changes,
    parse_communities_csv,
    shipped_communities_path,
)

app = typer.Typer(help="参考数据（社区/行政村名单等）", no_args_is_help=True)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@app.callback()
def reference() -> None:
    """参考数据（社区/行政村名单等）。"""


class What(StrEnum):
    COMMUNITIES = "communities"


@app.command()
def load(
    what: Annotated[What, typer.Argument(help="参考数据类别：communities（社区/行政村）")],
    file: Annotated[Path, typer.Argument(help="CSV 文件（UTF-8，表头 code,name,street_code,kind[,demo]）",
                                         exists=True, dir_okay=False, readable=True)],
    to: Annotated[Path | None, typer.Option(help="写入的参考文件（默认：随软件发布的名单）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验并报告变化，不写入")] = False,
) -> None:
    """校验名单并载入：报告新增、变更和删除的条目；名单相同则不做任何改动。"""
    target = to or shipped_communities_path()
    try:
        loaded = parse_communities_csv(file.read_text("utf-8"))
    except UnicodeDecodeError:
        err_console.print(f"[red]{file}：文件须为 UTF-8 编码[/red]")
        raise typer.Exit(1) from None
    except CommunityFileError as exc:
        err_console.print(f"[red]{file} {exc}，未作任何改动[/red]")
        raise typer.Exit(1) from None
    current = communities_from_json(target.read_text("utf-8")) if target.exists() else {}
    changes = community_changes(current, loaded)
    if changes.empty:
        console.print(f"无变化：{file.name} 与 {target} 中的 {len(loaded)} 个社区/行政村相同")
        return
    for community in changes.added:
        console.print(f"新增 {community.code} {community.name}（{community.kind}，街镇 {community.street_code}）")
    for before, after in changes.changed:
        console.print(f"变更 {after.code} {before.name}→{after.name}（{before.kind}→{after.kind}，"
                      f"街镇 {before.street_code}→{after.street_code}，演示 {before.demo}→{after.demo}）")
    for community in changes.removed:
        console.print(f"删除 {community.code} {community.name}")
    summary = f"新增 {len(changes.added)} 个，变更 {len(changes.changed)} 个，删除 {len(changes.removed)} 个"
    if dry_run:
        console.print(f"{summary}（--dry-run：未写入）")
        return
    source = (f"Loaded from {file.name} with `leye reference load communities` "
              f"on {datetime.now(UTC):%Y-%m-%d}; entries marked demo are not official.")
    target.write_text(communities_json(loaded, source), "utf-8")
    console.print(f"{summary}；共 {len(loaded)} 个，已写入 {target}（重启各服务后生效）")
