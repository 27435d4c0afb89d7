"""查重 (CUS-3): a prospective customer's name (fuzzy) and phone (exact) against owned customers,
pool customers and unconverted leads. Records the user may not open show only name and owner.

Fast at millions of rows: names and phones are compared through the indexed keys each customer
and lead stores (core.match_keys), so every probe is an index seek. What that cannot find — the
typed name in the middle of a longer one ("字节跳动" in "北京字节跳动科技"), or a near match that
differs in its first half — the slower `contains` option adds with a scan of the name keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from core.match_keys import normalise_name, normalise_phone
from core.models import Customer, Lead, User
from core.permissions import Actor, scope_clause
from core.services.record_query import not_deleted

SIMILAR_RATIO = 0.75
WINDOW = 4  # characters of the name core each "contains" probe uses
CANDIDATES = 300  # rows fetched per probe before the exact comparison in Python
MIN_PHONE = 5  # fewer digits say nothing about a number
PIECES = (2, 24)  # lengths of the typed core's pieces looked up as whole names
_TOP = "\U0010ffff"  # sorts after every character: [k, k + _TOP) holds every key starting with k


def similar(core: str, other: str) -> bool:
    """Two name cores look alike: one contains the other, or they are mostly the same text."""
    if not core or not other:
        return False
    if min(len(core), len(other)) >= 2 and (core in other or other in core):
        return True
    return difflib.SequenceMatcher(None, core, other).ratio() >= SIMILAR_RATIO


@dataclass(frozen=True)
class Match:
    """One possible duplicate. `record_id` is None when the user may not open the record."""

    source: str  # "customer" (owned), "pool" (公海) or "lead" (unconverted)
    record_id: int | None
    name: str
    owner_name: str
    phone_match: bool
    exact_name: bool

    @property
    def exact(self) -> bool:
        """Same name core or same phone: saving needs the user's confirmation."""
        return self.phone_match or self.exact_name


@dataclass(frozen=True)
class Source:
    """One kind of record checked: its name and phone keys, and the columns it is shown by."""

    kind: str  # "customer" (a pool customer when it has no owner) or "lead"
    model: type
    name_keys: tuple[str, ...]
    phone_keys: tuple[str, ...]
    titles: tuple[str, ...]  # shown name: the first non-empty of these columns
    reversed_keys: tuple[str, ...]  # name keys stored back to front: names ending with the core

    def live(self) -> list:
        """Rows that count: not in the recycle bin, and for leads not yet converted."""
        if self.model is Lead:
            return [not_deleted(Lead), Lead.is_converted.is_(False)]
        return [not_deleted(self.model)]


CUSTOMERS = Source(
    "customer", Customer, ("name_key",), ("phone_key",), ("name",), ("name_key_reversed",)
)
LEADS = Source(
    "lead", Lead, ("company_key", "name_key"), ("phone_key", "mobile_key"), ("company", "name"),
    ("company_key_reversed",),
)  # fmt: skip


def _pieces(core: str) -> list[str]:
    """The core and every part of it a shorter existing name could be ("深圳华为技术" → "华为技术")."""
    low, high = PIECES
    found = {core}
    for size in range(low, min(high, len(core) - 1) + 1):
        found.update(core[i : i + size] for i in range(len(core) - size + 1))
    return sorted(found)


def _windows(core: str) -> list[str]:
    if len(core) <= WINDOW:
        return [core]
    found = {core[i : i + WINDOW] for i in range(0, len(core) - WINDOW + 1, 2)}
    found.add(core[-WINDOW:])
    return sorted(found)


def _starting_with(column, head: str):
    return [column >= head, column < head + _TOP, column.startswith(head, autoescape=True)]


def _seeks(column, core: str) -> Iterator[list]:
    """Keys starting with the core, and keys of about its length sharing its first half
    (candidates for "mostly the same text"); on a reversed key: ending with it / its last half."""
    yield [*_starting_with(column, core), column != core]
    head = core[: max(2, (len(core) + 1) // 2)]
    if len(head) < len(core):
        lengths = func.length(column).between(int(len(core) * 0.6), int(len(core) / 0.6) + 1)
        yield [*_starting_with(column, head), lengths]


def _name_probes(source: Source, core: str, contains: bool) -> Iterator[list]:
    """Index seeks for names equal to, inside, starting or ending with the core, or much like it;
    with `contains` one scan of every key for the core in the middle of a longer name."""
    model = source.model
    for column in (getattr(model, key) for key in source.name_keys):
        yield [column.in_(_pieces(core))]
        if len(core) >= 2:  # a single character is only ever similar to itself
            yield from _seeks(column, core)
        if contains:
            yield [or_(*(column.contains(w, autoescape=True) for w in _windows(core)))]
    for key in source.reversed_keys if len(core) >= 2 else ():
        yield from _seeks(getattr(model, key), core[::-1])  # 佳达百货 → 珠海佳达百货


def _probes(source: Source, core: str, digits: str, contains: bool, exact_only: bool):
    if core and exact_only:
        yield from ([getattr(source.model, key) == core] for key in source.name_keys)
    elif core:
        yield from _name_probes(source, core, contains)
    for key in source.phone_keys if len(digits) >= MIN_PHONE else ():
        yield [getattr(source.model, key) == digits]


def _candidates(session, actor, source: Source, probes, exclude: int | None):
    """Rows any probe finds, once each, with whether the actor may open them."""
    model = source.model
    view = scope_clause(actor, model, f"crm.{source.kind}.view")
    visible = case((view, True), else_=False)
    columns = [getattr(model, c) for c in (*source.titles, *source.name_keys, *source.phone_keys)]
    base = (
        select(model.id, model.owner_id, User.display_name, *columns, visible.label("visible"))
        .outerjoin(User, User.id == model.owner_id)
        .where(*source.live())
    )
    if exclude is not None:
        base = base.where(model.id != exclude)
    seen: dict[int, object] = {}
    for where in probes:
        for row in session.execute(base.where(*where).limit(CANDIDATES)):
            seen.setdefault(row.id, row)
    return seen.values()


def _matches(session, actor, source, core, digits, *, contains, exact_only, exclude):
    probes = _probes(source, core, digits, contains, exact_only)
    for row in _candidates(session, actor, source, probes, exclude):
        m = row._mapping
        phone = len(digits) >= MIN_PHONE and digits in {m[k] for k in source.phone_keys}
        cores = [m[k] for k in source.name_keys if m[k]]
        exact = bool(core) and core in cores
        if not (phone or exact or any(similar(core, c) for c in cores)):
            continue
        kind = "pool" if source is CUSTOMERS and row.owner_id is None else source.kind
        title = next((m[c] for c in source.titles if m[c]), m[source.titles[-1]])
        rid = row.id if row.visible else None
        yield Match(kind, rid, title, row.display_name or "", phone, exact)


def find(
    session: Session,
    *,
    actor: Actor,
    name: str = "",
    phone: str = "",
    exclude_customer_id: int | None = None,
    exclude_lead_id: int | None = None,
    limit: int = 20,
    contains: bool = False,
) -> list[Match]:
    """Possible duplicates of a customer called `name` with `phone` (CUS-3): customers (owned by
    anyone, or in a pool) and unconverted leads whose name core equals, contains, starts or ends
    this one, or closely resembles it (sharing its first half), or whose phone is the same number.
    Exact matches first. `contains` also finds the name in the middle of a longer one (a scan)."""
    return _find(
        session, actor, name, phone, contains=contains, exact_only=False, limit=limit,
        excludes={CUSTOMERS: exclude_customer_id, LEADS: exclude_lead_id},
    )  # fmt: skip


def exact_customer_matches(
    session: Session,
    *,
    actor: Actor,
    name: str,
    phone: str = "",
    exclude_customer_id: int | None = None,
) -> list[Match]:
    """Customers (owned or pool) with the same name core or the same phone: these block a save
    until the user confirms (DuplicateCustomer)."""
    return _find(
        session, actor, name, phone, contains=False, exact_only=True, limit=CANDIDATES,
        excludes={CUSTOMERS: exclude_customer_id},
    )  # fmt: skip


def _find(session, actor, name, phone, *, contains, exact_only, limit, excludes) -> list[Match]:
    core, digits = normalise_name(name), normalise_phone(phone)
    if not core and len(digits) < MIN_PHONE:
        return []
    found = [
        match
        for source, exclude in excludes.items()
        for match in _matches(
            session,
            actor,
            source,
            core,
            digits,
            contains=contains,
            exact_only=exact_only,
            exclude=exclude,
        )  # fmt: skip
    ]
    order = {"customer": 0, "pool": 1, "lead": 2}
    found.sort(key=lambda m: (not m.exact, order[m.source], len(m.name)))
    return found[:limit]


__all__ = [
    "Match",
    "exact_customer_matches",
    "find",
    "normalise_name",
    "normalise_phone",
    "similar",
]
