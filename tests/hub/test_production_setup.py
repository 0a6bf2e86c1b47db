"""Production set-up: HSTS over HTTPS, the app's port for the proxy only, exact CSRF exemptions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hub.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


async def test_hsts_over_https_only(client, monkeypatch: pytest.MonkeyPatch) -> None:
    over_https = await client.get("/sign-in")  # the test browser speaks https
    assert over_https.headers["strict-transport-security"].startswith("max-age=31536000")

    from httpx import ASGITransport, AsyncClient

    from app import create_app

    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:8000")
    get_settings.cache_clear()
    try:
        transport = ASGITransport(app=create_app(), client=("127.0.0.1", 40000))  # type: ignore[arg-type]
        async with AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as plain:
            assert "strict-transport-security" not in (await plain.get("/sign-in")).headers
        # Behind a TLS-terminating proxy the app sees plain HTTP; an https BASE_URL says so.
        monkeypatch.setenv("BASE_URL", "https://hub.example.org")
        get_settings.cache_clear()
        async with AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as proxied:
            assert "strict-transport-security" in (await proxied.get("/sign-in")).headers
    finally:
        monkeypatch.delenv("BASE_URL")
        get_settings.cache_clear()


def test_the_app_port_is_not_published_on_every_interface() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            text = str(port)
            assert text.startswith("127.0.0.1:"), f"{name} publishes {text} on every interface"


def test_csrf_exemptions_match_the_api_prefix_exactly() -> None:
    from app import create_app

    app = create_app()
    config = app.csrf_config
    assert config is not None
    patterns = [config.exclude] if isinstance(config.exclude, str) else list(config.exclude or [])
    exempt = re.compile("|".join(patterns))
    assert exempt.search("/api/v1/referrals")
    assert exempt.search("/healthz")
    for path in ("/clients/api/", "/directory/api/x", "/x/healthz", "/healthz/more", "/api/v2/x"):
        assert not exempt.search(path), path
