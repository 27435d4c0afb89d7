"""Settings read from the environment or `.streamlit/secrets.toml`, at call time (tests change them)."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    mirror_path: Path
    default_locale: str
    timezone: str  # business time zone: stored times are UTC, shown and bucketed in this zone
    demo_data: bool
    demo_scale: str
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float
    login_sleep_time: float


def _secrets() -> dict:
    if SECRETS_FILE.exists():
        with SECRETS_FILE.open("rb") as fh:
            return tomllib.load(fh)
    return {}


def _value(name: str, secrets_: dict, default: str) -> str:
    """Environment wins over secrets.toml, which wins over the default."""
    env_name = f"CRM_{name.upper()}"
    if env_name in os.environ:
        return os.environ[env_name]
    return str(secrets_.get(name, default))


def _cookie_key(data_dir: Path, configured: str) -> str:
    """A configured key, else one generated once into data/ — never a key in the repository."""
    if configured:
        return configured
    key_file = data_dir / "cookie.key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def get_settings() -> Settings:
    s = _secrets()
    data_dir = Path(_value("data_dir", s, str(PROJECT_ROOT / "data")))
    default_db = f"sqlite:///{data_dir / 'crm.db'}"
    return Settings(
        database_url=_value("database_url", s, default_db),
        data_dir=data_dir,
        mirror_path=Path(_value("mirror_path", s, str(data_dir / "mirror.duckdb"))),
        default_locale=_value("default_locale", s, "zh_Hans"),
        timezone=_value("timezone", s, "Asia/Shanghai"),
        demo_data=_value("demo_data", s, "on").lower() not in {"off", "0", "false", "no"},
        demo_scale=_value("demo_scale", s, "S").upper(),
        cookie_name=_value("cookie_name", s, "lianluo_crm_auth"),
        cookie_key=_cookie_key(data_dir, _value("cookie_key", s, "")),
        cookie_expiry_days=float(_value("cookie_expiry_days", s, "7")),
        login_sleep_time=float(_value("login_sleep_time", s, "0.7")),
    )
