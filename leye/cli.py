"""``leye``: the one command-line tool for operators and developers.

Output people read is Chinese; benchmark figures end with one JSON line for machines.
"""

from __future__ import annotations

import ast
import importlib
import json
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from kafka.errors import KafkaError
from rich.console import Console
from rich.table import Table

from .stack import DEFAULT_BROKER_PORT, DEFAULT_PORT_BASE, PortInUse, Stack

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

app = typer.Typer(help="乐业西青指挥中心 平台工具", no_args_is_help=True, add_completion=False)
PLAIN_EVERY_S = 10.0  # the live view's line interval when the output is not a terminal
bench_app = typer.Typer(help="性能基准测试（结果写入 bench/results/）", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console()
err_console = Console(stderr=True)

# Command groups that services contribute (`services/<name>/cli.py` exposing a typer `app`).
COMMAND_GROUPS: dict[str, str] = {
    "grafana": "services.monitoring.cli",
    "gateway": "services.gateway.cli",
    "registration": "services.registration.cli",
    "api": "leye.apidoc",
    "wall": "leye.wall",
    "reference": "leye.refdata",
}


class CommandGroupError(RuntimeError):
    """A service's command group cannot be mounted; the message is for operators."""


def mount_command_groups(parent: typer.Typer, groups: dict[str, str]) -> None:
    """Add each group to ``parent``; raise ``CommandGroupError`` for one that fails to import. ``leye``
    then stops with the cause: a command that silently disappears would hide a broken installation."""
    for name, module_name in groups.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise CommandGroupError(f"命令组 {name} 无法加载（{module_name}）：{exc}") from exc
        sub = getattr(module, "app", None)
        if not isinstance(sub, typer.Typer):
            raise CommandGroupError(f"命令组 {name} 无法加载：{module_name} 中没有 typer 应用 app")
        parent.add_typer(sub, name=name)


@app.command()
def up(
    port_base: Annotated[int, typer.Option(help="服务端口起点：gateway=起点, registration=+1 … monitoring=+4")] = (
        DEFAULT_PORT_BASE
    ),
    broker_port: Annotated[int, typer.Option(help="内嵌 Kafka 代理端口")] = DEFAULT_BROKER_PORT,
    var_dir: Annotated[Path, typer.Option(help="数据与日志目录")] = Path("var"),
    demo: Annotated[bool, typer.Option("--demo", help="同时发送模拟业务流量，并显示实时看板")] = False,
    demo_rate: Annotated[float, typer.Option(help="模拟流量：每秒请求数")] = 5.0,
) -> None:
    """启动整个平台（内嵌 Kafka 代理、全部服务），Ctrl-C 停止。"""
    import os

    stack = Stack(port_base=port_base, broker_port=broker_port, var_dir=var_dir,
                  kafka_bootstrap=os.environ.get("KAFKA_BOOTSTRAP") or None)
    stopping = False
    ready = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if not ready:
            raise KeyboardInterrupt  # interrupt the start-up waits; what started is stopped below

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        stack.check_ports()
        console.print(f"正在启动：Kafka 代理 {stack.bootstrap}，服务 {', '.join(s.name for s in stack.services)}")
        stack.start()
    except PortInUse as exc:
        err_console.print(str(exc))
        raise typer.Exit(1) from None
    except (RuntimeError, OSError) as exc:
        err_console.print(f"启动失败：{exc}")
        stack.stop()
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err_console.print("启动中止，正在停止已启动的部分……")
        stack.stop()
        raise typer.Exit(130) from None
    ready = True
    console.print(f"日志目录：{(var_dir / 'logs').resolve()}")
    for spec in stack.services:
        console.print(f"  {spec.name:<13} {stack.url(spec.name)}/docs")
    if any(spec.name == "monitoring" for spec in stack.services):
        console.print(f"  指挥中心大屏    {stack.url('monitoring')}/wall")
    print(f"READY gateway={stack.url('gateway')}", flush=True)
    restarts: dict[str, int] = {}

    def supervise() -> None:
        """Restart the embedded broker or a service that died (events are safe in the outboxes)."""
        code = stack.broker_exit_code()
        if code is not None and not stopping:
            restarts["broker"] = restarts.get("broker", 0) + 1
            err_console.print(f"Kafka 代理意外退出（退出码 {code}），第 {restarts['broker']} 次重启", soft_wrap=True)
            try:
                stack.restart_broker()
                # memory storage: the outboxes re-publish and the stream workers re-read (lostlog.py)
                err_console.print(f"Kafka 代理已在原端口 {stack.bootstrap} 重启，主题已重建（内容由各服务发件箱重发）",
                                  soft_wrap=True)
            except (RuntimeError, OSError, KafkaError) as exc:
                err_console.print(f"Kafka 代理重启失败：{exc}；稍后重试", soft_wrap=True)
        for name, process in list(stack.processes.items()):
            if process.poll() is not None and not stopping:
                restarts[name] = restarts.get(name, 0) + 1
                err_console.print(f"{name} 意外退出（退出码 {process.returncode}），第 {restarts[name]} 次重启")
                stack.start_service(name)

    simulator = None
    try:
        if demo:
            from .demo import DemoClientError

            try:
                simulator = _start_demo_traffic(stack, var_dir, demo_rate)
            except DemoClientError as exc:
                err_console.print(str(exc), soft_wrap=True)
                raise typer.Exit(1) from None
            _live_view(stack, lambda: stopping, supervise)
        else:
            while not stopping:
                time.sleep(0.5)
                supervise()
    finally:
        console.print("正在停止全部服务……")
        if simulator is not None and simulator.poll() is None:
            simulator.terminate()
            simulator.wait(10)
        stack.stop()
        console.print("已停止。")


def _start_demo_traffic(stack: Stack, var_dir: Path, rate: float) -> subprocess.Popen[bytes]:
    """Register the simulator's gateway client (through ``leye gateway clients``) and start ``leye simulate``
    as a child process."""
    import os
    import subprocess

    from .demo import ensure_demo_client, ensure_demo_stations

    client_id, secret = ensure_demo_client(var_dir)
    if created := ensure_demo_stations(stack.url("gateway"), client_id, secret):
        console.print(f"已设立 {created} 个演示就业红娘站点（模拟人员所在的每个社区/村一个），"
                      "工单、推介与服务时效指标随模拟流量出现")
    env = os.environ | {"LEYE_SIM_CLIENT_ID": client_id, "LEYE_SIM_CLIENT_SECRET": secret}
    log = open(var_dir / "logs" / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [sys.executable, "-m", "leye.cli", "simulate", "--gateway", stack.url("gateway"), "--rate", str(rate),
         "--duration", "0", "--log", str(var_dir / "simulator" / "demo.jsonl")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    return process


def _live_view(stack: Stack, stopped: Callable[[], bool], supervise: Callable[[], None]) -> None:
    """Refresh the live view every 2 s until stopped, supervising the services in between. When the
    output is not a terminal (redirected to a file, piped), one plain line every PLAIN_EVERY_S instead:
    Rich's in-place view would only appear there when it stops."""
    import httpx
    from rich.live import Live

    from .live import fetch, plain_line, render

    monitoring = stack.url("monitoring")
    urls = {"指挥中心大屏": f"{monitoring}/wall", "网关接口文档": f"{stack.url('gateway')}/docs",
            "统计接口": f"{monitoring}/stats/indicators", "预警接口": f"{monitoring}/warnings"}
    footer = (f"模拟流量发送记录：{stack.var_dir / 'simulator' / 'demo.jsonl'}；模拟器日志："
              f"{stack.var_dir / 'logs' / 'simulator.log'}；服务日志：{stack.var_dir / 'logs'}；按 Ctrl-C 停止")

    def wait(seconds: float) -> None:
        for _ in range(int(seconds / 0.5)):
            if stopped():
                return
            time.sleep(0.5)
            supervise()

    with httpx.Client(timeout=15.0) as client:
        if not console.is_terminal:
            console.print(f"输出不是终端：每 {PLAIN_EVERY_S:g} 秒打印一行概况；完整视图请在终端运行，"
                          f"或在浏览器打开指挥中心大屏 {urls['指挥中心大屏']}（全部指标：{urls['统计接口']}）",
                          soft_wrap=True)
            console.print(footer, soft_wrap=True)
            while not stopped():
                console.print(plain_line(fetch(stack.url("monitoring"), client)), soft_wrap=True, highlight=False)
                wait(PLAIN_EVERY_S)
            return
        with Live(console=console, refresh_per_second=2, screen=False) as live:
            while not stopped():
                live.update(render(fetch(stack.url("monitoring"), client), urls, footer))
                wait(2.0)


@app.command()
def topics(bootstrap: Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP")] = "127.0.0.1:9092") -> None:
    """列出主题及每个主题的消息数。"""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="leye-topics")
    try:
        table = Table("主题", "分区数", "消息数")
        for name in sorted(consumer.topics()):
            partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            ends = consumer.end_offsets(partitions)
            starts = consumer.beginning_offsets(partitions)
            table.add_row(name, str(len(partitions)), str(sum(ends[tp] - starts[tp] for tp in partitions)))
        console.print(table)
    finally:
        consumer.close()


@app.command()
def tail(
    topic: str,
    bootstrap: Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP")] = "127.0.0.1:9092",
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="从最早的消息开始")] = False,
    count: Annotated[int, typer.Option("-n", "--count", help="显示这么多条后退出（0 = 一直显示）")] = 0,
) -> None:
    """逐条显示某个主题上的事件（时间、类型、主体、数据）。"""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, client_id="leye-tail", group_id=None,
        auto_offset_reset="earliest" if from_beginning else "latest", enable_auto_commit=False,
    )
    shown = 0
    try:
        for record in consumer:
            console.print(_describe(record.value, record.partition, record.offset), highlight=False)
            shown += 1
            if count and shown >= count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


def _describe(value: bytes, partition: int, offset: int) -> str:
    try:
        event = orjson.loads(value)
        data = event.get("data", {})
        summary = " ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, dict | list))
        kind = str(event.get("type", "?")).removeprefix("cn.xiqing.leye.")
        return f"[{partition}:{offset}] {event.get('time', '?')} {kind} {event.get('subject', '?')} {summary}"
    except (orjson.JSONDecodeError, AttributeError):
        return f"[{partition}:{offset}] （无法解析的消息，{len(value)} 字节）"


@app.command()
def simulate(
    gateway: Annotated[str, typer.Option(help="网关地址")] = "http://127.0.0.1:8000",
    client_id: Annotated[str, typer.Option(envvar="LEYE_SIM_CLIENT_ID", help="网关客户端编号")] = "",
    client_secret: Annotated[str, typer.Option(envvar="LEYE_SIM_CLIENT_SECRET", help="网关客户端密钥")] = "",
    rate: Annotated[float, typer.Option(help="每秒请求数")] = 10.0,
    duration: Annotated[float, typer.Option(help="持续秒数（0 = 直到 Ctrl-C 或达到 --count）")] = 60.0,
    count: Annotated[int, typer.Option(help="请求总数（0 = 不限）")] = 0,
    seed: Annotated[int, typer.Option(help="随机种子：相同种子产生相同的业务流量")] = 1,
    scenario: Annotated[str, typer.Option(
        help="场景：normal（日常，含家庭户与就业创业项目）、layoff-wave（裁员潮）、graduation（毕业季）、"
             "policy（政策找人）")] = "normal",
    street: Annotated[str, typer.Option(help="场景集中的街镇（名称或代码），如 中北镇")] = "",
    log: Annotated[Path, typer.Option(help="发送记录（JSON Lines，末行为合计）")] = Path(
        "var/simulator/simulate.jsonl"
    ),
) -> None:
    """通过网关公开接口发送西青区模拟业务流量，并记录所发送的内容。"""
    import asyncio

    from schemas.reference import STREETS

    from .simulator.run import GatewayClient
    from .simulator.run import simulate as run_simulation
    from .simulator.traffic import Traffic

    street_code = next((code for code, info in STREETS.items() if street in (code, info.name)), None)
    if street and street_code is None:  # an empty --street matches no code and means "anywhere"
        err_console.print(f"未知的街镇：{street}")
        raise typer.Exit(2)
    if not client_id or not client_secret:
        err_console.print("请指定网关客户端：--client-id/--client-secret，或环境变量 LEYE_SIM_CLIENT_ID/SECRET")
        raise typer.Exit(2)
    try:
        traffic = Traffic(seed, scenario=scenario, street=street_code)
    except ValueError as exc:
        err_console.print(str(exc))
        raise typer.Exit(2) from None

    async def _run() -> dict:
        client = GatewayClient(gateway, client_id, client_secret)
        try:
            totals = await run_simulation(traffic, client, rate=rate, duration_s=duration or None,
                                          count=count or None, log_path=log)
        finally:
            await client.close()
        return totals.as_dict()

    try:
        totals = asyncio.run(_run())
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    table = Table("业务", "成功", "被拒绝", "跳过")
    kinds = sorted(set(totals["accepted"]) | set(totals["refused"]) | set(totals["skipped"]))
    for kind in kinds:
        table.add_row(kind, str(totals["accepted"].get(kind, 0)), str(totals["refused"].get(kind, 0)),
                      str(totals["skipped"].get(kind, 0)))
    console.print(table)
    console.print(f"发送记录：{log}；网络失败 {totals['failed']} 次")


@bench_app.callback(invoke_without_command=True)
def _bench_root() -> None:
    """Each benchmark lives in ``leye/bench/<name>.py`` with ``run(quick) -> dict``."""


_CPU_HELP = "只测每个请求耗用的 CPU 时间，跳过延迟测量（仅部分基准支持）"


_EVENTS_HELP = "原始事件条数（默认按基准而定；仅部分基准支持）"


def _register_bench(name: str, doc: str, takes_cpu: bool, takes_events: bool) -> None:
    @bench_app.command(name=name)
    def _run(quick: Annotated[bool, typer.Option("--quick", help="60 秒内完成的缩减版")] = False,
             cpu: Annotated[bool, typer.Option("--cpu", help=_CPU_HELP)] = False,
             events: Annotated[int | None, typer.Option("--events", min=1, help=_EVENTS_HELP)] = None) -> None:
        if cpu and not takes_cpu:
            err_console.print(f"基准 {name} 不支持 --cpu")
            raise typer.Exit(2)
        if events is not None and not takes_events:
            err_console.print(f"基准 {name} 不支持 --events")
            raise typer.Exit(2)
        module = importlib.import_module(f"leye.bench.{name}")
        options: dict[str, Any] = {"quick": quick} | ({"cpu": True} if cpu else {}) | (
            {"events": events} if events is not None else {})
        figures = module.run(**options)
        results = Path("bench/results")
        results.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        record = ({"bench": name, "quick": quick, "at": stamp, "figures": figures} | ({"cpu": True} if cpu else {})
                  | ({"events": events} if events is not None else {}))
        (results / f"{name}-{'cpu-' if cpu else ''}{'quick-' if quick else ''}{stamp}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        )
        print(json.dumps(figures, ensure_ascii=False), flush=True)

    _run.__doc__ = doc


# Registered from the files, without importing them: a benchmark's imports are heavy.
def _run_takes(module: ast.Module, parameter: str) -> bool:
    """Whether the benchmark's ``run`` has ``parameter``: ``cpu`` (a CPU-only mode: ``--cpu``) or
    ``events`` (the size of its history: ``--events``)."""
    return any(isinstance(node, ast.FunctionDef) and node.name == "run"
               and any(arg.arg == parameter for arg in node.args.args + node.args.kwonlyargs) for node in module.body)


for _path in sorted(Path(__file__).with_name("bench").glob("*.py")):
    if not _path.name.startswith("_"):
        _tree = ast.parse(_path.read_text(encoding="utf-8"))
        _doc = ast.get_docstring(_tree) or _path.stem
        _register_bench(_path.stem, _doc.strip().splitlines()[0], _run_takes(_tree, "cpu"),
                        _run_takes(_tree, "events"))


def groups_to_mount(argv: list[str]) -> dict[str, str]:
    """The command groups a command line needs: only the group it names (importing a group imports its
    service: seconds of start-up an operator waits for), none for `leye`'s own commands, and all of
    them otherwise (`leye --help`, a mistyped name), so that help lists everything."""
    named = argv[1] if len(argv) > 1 else None
    own = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback} | {"bench"}
    if named in COMMAND_GROUPS:
        return {named: COMMAND_GROUPS[named]}
    return {} if named in own else COMMAND_GROUPS


def main() -> None:
    try:
        mount_command_groups(app, groups_to_mount(sys.argv))
    except CommandGroupError as exc:
        err_console.print(str(exc), highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    app(prog_name="leye")


if __name__ == "__main__":
    main()
