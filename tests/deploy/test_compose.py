"""The production compose file: valid against the Compose Specification, and every environment
variable a service reads is set for it, and none is set that nothing reads."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from pydantic import AliasChoices

from leye.stack import SERVICES
from services.runtime.settings import ServiceSettings

ROOT = Path(__file__).parents[2]
COMPOSE_SCHEMA = ROOT.parent / "shared" / "schemas" / "compose-spec.json"
INFRASTRUCTURE = {"kafka", "clickhouse", "postgres", "grafana"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    classes = [c for c in vars(module).values()
               if isinstance(c, type) and issubclass(c, ServiceSettings) and c.__module__ == module.__name__]
    assert len(classes) == 1, f"services.{service}.settings should define one settings class"
    return classes[0]


def env_names(cls: type[ServiceSettings]) -> set[str]:
    """The variables a settings class reads: an explicit alias, or the prefix plus the field name."""
    prefix = cls.model_config.get("env_prefix", "")
    names = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice).upper() for choice in alias.choices)
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def compose_spec() -> dict:
    if not COMPOSE_SCHEMA.exists():
        pytest.fail(f"{COMPOSE_SCHEMA} is missing (shared/ must sit beside the repository)")
    return json.loads(COMPOSE_SCHEMA.read_text())


def test_compose_file_validates_against_the_compose_specification(compose) -> None:
    schema = compose_spec()
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_every_service_of_the_platform_is_in_the_stack(compose) -> None:
    platform = {s.name for s in SERVICES}
    assert platform <= set(compose["services"]), "services missing from docker-compose.yml"
    assert set(compose["services"]) - platform <= INFRASTRUCTURE


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_environment_matches_what_the_service_reads(compose, service: str) -> None:
    spec = compose["services"][service]
    assert spec["command"] == ["python", "-m", f"services.{service}"]
    reads = env_names(settings_class(service))
    given = set(spec.get("environment", {}))
    assert sorted(reads - given) == [], "read by the service but not set in compose"
    assert sorted(given - reads) == [], "set in compose but read by nothing"


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_services_wait_for_healthy_dependencies_and_check_readiness(compose, service: str) -> None:
    spec = compose["services"][service]
    assert all(dep["condition"] == "service_healthy" for dep in spec["depends_on"].values())
    assert "/readyz" in " ".join(spec["healthcheck"]["test"])
    assert spec["user"] == "10001:10001"


def test_gateway_and_every_backend_share_the_internal_credential(compose) -> None:
    """The gateway sends LEYE_INTERNAL_TOKEN and each backend checks it: one value, from the environment."""
    platform = [s.name for s in SERVICES]
    assert "gateway" in platform and len(platform) > 1
    values = {service: compose["services"][service]["environment"].get("LEYE_INTERNAL_TOKEN") for service in platform}
    assert set(values.values()) == {"${LEYE_INTERNAL_TOKEN:?set LEYE_INTERNAL_TOKEN}"}, values
    assert all(compose["services"][service]["environment"]["LEYE_ENV"] == "production" for service in platform)
    healthchecks = [" ".join(compose["services"][service]["healthcheck"]["test"]) for service in platform]
    # Health checks carry no credential: /readyz stays open (runtime.http.OPEN_PATHS).
    assert all("/readyz" in check and "LEYE_INTERNAL_TOKEN" not in check for check in healthchecks)


def test_the_browser_wall_is_published_only_by_the_operators_override(compose) -> None:
    """docker-compose.yml publishes no monitoring port and keeps /wall behind the internal credential;
    deploy/compose.wall.yml, added on purpose, publishes it and nothing else."""
    assert "ports" not in compose["services"]["monitoring"]
    assert compose["services"]["monitoring"]["environment"]["MONITORING_WALL_PUBLIC"] == "false"
    override = yaml.safe_load((ROOT / "deploy" / "compose.wall.yml").read_text())
    assert [e.message for e in Draft7Validator(compose_spec()).iter_errors(override)] == []
    assert list(override["services"]) == ["monitoring"]
    monitoring = override["services"]["monitoring"]
    assert set(monitoring) == {"ports", "environment"}
    assert monitoring["environment"] == {"MONITORING_WALL_PUBLIC": "true"}
    assert set(monitoring["environment"]) <= env_names(settings_class("monitoring"))
    assert [port.rsplit(":", 1)[1] for port in monitoring["ports"]] == ["8004"]
    assert monitoring["ports"][0].startswith("${WALL_BIND:-127.0.0.1}:")  # loopback unless the operator says
