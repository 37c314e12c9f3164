"""The gateway's ``/docs`` works without internet access: Swagger UI's assets are served by the
gateway itself (from a pinned package), and a headless browser renders the operations from them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import httpx
import pytest

from .conftest import Gateway

ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
# An operation the gateway answers itself: its summary appears only once Swagger UI has run.
SUMMARY = "申请访问令牌（OAuth2 客户端凭证模式）"


def referenced_urls(html: str) -> list[str]:
    """Every URL the page loads: src/href attributes and the document Swagger UI fetches."""
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"""url: ?["']([^"']+)["']""", html)


def test_docs_load_only_local_assets_and_each_answers(gateway: Gateway) -> None:
    page = httpx.get(f"{gateway.url}/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = referenced_urls(page.text)
    assert any(url.endswith(".js") for url in urls) and any(url.endswith(".css") for url in urls), urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"not served by the gateway: {url}"
        response = httpx.get(gateway.url + url)
        assert response.status_code == 200, url
        suffix = os.path.splitext(url)[1]
        expected = ASSET_TYPES.get(suffix, "application/json")
        assert expected in response.headers["content-type"], (url, response.headers["content-type"])
    assert httpx.get(f"{gateway.url}/docs/oauth2-redirect").status_code == 200


def test_a_headless_browser_renders_the_operations(gateway: Gateway, tmp_path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium is not installed here (apt-get install chromium); CI installs it")
    # --no-sandbox: CI and developers' machines run as root, where Chromium's sandbox refuses to start.
    # The virtual time budget lets the page's scripts fetch /openapi.json and render before the dump.
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000", "--dump-dom",
         f"{gateway.url}/docs"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert SUMMARY in result.stdout, result.stdout[-3000:]
    assert "opblock-summary" in result.stdout  # rendered by Swagger UI, not only present in the source
