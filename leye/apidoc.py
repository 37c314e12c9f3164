"""``leye api``: export the public API's contract.

``export`` writes the backends' public operations (their OpenAPI paths and schemas, generated from
the models they validate with) to ``services/gateway/backend_contracts.json``, which the gateway
reads to forward and document them, and the gateway's whole document to ``docs/api/openapi.json``.
Tests fail when either file differs from what the code generates. The services are imported when
the command runs, not when ``leye`` starts.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(help="对外接口：导出 OpenAPI 文档", no_args_is_help=True)
console = Console()
ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "api" / "openapi.json"


def backend_contracts() -> dict[str, Any]:
    """Each backend's public operations and its schemas, from the backend's own OpenAPI document."""
    from services.gateway.contract import BACKENDS, public_paths
    from services.runtime.http import http_app

    contracts = {}
    for name in BACKENDS:
        build = importlib.import_module(f"services.{name}.app").build
        settings = importlib.import_module(f"services.{name}.settings").Settings()
        document = http_app(build(settings)).openapi()
        contracts[name] = {"paths": public_paths(name, document),
                           "schemas": document.get("components", {}).get("schemas", {})}
    return contracts


def gateway_document() -> dict[str, Any]:
    """The gateway's OpenAPI document, as ``/openapi.json`` serves it."""
    from services.gateway.app import create_app
    from services.gateway.settings import Settings

    document: dict[str, Any] = create_app(Settings(database_url="sqlite://")).openapi()
    return document


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="OpenAPI 文档的输出路径")] = DOCUMENT,
) -> None:
    """导出各后端的公开接口（网关据此转发并生成文档）与网关的 OpenAPI 文档（重复导出结果完全相同）。"""
    from services.gateway.contract import CONTRACTS
    from services.gateway.contract import backend_contracts as cached

    CONTRACTS.write_text(dumps(backend_contracts()), encoding="utf-8")
    cached.cache_clear()
    console.print(f"已写入 {CONTRACTS}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(gateway_document()), encoding="utf-8")
    console.print(f"已写入 {out}")
