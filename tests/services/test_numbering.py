"""Numbering rules (CUS-7, CUS-8): segments, resets per period, rule validation, and numbers that
stay unique when several sessions save at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from core.db import session_factory
from core.errors import NotAllowed, ValidationFailed
from core.models import Contract, NumberingCounter
from core.services import contracts, numbering
from tests.services.sales_data import contract_values, customer

DAY = dt.date(2026, 11, 27)
SEGMENTS = [
    {"kind": "text", "value": "HT"},
    {"kind": "date", "format": "%Y%m%d"},
    {"kind": "seq", "width": 4},
]


def test_numbers_follow_the_segments_and_count_up_within_a_day(session, org):
    taken = lambda _n: False  # noqa: E731
    first = numbering.allocate(session, entity="contract", is_taken=taken, day=DAY)
    second = numbering.allocate(session, entity="contract", is_taken=taken, day=DAY)
    assert (first, second) == ("HT202611270001", "HT202611270002")


@pytest.mark.parametrize(
    ("reset", "fmt", "next_day", "expected"),
    [
        ("daily", "%Y%m%d", dt.date(2026, 11, 28), "1"),
        ("monthly", "%Y%m", dt.date(2026, 11, 30), "3"),
        ("monthly", "%Y%m", dt.date(2026, 12, 1), "1"),
        ("yearly", "%Y", dt.date(2026, 12, 31), "3"),
        ("yearly", "%Y", dt.date(2027, 1, 1), "1"),
        ("never", "%Y", dt.date(2030, 1, 1), "3"),
    ],
)
def test_the_sequence_restarts_only_when_its_period_changes(
    session, org, reset, fmt, next_day, expected
):
    admin = org.actor(session, "admin")
    segments = [{"kind": "date", "format": fmt}, {"kind": "text", "value": "-"}, SEGMENTS[2]]
    numbering.save_rule(session, actor=admin, entity="contract", segments=segments, reset=reset)
    for _ in range(2):
        numbering.allocate(session, entity="contract", is_taken=lambda _n: False, day=DAY)
    number = numbering.allocate(session, entity="contract", is_taken=lambda _n: False, day=next_day)
    assert number == next_day.strftime(fmt) + "-" + expected.zfill(4)


def test_numbers_already_used_are_skipped(session, org):
    used = {"HT202611270001", "HT202611270002"}
    number = numbering.allocate(session, entity="contract", is_taken=used.__contains__, day=DAY)
    assert number == "HT202611270003"


@pytest.mark.parametrize(
    ("segments", "reset", "problem"),
    [
        ([{"kind": "text", "value": "HT"}], "never", "no_sequence"),
        ([SEGMENTS[2], SEGMENTS[2]], "never", "no_sequence"),
        ([{"kind": "text", "value": "<script>"}, SEGMENTS[2]], "never", "bad_text"),
        ([{"kind": "text", "value": "'; DROP TABLE x"}, SEGMENTS[2]], "never", "bad_text"),
        ([{"kind": "date", "format": "%H"}, SEGMENTS[2]], "never", "bad_date"),
        ([{"kind": "seq", "width": 0}], "never", "bad_width"),
        ([{"kind": "date", "format": "%Y%m"}, SEGMENTS[2]], "daily", "date_for_reset"),
        ([SEGMENTS[2]], "yearly", "date_for_reset"),
        ([{"kind": "text", "value": "A" * 20}] * 3 + [SEGMENTS[2]], "never", "too_long"),
        (SEGMENTS, "hourly", "bad_reset"),
    ],
)
def test_a_rule_that_could_repeat_or_break_numbers_is_refused(
    session, org, segments, reset, problem
):
    admin = org.actor(session, "admin")
    before = numbering.get_rule(session, entity="contract").segments
    with pytest.raises(ValidationFailed) as failed:
        numbering.save_rule(session, actor=admin, entity="contract", segments=segments, reset=reset)
    assert failed.value.errors["segments"][0] == f"numbering.error.{problem}"
    assert numbering.get_rule(session, entity="contract").segments == before


def test_only_settings_admins_change_rules_and_the_change_is_logged(session, org):
    with pytest.raises(NotAllowed):
        numbering.save_rule(
            session,
            actor=org.actor(session, "manager"),
            entity="contract",
            segments=SEGMENTS,
            reset="never",
        )
    admin = org.actor(session, "admin")
    rule = numbering.save_rule(
        session, actor=admin, entity="contract", segments=SEGMENTS, reset="monthly"
    )
    assert rule.reset == "monthly"
    assert numbering.preview(SEGMENTS, "monthly", day=DAY) == "HT202611270001"


def _create_contracts(url: str, org, customer_id: int, count: int, errors: list) -> None:
    factory = session_factory(url)
    try:
        for _ in range(count):
            with factory() as s:
                actor = org.actor(s, "sales1")
                contracts.create(s, actor=actor, values=contract_values(customer_id))
                s.commit()
    except Exception as exc:  # noqa: BLE001 — reported by the test thread below
        errors.append(exc)


def test_two_users_saving_at_once_get_forty_distinct_numbers(db_url, session, org):
    customer_id = customer(session, org).id
    session.commit()
    errors: list = []
    threads = [
        threading.Thread(target=_create_contracts, args=(db_url, org, customer_id, 20, errors))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = session.scalars(select(Contract.number)).all()
    assert len(numbers) == 40 and len(set(numbers)) == 40
    today = numbering.local_today().strftime("%Y%m%d")
    assert sorted(numbers) == [f"HT{today}{i:04d}" for i in range(1, 41)]
    assert session.scalar(select(func.max(NumberingCounter.value))) == 40
