"""Versioned keys for personal data at rest: HKDF-derived keys, the legacy key of databases written
before versioning, and `leye registration pii rotate` on a real SQLite database with rows under the
old key — while the service runs, interrupted and resumed, audited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from cryptography.fernet import Fernet, InvalidToken
from pydantic import ValidationError
from sqlalchemy import Engine, MetaData, Table, insert, select, update

import services.runtime.db
from schemas import person_ref as make_person_ref
from services.registration.app import MIGRATIONS, create_app
from services.registration.crypto import HKDF_SALT, PiiCipher, hkdf_fernet_key, parse_versioned_keys
from services.registration.pii_keys import MissingPiiKeysError, _next_batch, _rewrite, check_keys_cover_the_data, rotate
from services.registration.settings import Settings
from services.registration.store import Person, PiiKeyRotation
from services.runtime.db import make_engine, migrate
from services.runtime.http import INTERNAL_TOKEN_HEADER
from tests.conftest import LiveServer

from .conftest import id_number, person_body

ROOT = Path(__file__).parents[3]
REF_KEY = "test-person-ref-key-0123"
OLD_SECRET = "the-single-pii-key-of-the-old-release"
NEW_SECRET = "new-pii-secret-from-the-vault-0123456789"
INTERNAL = "internal-token-from-the-vault-0123456789"
PEOPLE = [("王建国", id_number(date(1970, 3, 1), 101 + 2 * i), f"1391234567{i}") for i in range(5)]


# --- keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        pytest.param("1:alpha", {1: "alpha"}, id="one key"),
        pytest.param("2:beta, 1:alpha", {2: "beta", 1: "alpha"}, id="newest first"),
        pytest.param("1:alpha,3:gamma", {1: "alpha", 3: "gamma"}, id="any order"),
        pytest.param("7:a:b", {7: "a:b"}, id="colon inside the secret"),
    ],
)
def test_versioned_keys_are_parsed(text, keys) -> None:
    assert parse_versioned_keys(text) == keys


@pytest.mark.parametrize(
    "text",
    [pytest.param("alpha", id="no version"), pytest.param("0:alpha", id="version 0 is the legacy key"),
     pytest.param("v1:alpha", id="version not a number"), pytest.param("1:", id="empty secret"),
     pytest.param("1:a,1:b", id="version twice"), pytest.param("", id="empty")],
)
def test_malformed_versioned_keys_are_refused_naming_the_variable(text) -> None:
    with pytest.raises(ValidationError, match="REGISTRATION_PII_KEYS") as refused:
        Settings(pii_keys=text)
    assert "alpha" not in str(refused.value)  # no secret in the error


def test_each_version_key_is_hkdf_sha256_with_the_documented_salt_and_info() -> None:
    # RFC 5869 written out with the standard library: extract, then one expand block (32 bytes).
    prk = hmac.new(HKDF_SALT, NEW_SECRET.encode(), hashlib.sha256).digest()
    okm = hmac.new(prk, b"fernet-key/v2" + b"\x01", hashlib.sha256).digest()
    assert hkdf_fernet_key(NEW_SECRET, 2) == base64.urlsafe_b64encode(okm)
    assert hkdf_fernet_key(NEW_SECRET, 2) != hkdf_fernet_key(NEW_SECRET, 3)


def test_the_newest_version_encrypts_and_every_configured_version_decrypts() -> None:
    older = PiiCipher({1: "first-secret"})
    both = PiiCipher({1: "first-secret", 2: NEW_SECRET})
    token = both.encrypt("李晓梅")
    assert both.newest_version == 2 and both.versions == {1, 2}
    assert Fernet(hkdf_fernet_key(NEW_SECRET, 2)).decrypt(token).decode() == "李晓梅"
    assert both.decrypt(older.encrypt("13812345678")) == "13812345678"
    with pytest.raises(InvalidToken):
        older.decrypt(token)


def test_the_legacy_key_reads_what_the_old_release_wrote() -> None:
    old_release = Fernet(base64.urlsafe_b64encode(hashlib.sha256(OLD_SECRET.encode()).digest()))
    token = old_release.encrypt("李晓梅".encode())
    assert PiiCipher({2: NEW_SECRET}, legacy=OLD_SECRET).decrypt(token) == "李晓梅"
    assert PiiCipher({2: NEW_SECRET}, legacy=OLD_SECRET).versions == {0, 2}
    with pytest.raises(InvalidToken):
        PiiCipher({2: NEW_SECRET}).decrypt(token)


@pytest.mark.parametrize(
    ("keys", "message"),
    [pytest.param("1:dev-only-registration-pii-key-v1", "pii_keys", id="placeholder"),
     pytest.param("1:short-secret", "短于 32 个字符", id="short secret")],
)
def test_production_wants_long_real_versioned_secrets(keys, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(LEYE_ENV="production", PERSON_REF_KEY=REF_KEY, LEYE_INTERNAL_TOKEN=INTERNAL, pii_keys=keys)


def test_legacy_key_is_optional_in_production_and_empty_means_unset() -> None:
    settings = Settings(LEYE_ENV="production", PERSON_REF_KEY=REF_KEY, LEYE_INTERNAL_TOKEN=INTERNAL,
                        pii_keys=f"2:{NEW_SECRET}", pii_key="")
    assert settings.pii_key is None and settings.cipher().versions == {2}
    development = Settings(pii_keys=f"2:{NEW_SECRET}")  # keeps old development databases readable
    assert development.cipher().versions == {0, 2}


# --- a database written by the old release ------------------------------------------------------------


def old_release_database(tmp_path: Path) -> tuple[str, list[str]]:
    """A SQLite database at revision 0001 holding PEOPLE as the old release stored them (Fernet key =
    SHA-256 of its single REGISTRATION_PII_KEY); their person_refs."""
    url = f"sqlite:///{tmp_path / 'registration.sqlite3'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(services.runtime.db.__file__).parent / "alembic"))
    config.set_main_option("version_locations", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    old = Fernet(base64.urlsafe_b64encode(hashlib.sha256(OLD_SECRET.encode()).digest()))
    persons = Table("persons", MetaData(), autoload_with=engine)
    now = datetime.now(UTC)
    refs = []
    with engine.begin() as conn:
        for name, number, phone in PEOPLE:
            ref = make_person_ref(number, REF_KEY.encode())
            refs.append(ref)
            conn.execute(insert(persons).values(
                person_ref=ref, name_enc=old.encrypt(name.encode()), id_number_enc=old.encrypt(number.encode()),
                phone_enc=old.encrypt(phone.encode()), street_code="120111001", gender="1", age=56,
                education="30", skills=[], status="jobseeker", registered_on=date(2025, 6, 1),
                hardship_categories=[], created_at=now, updated_at=now, version=1,
            ))
    engine.dispose()
    return url, sorted(refs)


def settings(url: str, **overrides) -> Settings:
    values = dict(database_url=url, KAFKA_BOOTSTRAP="127.0.0.1:1", PERSON_REF_KEY=REF_KEY,
                  pii_keys=f"2:{NEW_SECRET}", pii_key=OLD_SECRET)
    return Settings(**(values | overrides))


def stored(engine: Engine) -> dict[str, Person]:
    with engine.connect() as conn:
        return {row.person_ref: row for row in conn.execute(select(Person.__table__))}


def rotations(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(PiiKeyRotation.__table__).order_by(PiiKeyRotation.id)))


def run_cli(url: str, tmp_path: Path, *args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = os.environ | {"REGISTRATION_DATABASE_URL": url, "REGISTRATION_PII_KEYS": f"2:{NEW_SECRET}",
                        "REGISTRATION_PII_KEY": OLD_SECRET, "PERSON_REF_KEY": REF_KEY,
                        "LEYE_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "200"} | env_overrides
    return subprocess.run([sys.executable, "-m", "leye.cli", "registration", "pii", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_upgrade_keeps_old_rows_readable_and_rotation_moves_everything_to_the_newest_key(tmp_path) -> None:
    url, refs = old_release_database(tmp_path)
    app = create_app(settings(url), start_relay=False)
    with LiveServer(app) as service:  # the service keeps running while the operator rotates
        first = httpx.get(f"{service.url}/persons/{refs[0]}").json()
        expected = {make_person_ref(number, REF_KEY.encode()): (name, number, phone) for name, number, phone in PEOPLE}
        assert (first["name"], first["id_number"], first["phone"]) == expected[refs[0]]
        body = person_body()
        new_ref = httpx.post(f"{service.url}/persons", json=body).json()["person_ref"]
        engine = make_engine(url)
        assert {ref: row.pii_key_version for ref, row in stored(engine).items()} == {
            **{ref: 0 for ref in refs}, new_ref: 2}

        status_before = run_cli(url, tmp_path, "status")
        assert status_before.returncode == 0, status_before.stderr
        assert "仅用于解密（旧版单一密钥）" in status_before.stdout and "最新（用于加密）" in status_before.stdout

        result = run_cli(url, tmp_path, "rotate", "--batch-size", "2", "--operator", "ops-account-7")
        assert result.returncode == 0, result.stderr
        assert "第 0 版 → 第 2 版，待重新加密 5 条人员记录" in result.stdout
        assert "完成：重新加密 5 条，跳过 0 条。" in result.stdout

        after = httpx.get(f"{service.url}/persons/{refs[0]}").json()
        assert (after["name"], after["id_number"], after["phone"]) == expected[refs[0]]

    only_newest = PiiCipher({2: NEW_SECRET})
    rows = stored(engine)
    assert {row.pii_key_version for row in rows.values()} == {2}
    for ref, (name, number, phone) in expected.items():
        row = rows[ref]
        assert (only_newest.decrypt(row.name_enc), only_newest.decrypt(row.id_number_enc),
                only_newest.decrypt(row.phone_enc)) == (name, number, phone)
    assert only_newest.decrypt(rows[new_ref].name_enc) == body["name"]
    [run] = rotations(engine)
    assert (run.operator, run.from_versions, run.to_version, run.rows_done, run.rows_skipped, run.status) == (
        "ops-account-7", "0", 2, 5, 0, "finished")
    assert run.host and run.finished_at >= run.started_at
    for name, number, phone in PEOPLE:
        assert name not in str(tuple(run)) and number not in str(tuple(run)) and phone not in str(tuple(run))
    engine.dispose()

    # Production with only the newest key configured: the service starts and reads everyone.
    production = settings(url, LEYE_ENV="production", LEYE_INTERNAL_TOKEN=INTERNAL, pii_key="")
    with LiveServer(create_app(production, start_relay=False)) as service:
        for ref, (name, _, _) in expected.items():
            answer = httpx.get(f"{service.url}/persons/{ref}", headers={INTERNAL_TOKEN_HEADER: INTERNAL})
            assert answer.status_code == 200 and answer.json()["name"] == name


def test_an_interrupted_rotation_resumes_where_it_stopped(tmp_path) -> None:
    url, refs = old_release_database(tmp_path)
    engine = make_engine(url)
    migrate(engine, MIGRATIONS)
    cipher = settings(url).cipher()

    def interrupt(run) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(engine, cipher, operator="ops-account-7", batch_size=2, on_batch=interrupt)
    versions = {ref: row.pii_key_version for ref, row in stored(engine).items()}
    assert versions == {refs[0]: 2, refs[1]: 2, refs[2]: 0, refs[3]: 0, refs[4]: 0}

    resumed = rotate(engine, cipher, operator="ops-account-7", batch_size=2)
    assert (resumed.rows_done, resumed.rows_skipped, resumed.status) == (3, 0, "finished")
    assert {row.pii_key_version for row in stored(engine).values()} == {2}
    assert [(r.from_versions, r.to_version, r.rows_done, r.status) for r in rotations(engine)] == [
        ("0", 2, 2, "interrupted"), ("0", 2, 3, "finished")]
    again = rotate(engine, cipher, operator="ops-account-7")
    assert (again.from_versions, again.pending, again.rows_done) == ((), 0, 0)
    engine.dispose()


def test_a_row_the_service_rewrote_meanwhile_is_left_as_the_service_wrote_it(tmp_path) -> None:
    url, refs = old_release_database(tmp_path)
    engine = make_engine(url)
    migrate(engine, MIGRATIONS)
    cipher = settings(url).cipher()
    stale = _next_batch(engine, cipher.newest_version, "", 10)
    with engine.begin() as conn:  # what a re-registration by the service does in between
        conn.execute(update(Person).where(Person.person_ref == refs[1]).values(
            name_enc=cipher.encrypt("新姓名"), pii_key_version=cipher.newest_version))
        run_id = conn.execute(insert(PiiKeyRotation).values(
            started_at=datetime.now(UTC), operator="ops", host="h", from_versions="0", to_version=2, rows_done=0,
            rows_skipped=0, status="running")).inserted_primary_key[0]
    assert _rewrite(engine, cipher, run_id, stale) == 4
    rows = stored(engine)
    assert cipher.decrypt(rows[refs[1]].name_enc) == "新姓名"
    assert [(r.rows_done, r.rows_skipped) for r in rotations(engine)] == [(4, 1)]
    engine.dispose()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # uvicorn exits at start-up
def test_missing_or_wrong_keys_stop_the_service_and_the_rotation(tmp_path) -> None:
    url, _ = old_release_database(tmp_path)
    engine = make_engine(url)
    migrate(engine, MIGRATIONS)
    with pytest.raises(MissingPiiKeysError, match="第 0 版 5 条（旧版单一密钥 REGISTRATION_PII_KEY）"):
        check_keys_cover_the_data(engine, PiiCipher({2: NEW_SECRET}))
    engine.dispose()
    production = settings(url, LEYE_ENV="production", LEYE_INTERNAL_TOKEN=INTERNAL, pii_key="")
    with pytest.raises(RuntimeError, match="did not start"), LiveServer(create_app(production, start_relay=False)):
        pass
    missing = run_cli(url, tmp_path, "rotate", LEYE_ENV="production", LEYE_INTERNAL_TOKEN=INTERNAL,
                      REGISTRATION_PII_KEY="")
    assert missing.returncode == 1, missing.stderr
    assert "无法轮换：人员记录的个人信息使用了未配置的密钥版本：第 0 版 5 条" in missing.stdout.replace("\n", "")
    wrong = run_cli(url, tmp_path, "rotate", REGISTRATION_PII_KEY="not-the-key-the-old-release-used")
    assert wrong.returncode == 1, wrong.stderr
    assert "轮换失败：有人员记录无法用所配置的密钥解密" in wrong.stdout.replace("\n", "")
    engine = make_engine(url)
    assert [(r.rows_done, r.status) for r in rotations(engine)] == [(0, "failed")]
    assert {row.pii_key_version for row in stored(engine).values()} == {0}
    engine.dispose()
