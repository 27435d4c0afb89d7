"""Page tests run app.py in AppTest against a fresh SQLite store holding the demo organisation
(tests/factories.build_org: admin, manager, sales1–3, outsider, office; password Demo@2026)."""

from __future__ import annotations

import pytest

from core import db as core_db


@pytest.fixture
def org_store(tmp_path, monkeypatch):
    """A migrated store (app.py upgrades it on start) with the demo organisation, demo mode off."""
    from tests.factories import build_org

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRM_MIRROR_PATH", str(tmp_path / "mirror.duckdb"))
    monkeypatch.setenv("CRM_DEMO_DATA", "off")
    monkeypatch.setenv("CRM_LOGIN_SLEEP_TIME", "0")
    core_db.upgrade_schema(url)
    with core_db.transaction(url) as s:
        org = build_org(s)
    yield org
    core_db.dispose_engines()
