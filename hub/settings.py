"""Settings: one dataclass read from the environment once."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hub.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"{name} must be a whole number, not {raw!r}"
        raise ConfigurationError(msg) from exc


def _env_port(name: str, default: int) -> int:
    port = _env_int(name, default)
    if not 1 <= port <= 65535:
        msg = f"{name} must be a port number from 1 to 65535, not {port}"
        raise ConfigurationError(msg)
    return port


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        msg = f"{name} must be a number, not {raw!r}"
        raise ConfigurationError(msg) from exc


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default).lower()
    if value not in choices:
        # A typo must not quietly fall back to, say, sending mail without TLS.
        msg = f"{name} must be one of {', '.join(choices)}, not {value!r}"
        raise ConfigurationError(msg)
    return value


@dataclass(frozen=True)
class Settings:
    """Everything Wraparound reads from its environment."""

    environment: str = "development"
    """`production` turns on the strict checks (SECRET_KEY required, secure cookies)."""
    host: str = "127.0.0.1"
    """Address the web server listens on."""
    port: int = 8000
    """Port the web server listens on."""
    web_workers: int = 1
    """Web server worker processes."""
    var_dir: Path = ROOT / "var"
    """Where the embedded database, generated secret key and other local state live."""
    database_url: str = ""
    """`postgres://...` for PostgreSQL; empty means the SQLite file in var/."""
    secret_key: str = ""
    """Signs CSRF tokens; generated into var/ for development when not set."""
    base_url: str = "http://127.0.0.1:8000"
    """The address people reach Wraparound at, used in e-mailed links."""
    secure_cookies: bool = True
    """Send cookies only over HTTPS (browsers treat 127.0.0.1 and localhost as secure)."""
    template_reload: bool = True
    """Look for edited templates on every page (development); off in production, where each
    check was a file-system call for every template a page uses."""
    session_idle_minutes: int = 30
    """A session ends after this long without a request."""
    session_absolute_hours: int = 10
    """A session ends this long after sign-in, whatever happens."""
    sign_in_account_limit: int = 5
    """Failed sign-ins per account per minute before further tries are refused."""
    sign_in_address_limit: int = 20
    """Failed sign-ins per network address per minute before further tries are refused."""
    smtp_host: str = ""
    """SMTP server for outgoing e-mail; empty turns e-mail off (said once at start-up)."""
    smtp_port: int = 25
    """SMTP server port."""
    smtp_tls: str = "none"
    """`none`, `starttls` or `ssl`."""
    smtp_username: str = ""
    """SMTP user name, if the server wants one."""
    smtp_password: str = field(default="", repr=False)
    """SMTP password, if the server wants one."""
    mail_from: str = "Wraparound <no-reply@wraparound.invalid>"
    """Sender address on e-mail."""
    worker_in_process: bool = True
    """Run the outbox worker inside the web process (the embedded default)."""
    worker_poll_seconds: float = 2.0
    """How often an idle worker looks for jobs."""
    meilisearch_url: str = ""
    """Meilisearch server; empty means the database's own full-text index."""
    meilisearch_api_key: str = field(default="", repr=False)
    """Meilisearch API key."""
    directory_publisher: str = ""
    """Organisation that imported listings without one are attached to (a feed's publisher)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed."""
    bank_holidays: str = "scotland"
    """Whose bank holidays response targets skip: scotland, england-and-wales, northern-ireland."""
    demo_password: str = field(default="", repr=False)
    """Password given to every demo sign-in; generated when not set."""
    hub_name: str = ""
    """The hub's name on printed pages; empty means the hub organisation's own name."""
    hub_phone: str = ""
    """The hub's phone number, printed on every page handed to a visitor or client."""
    demo_mail_dir: str = ""
    """Where the demo's mail catcher keeps the e-mails it caught (set by `wraparound demo`)."""
    backup_key: str = field(default="", repr=False)
    """Fernet key that `wraparound backup` encrypts with (`wraparound backup-key` makes one)."""
    backup_daily: bool = True
    """The worker makes a backup every night into backup_dir."""
    backup_dir: Path = ROOT / "var" / "backups"
    """Where the daily backups go (keep copies somewhere else too)."""
    backup_keep: int = 7
    """How many daily backups to keep in backup_dir."""
    retention_plan_years: int = 6
    """Years a closed plan (with its reviews, meetings and access log) is kept after closure."""
    retention_referral_years: int = 6
    """Years a closed referral (with its messages) is kept after closure."""
    retention_record_years: int = 6
    """Years a client record with nothing open is kept after its last entry or consent."""

    @property
    def is_production(self) -> bool:
        """True when running as a production deployment."""
        return self.environment == "production"

    @property
    def mail_enabled(self) -> bool:
        """True when an SMTP server is configured (SMTP_HOST); otherwise no e-mail is sent."""
        return bool(self.smtp_host)

    @property
    def uses_postgres(self) -> bool:
        """True when DATABASE_URL points at PostgreSQL."""
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite database file, when PostgreSQL is not configured."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.var_dir / "wraparound.sqlite"


def _secret_key(environment: str, var_dir: Path) -> str:
    key = _env("SECRET_KEY")
    if key:
        return key
    if environment == "production":
        msg = "SECRET_KEY must be set when WRAPAROUND_ENV=production"
        raise ConfigurationError(msg)
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings() -> Settings:
    """Read the environment into a fresh Settings (tests use this; the app uses get_settings)."""
    environment = _env("WRAPAROUND_ENV", "development")
    var_dir = Path(_env("WRAPAROUND_VAR_DIR") or ROOT / "var")
    host = _env("HOST", "127.0.0.1")
    port = _env_port("PORT", 8000)
    return Settings(
        environment=environment,
        host=host,
        port=port,
        web_workers=_env_int("WEB_WORKERS", 1),
        var_dir=var_dir,
        database_url=_env("DATABASE_URL"),
        secret_key=_secret_key(environment, var_dir),
        base_url=_env("BASE_URL", f"http://{host}:{port}").rstrip("/"),
        secure_cookies=_env_bool("SECURE_COOKIES", True),
        template_reload=_env_bool("TEMPLATE_RELOAD", environment != "production"),
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=_env_int("SESSION_ABSOLUTE_HOURS", 10),
        sign_in_account_limit=_env_int("SIGN_IN_ACCOUNT_LIMIT", 5),
        sign_in_address_limit=_env_int("SIGN_IN_ADDRESS_LIMIT", 20),
        smtp_host=_env("SMTP_HOST"),
        smtp_port=_env_port("SMTP_PORT", 25),
        smtp_tls=_env_choice("SMTP_TLS", "none", ("none", "starttls", "ssl")),
        smtp_username=_env("SMTP_USERNAME"),
        smtp_password=_env("SMTP_PASSWORD"),
        mail_from=_env("MAIL_FROM", "Wraparound <no-reply@wraparound.invalid>"),
        worker_in_process=_env_bool("WORKER_IN_PROCESS", True),
        worker_poll_seconds=_env_float("WORKER_POLL_SECONDS", 2.0),
        meilisearch_url=_env("MEILISEARCH_URL"),
        meilisearch_api_key=_env("MEILISEARCH_API_KEY"),
        directory_publisher=_env("DIRECTORY_PUBLISHER"),
        trusted_proxies=tuple(
            part.strip() for part in _env("TRUSTED_PROXIES").split(",") if part.strip()
        ),
        backup_key=_env("BACKUP_KEY"),
        backup_daily=_env_bool("BACKUP_DAILY", True),
        backup_dir=Path(_env("BACKUP_DIR") or var_dir / "backups"),
        backup_keep=_env_int("BACKUP_KEEP", 7),
        retention_plan_years=_env_int("RETENTION_PLAN_YEARS", 6),
        retention_referral_years=_env_int("RETENTION_REFERRAL_YEARS", 6),
        retention_record_years=_env_int("RETENTION_RECORD_YEARS", 6),
        bank_holidays=_env_choice(
            "BANK_HOLIDAYS", "scotland", ("scotland", "england-and-wales", "northern-ireland")
        ),
        demo_password=_env("DEMO_PASSWORD"),
        hub_name=_env("HUB_NAME"),
        hub_phone=_env("HUB_PHONE"),
        demo_mail_dir=_env("DEMO_MAIL_DIR"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
