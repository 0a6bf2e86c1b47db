"""Settings: defaults, values from the environment, and refusals to run misconfigured."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.settings import load_settings
from tests.hub.conftest import free_port, process_env

READ_BY_SETTINGS = (
    "WRAPAROUND_ENV",
    "HOST",
    "PORT",
    "BASE_URL",
    "SECRET_KEY",
    "DATABASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_TLS",
    "WORKER_IN_PROCESS",
    "WORKER_POLL_SECONDS",
    "SECURE_COOKIES",
    "TEMPLATE_RELOAD",
)


@pytest.fixture
def var_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An environment with none of the settings set, and its own (not yet made) var dir."""
    for name in READ_BY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "var"
    monkeypatch.setenv("WRAPAROUND_VAR_DIR", str(directory))
    return directory


def test_defaults_serve_on_localhost_port_8000(var_dir: Path) -> None:
    settings = load_settings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.environment == "development"
    assert not settings.is_production
    assert not settings.uses_postgres
    assert settings.sqlite_path == var_dir / "wraparound.sqlite"
    assert settings.secure_cookies
    assert settings.worker_in_process


def test_values_come_from_the_environment(var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", " 192.0.2.10 ")
    monkeypatch.setenv("PORT", "9090")
    monkeypatch.setenv("DATABASE_URL", "postgres://wa@db.internal/wraparound")
    monkeypatch.setenv("SMTP_TLS", "STARTTLS")
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("WORKER_POLL_SECONDS", "0.5")

    settings = load_settings()

    assert (settings.host, settings.port) == ("192.0.2.10", 9090)
    assert settings.base_url == "http://192.0.2.10:9090"
    assert settings.uses_postgres
    assert settings.smtp_tls == "starttls"
    assert not settings.worker_in_process
    assert settings.worker_poll_seconds == 0.5


def test_production_without_a_secret_key_is_refused(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRAPAROUND_ENV", "production")

    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        load_settings()
    assert not (var_dir / "secret_key").exists()

    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    settings = load_settings()
    assert settings.is_production
    assert settings.secret_key == "a-real-production-secret"


def test_templates_are_reloaded_in_development_only_unless_told(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.settings import get_settings
    from hub.web.templating import build_environment

    assert load_settings().template_reload
    monkeypatch.setenv("WRAPAROUND_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    get_settings.cache_clear()
    try:
        assert not load_settings().template_reload
        assert not build_environment().auto_reload  # no file checks on every page
        monkeypatch.setenv("TEMPLATE_RELOAD", "true")
        get_settings.cache_clear()
        assert build_environment().auto_reload
    finally:
        get_settings.cache_clear()


def test_development_generates_a_secret_key_once_and_keeps_it(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = load_settings().secret_key

    key_file = var_dir / "secret_key"
    assert key_file.read_text() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings().secret_key == first

    monkeypatch.setenv("WRAPAROUND_VAR_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().secret_key != first


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT must be a whole number, not 'eighty'"),
        ("PORT", "70000", "PORT must be a port number from 1 to 65535, not 70000"),
        ("SMTP_PORT", "0", "SMTP_PORT must be a port number from 1 to 65535, not 0"),
        ("SESSION_IDLE_MINUTES", "half an hour", "SESSION_IDLE_MINUTES must be a whole number"),
        ("WORKER_POLL_SECONDS", "often", "WORKER_POLL_SECONDS must be a number, not 'often'"),
        ("SMTP_TLS", "tls", "SMTP_TLS must be one of none, starttls, ssl, not 'tls'"),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert message in str(raised.value)


def test_the_server_refuses_to_start_in_production_without_a_secret_key(
    wraparound: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    env = process_env(
        WRAPAROUND_ENV="production", SECRET_KEY=None, WRAPAROUND_VAR_DIR=str(tmp_path)
    )

    result = wraparound("serve", "--port", str(free_port()), env=env)

    assert result.returncode == 1
    assert "Error: SECRET_KEY must be set when WRAPAROUND_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_is_served_by_one_web_process_and_says_why_when_asked_for_more(
    wraparound: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    env = process_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'one.sqlite'}",
        WEB_WORKERS="2",
        WRAPAROUND_VAR_DIR=str(tmp_path),
    )

    result = wraparound("serve", "--port", str(free_port()), env=env)

    assert result.returncode == 1
    assert "SQLite serves from one web process (asked for 2)" in result.stderr
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
