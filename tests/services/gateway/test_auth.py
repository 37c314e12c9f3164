"""Authentication and authorisation through real HTTP: the token endpoint, every way a bearer token
can be wrong, scopes, disabled clients and rate limits."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest

from services.gateway.app import create_app

from .conftest import JWT_SECRET, Gateway, gateway_settings, start_gateway

OTHER_KEY = "another-secret-0123456789abcdef0123"


def _claims(**overrides) -> dict:
    now = int(time.time())
    return {"iss": "leye-gateway", "aud": "leye-api", "sub": "dept", "scope": "stats:read", "iat": now,
            "exp": now + 300, "jti": str(uuid.uuid4())} | overrides


def test_token_by_basic_auth_and_by_body_carries_the_contract_claims(gateway: Gateway) -> None:
    secret = gateway.add_client("dept", "stats:read alerts:read")
    by_basic = httpx.post(f"{gateway.url}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=("dept", secret))
    by_body = httpx.post(f"{gateway.url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": "dept", "client_secret": secret, "scope": "stats:read"})
    assert by_basic.status_code == by_body.status_code == 200
    assert by_basic.headers["cache-control"] == "no-store"
    assert by_basic.json()["token_type"] == "Bearer" and by_basic.json()["expires_in"] == 900
    assert by_body.json()["scope"] == "stats:read"
    claims = jwt.decode(by_basic.json()["access_token"], JWT_SECRET, algorithms=["HS256"], audience="leye-api")
    assert claims["iss"] == "leye-gateway" and claims["sub"] == "dept"
    assert claims["scope"] == "alerts:read stats:read"
    assert claims["exp"] - claims["iat"] <= 900 and claims["jti"]


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        pytest.param({"grant_type": "client_credentials"}, ("dept", "wrong-secret"), 401, "invalid_client",
                     id="wrong secret"),
        pytest.param({"grant_type": "client_credentials"}, ("nobody", "whatever"), 401, "invalid_client",
                     id="unknown client"),
        pytest.param({"grant_type": "client_credentials"}, None, 401, "invalid_client", id="no credentials"),
        pytest.param({"grant_type": "password"}, ("dept", None), 400, "unsupported_grant_type", id="other grant"),
        pytest.param({"grant_type": "client_credentials", "scope": "persons:read"}, ("dept", None), 400,
                     "invalid_scope", id="scope not granted"),
        pytest.param({"grant_type": "client_credentials"}, ("off", None), 401, "invalid_client",
                     id="disabled client"),
    ],
)
def test_token_endpoint_refusals(gateway: Gateway, form, auth, status, error) -> None:
    secret = gateway.add_client("dept", "stats:read")
    off_secret = gateway.add_client("off", "stats:read")
    gateway.set_active("off", False)
    if auth is not None and auth[1] is None:
        auth = (auth[0], secret if auth[0] == "dept" else off_secret)
    response = httpx.post(f"{gateway.url}/oauth/token", data=form, auth=auth)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == error
    assert secret not in response.text and off_secret not in response.text


def test_token_endpoint_wants_a_form(gateway: Gateway) -> None:
    response = httpx.post(f"{gateway.url}/oauth/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        pytest.param(lambda: None, "missing_token", id="missing"),
        pytest.param(lambda: "Basic ZGVwdDpzZWNyZXQ=", "missing_token", id="not bearer"),
        pytest.param(lambda: "Bearer not.a.jwt", "invalid_token", id="malformed"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(), OTHER_KEY, algorithm="HS256"),
                     "invalid_token", id="badly signed"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(exp=int(time.time()) - 60), JWT_SECRET, algorithm="HS256"),
                     "invalid_token", id="expired"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(aud="someone-else"), JWT_SECRET, algorithm="HS256"),
                     "invalid_token", id="wrong audience"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(iss="someone-else"), JWT_SECRET, algorithm="HS256"),
                     "invalid_token", id="wrong issuer"),
        pytest.param(lambda: "Bearer " + jwt.encode({k: v for k, v in _claims().items() if k != "jti"}, JWT_SECRET,
                                            algorithm="HS256"), "invalid_token", id="no jti"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(), "", algorithm="none"), "invalid_token", id="alg none"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(sub="ghost"), JWT_SECRET, algorithm="HS256"),
                     "client_disabled", id="unknown client"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(exp=int(time.time()) + 365 * 86400), JWT_SECRET,
                                            algorithm="HS256"), "invalid_token", id="lifetime of a year"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(iat=int(time.time()) - 3600, exp=int(time.time()) + 300),
                                            JWT_SECRET, algorithm="HS256"), "invalid_token",
                     id="lifetime over the ttl, not yet expired"),
        pytest.param(lambda: "Bearer " + jwt.encode(_claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 3900),
                                            JWT_SECRET, algorithm="HS256"), "invalid_token", id="issued in the future"),
    ],
)
def test_bad_tokens_are_401(gateway: Gateway, authorization, code) -> None:
    gateway.add_client("dept", "stats:read")
    header = authorization()  # minted now: tokens made at collection could expire in a long suite
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("ttl_s", "lifetime_s", "status"),
    [
        pytest.param(900, 900, 200, id="lifetime equal to the ttl"),
        pytest.param(900, 901, 401, id="one second over the ttl"),
        pytest.param(300, 600, 401, id="over a lowered ttl"),
    ],
)
def test_token_lifetime_is_bounded_by_the_configured_ttl(tmp_path, backend, ttl_s, lifetime_s, status) -> None:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, token_ttl_s=ttl_s))
    with live:
        gateway = Gateway(live, app)
        gateway.add_client("dept", "stats:read")
        now = int(time.time())
        token = jwt.encode(_claims(iat=now, exp=now + lifetime_s), JWT_SECRET, algorithm="HS256")
        response = httpx.get(f"{gateway.url}/v1/stats/streets", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status
        if status == 401:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "invalid_token"
            assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        pytest.param("GET", "/v1/persons/" + "a" * 64, "persons:read", id="read person"),
        pytest.param("POST", "/v1/persons", "persons:write", id="register person"),
        pytest.param("POST", "/v1/persons/lookup", "persons:read", id="lookup person"),
        pytest.param("GET", "/v1/worklists/long-term-unemployed", "persons:read", id="worklist"),
        pytest.param("POST", "/v1/vacancies", "vacancies:write", id="post vacancy"),
        pytest.param("POST", "/v1/persons/search", "persons:read", id="search persons"),
        pytest.param("POST", "/v1/layoffs", "layoffs:write", id="report layoff"),
        pytest.param("GET", "/v1/layoffs", "layoffs:read", id="list layoffs"),
        pytest.param("GET", "/v1/layoffs/r-1", "layoffs:read", id="read a layoff"),
        pytest.param("GET", "/v1/headcount-reports/r-1", "layoffs:read", id="read a headcount report"),
        pytest.param("GET", "/v1/key-enterprises/short-staffed", "enterprises:read", id="read key enterprises"),
        pytest.param("POST", "/v1/key-enterprises/91350100M000100Y43/issues", "enterprises:write",
                     id="open a ledger issue"),
        pytest.param("POST", "/v1/monitored-enterprises", "enterprises:write", id="enrol a monitored enterprise"),
        pytest.param("GET", "/v1/cases/c-1", "referrals:read", id="read cases"),
        pytest.param("POST", "/v1/cases/c-1/contact", "referrals:write", id="write case"),
        pytest.param("GET", "/v1/warnings", "alerts:read", id="read warnings"),
        pytest.param("POST", "/v1/warnings/mon-1/ack", "alerts:ack", id="ack warning"),
        pytest.param("POST", "/v1/survey-rates", "stats:write", id="survey rate"),
        pytest.param("GET", "/v1/audit", "admin", id="audit"),
    ],
)
def test_missing_scope_is_403(gateway: Gateway, method, path, scope) -> None:
    headers = gateway.client_with("statsonly", "stats:read")
    response = httpx.request(method, f"{gateway.url}{path}", headers=headers, json={})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert scope in response.json()["detail"]


def test_disabled_clients_old_token_stops_working(gateway: Gateway) -> None:
    headers = gateway.client_with("dept", "stats:read")
    assert httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers).status_code == 200
    gateway.set_active("dept", False)
    response = httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "client_disabled"


def test_rate_limit_answers_429_with_retry_after(tmp_path, backend) -> None:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, rate_per_s=0.01, rate_burst=3))
    with live:
        gateway = Gateway(live, app)
        headers = gateway.client_with("dept", "stats:read")
        other = gateway.client_with("other", "stats:read")
        statuses = [httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers)
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        assert httpx.get(f"{gateway.url}/v1/stats/streets", headers=other).status_code == 200


def test_cors_is_closed_by_default_and_opens_to_the_allow_list(tmp_path, backend) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    closed = create_app(gateway_settings(tmp_path / "a", backend.url))
    allowed = create_app(gateway_settings(tmp_path / "b", backend.url, cors_origins=["https://wall.xiqing.gov.cn"]))
    from tests.conftest import LiveServer

    with LiveServer(closed) as live:
        response = httpx.get(f"{live.url}/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-origin" not in httpx.options(f"{live.url}/v1/stats", headers=preflight).headers
    with LiveServer(allowed) as live:
        ok = httpx.get(f"{live.url}/healthz", headers={"Origin": "https://wall.xiqing.gov.cn"})
        assert ok.headers["access-control-allow-origin"] == "https://wall.xiqing.gov.cn"
        evil = httpx.get(f"{live.url}/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers


@pytest.mark.parametrize(
    "placeholder",
    [pytest.param("jwt_secret", id="jwt secret"), pytest.param("grafana_webhook_token", id="webhook token")],
)
def test_production_refuses_placeholder_secrets(placeholder) -> None:
    from pydantic import ValidationError

    from services.gateway.settings import Settings

    real = {"jwt_secret": "a-real-secret-from-the-vault-0123456789", "grafana_webhook_token": "a-real-token-42",
            "PERSON_REF_KEY": "a-real-person-ref-key", "LEYE_INTERNAL_TOKEN": "a-real-internal-token-0123456789"}
    real.pop(placeholder)
    with pytest.raises(ValidationError, match=placeholder):
        Settings(LEYE_ENV="production", **real)


def test_rate_limiter_lets_a_burst_through_then_one_request_per_freed_slot() -> None:
    import time_machine

    from services.gateway.auth import RateLimiter

    limiter = RateLimiter(rate_per_s=1.0, burst=2)  # a window of 2 requests per 2 seconds
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert [limiter.take("dept") for _ in range(3)] == [0, 0, 2]
        assert limiter.take("other") == 0  # per client
        clock.shift(1.5)
        assert limiter.take("dept") == 1  # the first slot frees 2 s after the burst
        clock.shift(0.6)
        assert [limiter.take("dept") for _ in range(3)] == [0, 0, 2]  # the burst's slots freed together


def test_client_cache_keeps_a_status_for_its_ttl_and_none_for_unknown_clients() -> None:
    import asyncio

    from services.gateway.auth import ClientCache, ClientStatus

    registry = {"dept": ClientStatus(active=True, bureau=False)}
    loads: list[str] = []

    def load(client_id: str) -> ClientStatus | None:
        loads.append(client_id)
        return registry.get(client_id)

    now = [100.0]
    cache = ClientCache(load, ttl_s=2.0, timer=lambda: now[0])

    async def scenario() -> list[ClientStatus | None]:
        seen = [await cache.get("dept"), await cache.get("nobody")]
        registry["dept"] = ClientStatus(active=False, bureau=False)
        seen.append(await cache.get("dept"))  # still cached
        now[0] += 3
        seen.append(await cache.get("dept"))  # reloaded after the TTL
        return seen

    seen = asyncio.run(scenario())
    active, disabled = ClientStatus(active=True, bureau=False), ClientStatus(active=False, bureau=False)
    assert seen == [active, None, active, disabled]
    assert loads == ["dept", "nobody", "dept"]


def test_token_cache_verifies_a_token_once_and_refuses_it_from_its_expiry(monkeypatch) -> None:
    from services.gateway import auth
    from services.gateway.settings import Settings

    verified: list[str] = []
    verify = auth.verified_claims
    monkeypatch.setattr(auth, "verified_claims",
                        lambda settings, token: verified.append(token) or verify(settings, token))
    now = [float(int(time.time()))]
    cache = auth.TokenCache(Settings(jwt_secret=JWT_SECRET), timer=lambda: now[0])
    token = jwt.encode(_claims(iat=int(now[0]), exp=int(now[0]) + 300), JWT_SECRET, algorithm="HS256")
    forged = jwt.encode(_claims(), OTHER_KEY, algorithm="HS256")

    assert [cache.decode(token) for _ in range(3)] == [("dept", frozenset({"stats:read"}))] * 3
    assert verified == [token]  # the signature was checked once
    for _ in range(2):  # a refused token is checked again every time, never remembered
        with pytest.raises(auth.TokenError):
            cache.decode(forged)
    assert verified == [token, forged, forged]
    now[0] += 300 + auth.CLOCK_LEEWAY_S - 1
    assert cache.decode(token) == ("dept", frozenset({"stats:read"}))  # within the leeway, as PyJWT allows
    now[0] += 1
    with pytest.raises(auth.TokenError):
        cache.decode(token)
