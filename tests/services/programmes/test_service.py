"""The service's shape: migrations create exactly the models, and a bad catalogue stops the process at
start-up with one Chinese line naming the entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.programmes.store
from services.programmes.app import MIGRATIONS
from services.programmes.catalogue import DEFAULT_PATH, CatalogueError, load, parse
from services.runtime.db import make_engine, migrate
from tests.metadata import with_runtime_tables

ROOT = Path(__file__).resolve().parents[3]


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn),
                                 with_runtime_tables(services.programmes.store.Base.metadata))
    engine.dispose()
    assert diffs == []


def test_the_shipped_catalogue_covers_the_plan() -> None:
    catalogue = load()
    malanhua = catalogue.get("malanhua_training")
    assert malanhua is not None and malanhua.amount is not None
    assert (malanhua.amount.rule, malanhua.amount.yuan) == ("fixed", 500)
    loan = catalogue.get("startup_loan")
    assert loan is not None and loan.yearly_target is not None and loan.yearly_target.value == 50_000_000
    every = {p.code for p in catalogue.programmes}
    assert {"skills_training", "startup_subsidy", "traineeship", "internship", "public_welfare_post",
            "flexible_social_insurance"} <= every
    assert all(p.source for p in catalogue.programmes)


def raw_catalogue() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text("utf-8"))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(lambda raw: raw["programmes"][2]["caps"].update(person=-1), "第 3 项（startup_loan）",
                     id="negative cap"),
        pytest.param(lambda raw: raw["programmes"][2].pop("caps"), "第 3 项（startup_loan）", id="loan without caps"),
        pytest.param(lambda raw: raw["programmes"][0]["amount"].update(yuan=0), "第 1 项（malanhua_training）",
                     id="zero subsidy"),
        pytest.param(lambda raw: raw["programmes"][7]["amount"].update(max_share="5/4"),
                     "第 8 项（flexible_social_insurance）", id="share above one"),
        pytest.param(lambda raw: raw["programmes"][1].update(code="malanhua_training"),
                     "项目代码 malanhua_training 重复", id="duplicate code"),
        pytest.param(lambda raw: raw["programmes"][7]["eligibility"][1].update({"in": ["moonlighting"]}),
                     "第 8 项（flexible_social_insurance） 字段 eligibility.1："
                     "事实 employment_form 没有代码 moonlighting",
                     id="eligibility clause with an unknown code"),
        pytest.param(lambda raw: raw["programmes"][7]["eligibility"].append({"fact": "key_groups", "in": ["hardship"]}),
                     "事实 key_groups 不能用 in 判断", id="eligibility clause with a test that does not fit its fact"),
        pytest.param(lambda raw: raw["programmes"][7]["eligibility"].append({"fact": "shoe_size", "at_least": 40}),
                     "第 8 项（flexible_social_insurance） 字段 eligibility.2.fact",
                     id="eligibility on an unknown fact"),
        pytest.param(lambda raw: raw["programmes"][7]["eligibility"].append({"fact": "graduation_year"}),
                     "每个条件须且只能有", id="eligibility clause without a test"),
        pytest.param(lambda raw: raw["programmes"][2].update(recipients=["employer"],
                                                             eligibility=[{"fact": "status", "in": ["unemployed"]}]),
                     "资格规则 eligibility 只适用于面向个人的项目",
                     id="eligibility on a programme for businesses only"),
    ],
)
def test_a_bad_catalogue_is_refused_naming_the_entry(change, named) -> None:
    raw = raw_catalogue()
    change(raw)
    with pytest.raises(CatalogueError) as refused:
        parse(raw, "catalogue.yaml")
    message = str(refused.value)
    assert named in message and "\n" not in message


def test_the_process_refuses_to_start_on_a_bad_catalogue(tmp_path: Path) -> None:
    raw = raw_catalogue()
    raw["programmes"][2]["caps"]["person"] = -1
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    env = {**os.environ, "PROGRAMMES_CATALOGUE": str(bad), "LEYE_VAR_DIR": str(tmp_path),
           "PROGRAMMES_PORT": "1", "KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    done = subprocess.run([sys.executable, "-m", "services.programmes"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [lines[-1]] and "第 3 项（startup_loan）" in lines[0] and "caps.person" in lines[0]


def test_flags_raised_before_resolutions_existed_get_their_measure_from_their_alert(database_url: str) -> None:
    """Migration 0009: a flag whose ``alert.raised`` is still in the outbox gets its value, threshold and
    window from it (its resolution sends them again); one whose event was purged keeps none."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from schemas import new_event
    from schemas.events.alert import AlertRaised
    from schemas.vocab import AlertLevel, AlertSource, ScopeKind
    from services.runtime import db

    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "alembic"))
    config.set_main_option("version_locations", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
    raised = new_event(AlertRaised(
        alert_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a10", level=AlertLevel.ORANGE, scope_kind=ScopeKind.STREET,
        scope_code="120111001", signal="funds_training_over_cap", value=3_500.0, threshold=3_000.0, window="1y",
        source=AlertSource.FUNDS, summary="违反职业技能培训规则", subject_ref="grant-1"), source="/services/programmes")
    flag = ("INSERT INTO fund_flags (alert_id, rule, breach_key, subject_ref, street_code, level, summary, event_id, "
            "flagged_at) VALUES (:alert_id, 'funds_training_over_cap', :key, 'grant-1', '120111001', 'orange', "
            "'违反职业技能培训规则', :event_id, CURRENT_TIMESTAMP)")
    with engine.begin() as connection:
        connection.execute(text(flag), {"alert_id": raised.data.alert_id, "key": "k1", "event_id": raised.id})
        connection.execute(text(flag), {"alert_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a11", "key": "k2",
                                        "event_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a12"})  # its event purged
        connection.execute(text("INSERT INTO outbox (event_id, event_type, topic, key, payload, created_at) "
                                "VALUES (:id, :type, 'leye.alert', :key, :payload, CURRENT_TIMESTAMP)"),
                           {"id": raised.id, "type": raised.type, "key": raised.subject, "payload": raised.to_json()})
    migrate(engine, MIGRATIONS)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT alert_id, value, threshold, alert_window, resolution, version "
                                       "FROM fund_flags ORDER BY alert_id")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        (raised.data.alert_id, 3_500.0, 3_000.0, "1y", None, 1),
        ("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a11", None, None, None, None, 1)]
