"""查重 (CUS-3): a prospective customer's name (fuzzy) and phone (exact) against owned customers,
pool customers and unconverted leads. Records the user may not open show only name and owner."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import Session

from core.models import Customer, Lead, User
from core.permissions import Actor, scope_clause
from core.validation import MOBILE

# Longest first: a name loses every legal-form suffix it ends with ("集团有限公司" → "").
SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "股份公司",
    "分公司",
    "总公司",
    "公司",
    "集团",
    "corporation",
    "company",
    "limited",
    "coltd",
    "corp",
    "inc",
    "ltd",
    "co",
)
SIMILAR_RATIO = 0.75
WINDOW = 4  # characters of the name core each SQL "contains" probe uses
CANDIDATES = 300  # rows fetched per source before the exact comparison in Python
_SEPARATORS = ("-", " ", "(", ")", "+", ".", "\u3000")
_EXTENSION = re.compile(r"(转|#|ext\.?|x)\s*\d{1,6}\s*$", re.IGNORECASE)


def normalise_name(name: str | None) -> str:
    """The comparable core of a company name: full-width → half-width, lower case, no spaces or
    punctuation, no legal-form suffix (有限公司, 集团, Co., Ltd. …)."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "PSZC")
    changed = True
    while changed and text:
        if text in SUFFIXES:
            return ""  # only a legal form: nothing to compare
        changed = False
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
    return text


def normalise_phone(phone: str | None) -> str:
    """Digits only, without an extension and without the +86 / 0086 country code, so that
    "+86 138-0013-8000" and "13800138000", or "(010) 1234 5678" and "010-12345678", compare equal."""
    text = _EXTENSION.sub("", unicodedata.normalize("NFKC", phone or ""))
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    else:
        return digits
    return digits if MOBILE.match(digits) else "0" + digits.lstrip("0")


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


def _windows(core: str) -> list[str]:
    if len(core) <= WINDOW:
        return [core] if core else []
    found = {core[i : i + WINDOW] for i in range(0, len(core) - WINDOW + 1, 2)}
    found.add(core[-WINDOW:])
    return sorted(found)


def _digits(column):
    """The column with the usual phone separators removed (comparison happens in Python)."""
    for sep in _SEPARATORS:
        column = func.replace(column, sep, "")
    return column


def _name_probe(columns, core: str):
    probes = [c.icontains(w, autoescape=True) for c in columns for w in _windows(core)]
    return or_(*probes) if probes else false()


def _phone_probe(columns, digits: str):
    if len(digits) < 5:
        return false()
    tail = digits[-7:]
    return or_(*(_digits(c).contains(tail, autoescape=True) for c in columns))


def _classify(core: str, digits: str, names: list[str], phones: list[str]):
    """(phone matches exactly, name core equal, name similar) for one candidate row."""
    phone = bool(digits) and len(digits) >= 5 and digits in {normalise_phone(p) for p in phones}
    cores = [normalise_name(n) for n in names if n]
    exact = bool(core) and core in cores
    return phone, exact, exact or any(similar(core, c) for c in cores)


def _customers(session: Session, actor: Actor, core: str, digits: str, exclude: int | None):
    visible = case((scope_clause(actor, Customer, "crm.customer.view"), True), else_=False)
    query = (
        select(Customer.id, Customer.name, Customer.phone, Customer.owner_id, User.display_name)
        .add_columns(visible.label("visible"))
        .outerjoin(User, User.id == Customer.owner_id)
        .where(Customer.deleted_at.is_(None))
        .where(or_(_name_probe([Customer.name], core), _phone_probe([Customer.phone], digits)))
    )
    if exclude is not None:
        query = query.where(Customer.id != exclude)
    for row in session.execute(query.limit(CANDIDATES)):
        phone, exact, alike = _classify(core, digits, [row.name], [row.phone])
        if phone or alike:
            source = "customer" if row.owner_id is not None else "pool"
            rid = row.id if row.visible else None
            yield Match(source, rid, row.name, row.display_name or "", phone, exact)


def _leads(session: Session, actor: Actor, core: str, digits: str, exclude: int | None):
    visible = case((scope_clause(actor, Lead, "crm.lead.view"), True), else_=False)
    query = (
        select(Lead.id, Lead.name, Lead.company, Lead.phone, Lead.mobile, User.display_name)
        .add_columns(visible.label("visible"))
        .outerjoin(User, User.id == Lead.owner_id)
        .where(Lead.deleted_at.is_(None), Lead.is_converted.is_(False))
        .where(
            or_(
                _name_probe([Lead.name, Lead.company], core),
                _phone_probe([Lead.phone, Lead.mobile], digits),
            )
        )
    )
    if exclude is not None:
        query = query.where(Lead.id != exclude)
    for row in session.execute(query.limit(CANDIDATES)):
        phone, exact, alike = _classify(
            core, digits, [row.name, row.company], [row.phone, row.mobile]
        )
        if phone or alike:
            title = row.company or row.name
            rid = row.id if row.visible else None
            yield Match("lead", rid, title, row.display_name or "", phone, exact)


def find(
    session: Session,
    *,
    actor: Actor,
    name: str = "",
    phone: str = "",
    exclude_customer_id: int | None = None,
    exclude_lead_id: int | None = None,
    limit: int = 20,
) -> list[Match]:
    """Possible duplicates of a customer called `name` with `phone` (CUS-3): customers (owned by
    anyone, or in a pool) and unconverted leads whose name core equals, contains or closely
    resembles this one, or whose phone is the same number. Exact matches first."""
    core, digits = normalise_name(name), normalise_phone(phone)
    if not core and len(digits) < 5:
        return []
    found = [
        *_customers(session, actor, core, digits, exclude_customer_id),
        *_leads(session, actor, core, digits, exclude_lead_id),
    ]
    order = {"customer": 0, "pool": 1, "lead": 2}
    found.sort(key=lambda m: (not m.exact, order[m.source], len(m.name)))
    return found[:limit]


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
    matches = find(
        session,
        actor=actor,
        name=name,
        phone=phone,
        exclude_customer_id=exclude_customer_id,
        limit=CANDIDATES,
    )
    return [m for m in matches if m.exact and m.source != "lead"]


__all__ = [
    "Match",
    "exact_customer_matches",
    "find",
    "normalise_name",
    "normalise_phone",
    "similar",
]
