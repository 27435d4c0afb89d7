"""Service tests run on a fresh SQLite store and on PostgreSQL (skipped outside CI without one)."""

import pytest

from tests.conftest import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    yield from open_store(request.param, request, tmp_path, monkeypatch)
