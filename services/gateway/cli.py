"""``leye gateway clients add|list|disable|rotate``: the client registry, for operators.

Works on the database in ``GATEWAY_DATABASE_URL`` (default ``var/gateway.sqlite3``), migrating it
first. A secret is printed exactly once, on ``add`` and ``rotate``; only its SHA-256 digest is kept
(``auth.hash_secret``).
``--json`` prints it as one JSON line instead, for scripts (``leye up --demo`` registers its
simulator's client that way, without touching the gateway's tables).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from services.runtime.db import make_engine, make_session_factory, migrate

from .auth import hash_secret, new_secret
from .domain import SCOPES
from .settings import Settings
from .store import Client, get_client, list_clients

app = typer.Typer(help="接口网关管理", no_args_is_help=True)
clients_app = typer.Typer(help="管理接入网关的部门客户端", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
console = Console()


def _session() -> Session:
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    migrate(engine, Path(__file__).parent / "migrations")
    return make_session_factory(engine)()


def _existing(session: Session, client_id: str) -> Client:
    client = get_client(session, client_id)
    if client is None:
        console.print(f"客户端 {client_id} 不存在")
        raise typer.Exit(1)
    return client


JsonOption = Annotated[bool, typer.Option("--json", help="以一行 JSON 输出客户端编号和密钥（供脚本使用）")]


def _show_secret(client_id: str, secret: str, as_json: bool) -> None:
    if as_json:
        # Plain stdout: rich would wrap or colour a line that a script parses.
        typer.echo(json.dumps({"client_id": client_id, "secret": secret}))
        return
    console.print(f"客户端编号：{client_id}")
    console.print(f"客户端密钥：{secret}", highlight=False)
    console.print("请立即妥善保存密钥：它只显示这一次，网关只保存其哈希值。")


@clients_app.command("add")
def add(
    client_id: Annotated[str, typer.Argument(help="客户端编号（字母、数字、-、_）")],
    department: Annotated[str, typer.Option("--department", "-d", help="所属部门，如：区民政局")],
    scope: Annotated[list[str] | None, typer.Option("--scope", "-s", help="权限范围，可重复；见 --help 列表")] = None,
    all_scopes: Annotated[bool, typer.Option("--all-scopes", help="授予全部权限范围（如演示用客户端）")] = False,
    bureau: Annotated[bool, typer.Option("--bureau", help="人社局自身的客户端：可看到少于5人的统计格子")] = False,
    as_json: JsonOption = False,
) -> None:
    """登记一个部门客户端并显示其密钥（仅此一次）。"""
    scope = list(SCOPES) if all_scopes else (scope or [])
    if not scope:
        console.print(f"请用 --scope 指定至少一个权限范围，或用 --all-scopes；可用：{'、'.join(SCOPES)}",
                      soft_wrap=True)
        raise typer.Exit(2)
    unknown = sorted(set(scope) - SCOPES.keys())
    if unknown:
        console.print(f"未知的权限范围：{'、'.join(unknown)}；可用：{'、'.join(SCOPES)}")
        raise typer.Exit(2)
    if not client_id.replace("-", "").replace("_", "").isalnum() or not client_id.isascii() or len(client_id) > 64:
        console.print("客户端编号只能包含字母、数字、- 和 _，且不超过64个字符")
        raise typer.Exit(2)
    secret = new_secret()
    with _session() as session, session.begin():
        if get_client(session, client_id) is not None:
            console.print(f"客户端 {client_id} 已存在")
            raise typer.Exit(1)
        session.add(Client(client_id=client_id, department=department, secret_hash=hash_secret(secret),
                           scopes=" ".join(sorted(set(scope))), active=True, bureau=bureau))
    _show_secret(client_id, secret, as_json)


@clients_app.command("list")
def list_() -> None:
    """列出全部客户端（不显示密钥）。"""
    table = Table("客户端编号", "部门", "权限范围", "人社局", "状态", "登记时间")
    with _session() as session:
        for c in list_clients(session):
            table.add_row(c.client_id, c.department, " ".join(sorted(c.scope_set)), "是" if c.bureau else "否",
                          "启用" if c.active else "已停用", c.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@clients_app.command("disable")
def disable(client_id: Annotated[str, typer.Argument(help="客户端编号")]) -> None:
    """停用客户端：不再签发令牌，已签发的令牌也随即失效。"""
    with _session() as session, session.begin():
        _existing(session, client_id).active = False
    console.print(f"客户端 {client_id} 已停用")


@clients_app.command("rotate")
def rotate(client_id: Annotated[str, typer.Argument(help="客户端编号")], as_json: JsonOption = False) -> None:
    """更换客户端密钥并显示新密钥（仅此一次）；旧密钥立即失效。"""
    secret = new_secret()
    with _session() as session, session.begin():
        _existing(session, client_id).secret_hash = hash_secret(secret)
    _show_secret(client_id, secret, as_json)
