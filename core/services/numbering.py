"""Numbering rules (CUS-7, CUS-8): contract and receivable numbers built from literal text, date
and sequence segments, with a counter per rule and period that stays unique under concurrency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationFailed
from core.i18n import to_local
from core.models import NumberingCounter, NumberingRule
from core.permissions import Actor, require
from core.services import changelog

RESETS = ("daily", "monthly", "yearly", "never")
SEGMENT_KINDS = ("text", "date", "seq")
# Date formats an admin may pick; each says which periods it tells apart.
DATE_FORMATS = ("%Y%m%d", "%Y%m", "%Y", "%y%m%d", "%y%m", "%Y-%m-%d", "%Y-%m")
MAX_LENGTH = 50  # contracts.number / receivables.number are String(50)
MAX_TEXT = 20
MAX_WIDTH = 10
MAX_TRIES = 1000
SETTINGS_ACTION = "settings.crm"
_PERIOD_FORMATS = {"daily": "%Y%m%d", "monthly": "%Y%m", "yearly": "%Y"}
E = "numbering.error."


def local_today() -> dt.date:
    """Today in the business time zone (numbers carry the day the user sees)."""
    return to_local(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()


def period_key(reset: str, day: dt.date) -> str:
    """The counter's period: 20261127 (daily), 202611 (monthly), 2026 (yearly), "" (never)."""
    pattern = _PERIOD_FORMATS.get(reset)
    return day.strftime(pattern) if pattern else ""


def render(segments: Sequence[dict], day: dt.date, sequence: int) -> str:
    """The number for `sequence` on `day`: segments joined in order."""
    parts = []
    for seg in segments:
        match seg.get("kind"):
            case "text":
                parts.append(str(seg.get("value", "")))
            case "date":
                parts.append(day.strftime(seg.get("format") or "%Y%m%d"))
            case "seq":
                parts.append(str(sequence).zfill(int(seg.get("width") or 1)))
    return "".join(parts)


def _date_tells_apart(segments: Sequence[dict], reset: str) -> bool:
    """A counter that restarts each period repeats its numbers unless the date shows the period."""
    needed = {"daily": ("d",), "monthly": ("m",), "yearly": ("Y", "y")}.get(reset)
    if needed is None:
        return True
    formats = [s.get("format", "") for s in segments if s.get("kind") == "date"]
    year = any("%Y" in f or "%y" in f for f in formats)
    month = year and any("%m" in f for f in formats)
    day = month and any("%d" in f for f in formats)
    return {"daily": day, "monthly": month, "yearly": year}[reset]


def _segment_problem(seg: dict) -> str | None:
    kind = seg.get("kind")
    if kind not in SEGMENT_KINDS:
        return "bad_segment"
    if kind == "text":
        value = str(seg.get("value", ""))
        if not value.strip() or len(value) > MAX_TEXT:
            return "bad_text"
        if any(not (c.isalnum() or c in "-_/.#") for c in value):
            return "bad_text"
    if kind == "date" and seg.get("format") not in DATE_FORMATS:
        return "bad_date"
    if kind == "seq" and not (isinstance(seg.get("width"), int) and 1 <= seg["width"] <= MAX_WIDTH):
        return "bad_width"
    return None


def check_rule(segments: Sequence[dict], reset: str) -> list[dict]:
    """Clean segments or ValidationFailed: known kinds, short safe text, a known date format,
    exactly one sequence, a date that shows the reset period, and at most 50 characters."""
    problem = None
    if reset not in RESETS:
        problem = "bad_reset"
    elif not segments:
        problem = "no_sequence"
    else:
        problem = next((p for p in map(_segment_problem, segments) if p), None)
    cleaned = [dict(s) for s in segments]
    if problem is None and sum(s["kind"] == "seq" for s in cleaned) != 1:
        problem = "no_sequence"
    if problem is None and not _date_tells_apart(cleaned, reset):
        problem = "date_for_reset"
    if problem is None and len(render(cleaned, dt.date(2026, 12, 31), 1)) > MAX_LENGTH:
        problem = "too_long"
    if problem:
        raise ValidationFailed({"segments": (E + problem, {"max": MAX_LENGTH})})
    return cleaned


def get_rule(session: Session, *, entity: str) -> NumberingRule:
    rule = session.scalar(select(NumberingRule).where(NumberingRule.entity == entity))
    if rule is None:
        raise NotFound(entity="numbering_rule", id=entity)
    return rule


def list_rules(session: Session) -> list[NumberingRule]:
    return list(session.scalars(select(NumberingRule).order_by(NumberingRule.entity)))


def preview(segments: Sequence[dict], reset: str, *, day: dt.date | None = None) -> str:
    """What the first number of today's period looks like (raises ValidationFailed)."""
    cleaned = check_rule(segments, reset)
    return render(cleaned, day or local_today(), 1)


def save_rule(
    session: Session, *, actor: Actor, entity: str, segments: Sequence[dict], reset: str
) -> NumberingRule:
    """Change a rule (needs settings.crm). Counters stay: a rule whose numbers could repeat
    earlier ones is still safe, because `allocate` skips numbers already used."""
    require(actor, SETTINGS_ACTION)
    cleaned = check_rule(segments, reset)
    rule = get_rule(session, entity=entity)
    changes = {}
    if rule.segments != cleaned:
        changes["segments"] = (
            render(rule.segments, local_today(), 1),
            render(cleaned, local_today(), 1),
        )
        rule.segments = cleaned
    if rule.reset != reset:
        changes["reset"] = (rule.reset, reset)
        rule.reset = reset
    if changes:
        session.flush()
        changelog.log_changes(
            session,
            actor_id=actor.user_id,
            entity="numbering_rule",
            record_id=rule.id,
            changes=changes,
        )
    return rule


def _bump(session: Session, rule_id: int, key: str) -> int | None:
    """Add one to the period's counter in the database (the row stays locked until commit)."""
    return session.scalar(
        update(NumberingCounter)
        .where(NumberingCounter.rule_id == rule_id, NumberingCounter.period_key == key)
        .values(value=NumberingCounter.value + 1)
        .returning(NumberingCounter.value)
        .execution_options(synchronize_session=False)
    )


def next_sequence(session: Session, rule: NumberingRule, day: dt.date) -> int:
    """The next sequence value of the rule's current period, in the caller's transaction.
    A conditional UPDATE … RETURNING increments atomically; the period's first number inserts
    the counter inside a savepoint, and a concurrent insert (unique violation) retries."""
    key = period_key(rule.reset, day)
    for _ in range(MAX_TRIES):
        value = _bump(session, rule.id, key)
        if value is not None:
            return value
        try:
            with session.begin_nested():
                session.add(NumberingCounter(rule_id=rule.id, period_key=key, value=1))
            return 1
        except IntegrityError:
            continue  # another session created the period's counter first
    raise RuntimeError("numbering counter could not be created")


def allocate(
    session: Session,
    *,
    entity: str,
    is_taken: Callable[[str], bool],
    day: dt.date | None = None,
) -> str:
    """A fresh number for `entity` ("contract", "receivable"): the next sequence of its rule,
    skipping numbers `is_taken` reports as used (e.g. after an admin changed the rule)."""
    rule = get_rule(session, entity=entity)
    day = day or local_today()
    for _ in range(MAX_TRIES):
        number = render(rule.segments, day, next_sequence(session, rule, day))
        if not is_taken(number):
            return number
    raise RuntimeError(f"no free {entity} number")
