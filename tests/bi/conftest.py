"""Service tests run on a fresh SQLite store and on PostgreSQL (skipped outside CI without one)."""

import pytest

from tests.conftest import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    yield from open_store(request.param, request, tmp_path, monkeypatch)


@pytest.fixture
def make_mirror(db_url, tmp_path):
    """Build a mirror of the test store (call it after committing the test's data)."""
    from core.bi.mirror import Mirror

    made = []

    def make(**options):
        options.setdefault("safety_seconds", 0.5)
        options.setdefault("reconcile_every", None)
        mirror = Mirror(db_url, tmp_path / f"mirror{len(made)}.duckdb", **options)
        made.append(mirror)
        mirror.build()
        return mirror

    yield make
    for mirror in made:
        mirror.close()
