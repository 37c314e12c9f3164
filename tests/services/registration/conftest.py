"""Fixtures of the registration tests: the service on a fresh database behind real HTTP, and
helpers that build valid (fictitious) ID numbers and request bodies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from schemas.ids import credit_code_check_char, id_check_char
from services.registration.app import create_app
from services.registration.settings import Settings
from services.runtime.outbox import OutboxMessage
from tests.conftest import LiveServer

STREET = "120111001"
PII_SECRET = "test-pii-secret-0123456789abcdef0123"


def id_number(born: date, sequence: int = 101, region: str = "120111") -> str:
    """A GB 11643 number with a correct check digit; an odd ``sequence`` makes a man, even a woman."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def wrong_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def credit_code(first17: str = "91120111MA05K3XQ0") -> str:
    return first17 + credit_code_check_char(first17)


def person_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "李晓梅", "id_number": id_number(date(1990, 5, 17), 102), "phone": "13812345678",
        "street_code": STREET, "community": "西营门社区", "education": "30",
        "skills": [{"name": "数控车床", "level": 3}], "desired_industry": "C",
        "desired_salary_min": 4000, "desired_salary_max": 6000, "key_groups": ["resident"],
        "registered_on": "2026-01-05",
    }
    return body | overrides


def service_settings(database_url: str, bootstrap: str = "127.0.0.1:1") -> Settings:
    return Settings(database_url=database_url, KAFKA_BOOTSTRAP=bootstrap, PERSON_REF_KEY="test-person-ref-key-0123",
                    pii_keys=f"1:{PII_SECRET}")


@pytest.fixture
def service(database_url: str) -> Iterator[LiveServer]:
    """The service over real HTTP on a fresh database, without the relay (events stay in the outbox)."""
    app = create_app(service_settings(database_url), start_relay=False)
    with LiveServer(app) as live:
        live.app = app  # type: ignore[attr-defined]
        yield live


def outbox(app) -> list[OutboxMessage]:
    with app.state.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def count(app, table) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)
