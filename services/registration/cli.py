"""``leye registration pii status|rotate``: the key versions of personal data at rest, for operators.

Works on the database in ``REGISTRATION_DATABASE_URL`` (default ``var/registration.sqlite3``) with the
keys in ``REGISTRATION_PII_KEYS`` / ``REGISTRATION_PII_KEY``, migrating it first. Output is Chinese and
never shows personal data or secrets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography.fernet import InvalidToken
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from services.runtime.db import make_engine, migrate

from .crypto import LEGACY_VERSION, PiiCipher
from .pii_keys import MissingPiiKeysError, Rotation, operator_name, recent_runs, rotate, version_counts
from .settings import Settings

app = typer.Typer(help="人员登记服务管理", no_args_is_help=True)
pii_app = typer.Typer(help="个人信息加密密钥（版本、轮换）", no_args_is_help=True)
app.add_typer(pii_app, name="pii")
console = Console()
STATUS_NAMES = {"running": "进行中或被强行终止", "finished": "已完成", "interrupted": "已中断", "failed": "失败"}


def _open() -> tuple[Engine, PiiCipher]:
    settings = Settings()
    engine = make_engine(settings.database())
    migrate(engine, Path(__file__).parent / "migrations")
    return engine, settings.cipher()


def _versions(versions: tuple[int, ...] | list[int]) -> str:
    return "、".join(f"第 {v} 版" for v in versions) or "无"


@pii_app.command("status")
def status() -> None:
    """各密钥版本下的人员记录数，以及最近的轮换记录。"""
    engine, cipher = _open()
    try:
        counts = version_counts(engine)
        table = Table("密钥版本", "人员记录数", "状态")
        for version in sorted(set(counts) | cipher.versions, reverse=True):
            if version == cipher.newest_version:
                state = "最新（用于加密）"
            elif version in cipher.versions:
                state = "仅用于解密" + ("（旧版单一密钥）" if version == LEGACY_VERSION else "")
            else:
                state = "未配置密钥：无法解密"
            table.add_row(str(version), str(counts.get(version, 0)), state)
        console.print(table)
        runs = Table("编号", "开始时间（UTC）", "操作人", "主机", "原版本", "新版本", "已重新加密", "跳过", "结果")
        for run in recent_runs(engine):
            runs.add_row(str(run.id), f"{run.started_at:%Y-%m-%d %H:%M:%S}", run.operator, run.host,
                         run.from_versions or "无", str(run.to_version), str(run.rows_done), str(run.rows_skipped),
                         STATUS_NAMES.get(run.status, run.status))
        console.print(runs)
    finally:
        engine.dispose()


@pii_app.command("rotate")
def rotate_command(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="每批重新加密的记录数（每批一个短事务）")] = 200,
    operator: Annotated[str, typer.Option(help="记入审计记录的操作人（默认：当前系统账户）")] = "",
) -> None:
    """把全部人员记录的个人信息改用最新版本的密钥加密；可在服务运行时执行，中断后重新运行即可继续。"""
    engine, cipher = _open()

    def started(run: Rotation) -> None:
        if run.pending:
            console.print(f"第 {run.run_id} 次轮换：{_versions(run.from_versions)} → 第 {run.to_version} 版，"
                          f"待重新加密 {run.pending} 条人员记录")
        else:
            console.print(f"第 {run.run_id} 次轮换：全部人员记录已使用最新密钥（第 {run.to_version} 版），无需处理")

    def progress(run: Rotation) -> None:
        console.print(f"已重新加密 {run.rows_done} 条，跳过 {run.rows_skipped} 条")

    try:
        run = rotate(engine, cipher, operator=operator or operator_name(), batch_size=batch_size,
                     on_start=started, on_batch=progress)
    except MissingPiiKeysError as exc:
        console.print(f"无法轮换：{exc}")
        raise typer.Exit(1) from None
    except InvalidToken:
        console.print("轮换失败：有人员记录无法用所配置的密钥解密，配置的密钥与加密时所用的不一致。"
                      "请核对 REGISTRATION_PII_KEYS 与 REGISTRATION_PII_KEY；已完成的批次已保存。")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("已中断。已完成的批次已保存；再次运行本命令将从尚未使用最新密钥的记录继续。")
        raise typer.Exit(130) from None
    finally:
        engine.dispose()
    console.print(f"完成：重新加密 {run.rows_done} 条，跳过 {run.rows_skipped} 条。")
    if run.rows_skipped:
        console.print("被跳过的记录在轮换期间被服务修改过，请再次运行本命令处理。")
